"""The hidden layers' activations and their derivatives, applied per contiguous block of models.

Models are stacked sorted by activation (stack.storage_order), so each
activation covers one contiguous block along dim 0: `runs` lists them as
(activation, start, stop).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default

Run = tuple[str, int, int]  # (label, start, stop): models start..stop-1 share the label


def _leaky_relu(t: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.leaky_relu(t, LEAKY_SLOPE)


OUT_OF_PLACE: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "leaky_relu": _leaky_relu,
}


def activate(name: str, z: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """The activation of z, written into `out` when given (saves a torch.cat of the groups).

    Without `out` it is out of place, which autograd (step.autograd_step) needs.
    """
    if out is None:
        if name not in OUT_OF_PLACE:
            raise ValueError(f"unknown activation {name!r}")
        return OUT_OF_PLACE[name](z)
    if name == "relu":
        return torch.clamp_min(z, 0, out=out)
    if name == "leaky_relu":
        result: torch.Tensor = torch.ops.aten.leaky_relu.out(z, LEAKY_SLOPE, out=out)
        return result
    if name == "sigmoid":
        return torch.sigmoid(z, out=out)
    raise ValueError(f"unknown activation {name!r}")


def activation_grad(
    name: str, z: torch.Tensor, a: torch.Tensor, upstream: torch.Tensor, out: torch.Tensor | None = None
) -> torch.Tensor:
    """d(act)/dz * upstream, with torch's conventions at 0 (relu'(0) = 0, leaky'(0) = slope)."""
    # The aten backward kernels autograd itself uses: one fused pass each, identical results.
    if out is None:
        out = torch.empty_like(upstream)
    aten = torch.ops.aten
    result: torch.Tensor
    if name == "relu":
        result = aten.threshold_backward.grad_input(upstream, z, 0, grad_input=out)
    elif name == "leaky_relu":
        result = aten.leaky_relu_backward.grad_input(upstream, z, LEAKY_SLOPE, False, grad_input=out)
    elif name == "sigmoid":
        result = aten.sigmoid_backward.grad_input(upstream, a, grad_input=out)
    else:
        raise ValueError(f"unknown activation {name!r}")
    return result


def apply_activation(runs: Sequence[Run], z: torch.Tensor) -> torch.Tensor:
    """Each block's activation on its slice of z (M, features, batch), written in place of a concatenation."""
    if z.requires_grad:  # autograd cannot record out= kernels
        return torch.cat([activate(name, z[start:stop]) for name, start, stop in runs])
    out = torch.empty_like(z)
    for name, start, stop in runs:
        activate(name, z[start:stop], out[start:stop])
    return out


def apply_activation_grad(
    runs: Sequence[Run], z: torch.Tensor, a: torch.Tensor, upstream: torch.Tensor
) -> torch.Tensor:
    out = torch.empty_like(upstream)
    for name, start, stop in runs:
        activation_grad(name, z[start:stop], a[start:stop], upstream[start:stop], out[start:stop])
    return out
