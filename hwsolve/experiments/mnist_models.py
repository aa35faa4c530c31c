"""The homework's 12 MLPs (784-100-50-10) as one stack of parameters.

All models see the same batch at every step, so the first layer of all of
them (about 93% of the FLOPs) is ONE matrix product W1cat(M*100 x 784) @ X^T,
and its weight gradient is one more, dZ1cat @ X (no input gradient is needed).
Layers 2 and 3 are torch.bmm over stacked (M, out, in) weights.

Activations are kept feature-major, shape (M, features, batch): every
per-model slice along dim 0 is contiguous, so a group of models sharing an
activation is one contiguous block. Models are stored sorted by
(activation, optimizer, homework index): three activation blocks, and the
optimizer steps take lists of contiguous per-optimizer blocks (fused kernels).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import torch

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid")
LOSSES = ("cross_entropy", "nll")
OPTIMIZERS = ("sgd", "adam")
LAYER_SIZES = (784, 100, 50, 10)
LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


@dataclass(frozen=True)
class Config:
    activation: str
    loss: str
    optimizer: str

    @property
    def name(self) -> str:
        return f"{self.activation}/{self.loss}/{self.optimizer}"

    @property
    def index(self) -> int:
        """Position in the homework's loop order (activation outer, loss middle, optimiser inner)."""
        return ALL_CONFIGS.index(self)


ALL_CONFIGS: tuple[Config, ...] = tuple(Config(*combo) for combo in product(ACTIVATIONS, LOSSES, OPTIMIZERS))


def parse_configs(text: str | None) -> list[Config]:
    """'relu/cross_entropy/sgd,sigmoid/nll/adam' -> configs; '*' is a wildcard in any part.

    None (no subset asked for) means all. Raises ValueError with the allowed names on
    anything unknown, and on an empty list or item: an empty subset is no request for all.
    """
    if text is None:
        return list(ALL_CONFIGS)
    if not text.strip():
        raise ValueError(
            "the list is empty; name configurations like relu/cross_entropy/sgd, or leave the option out for all 12"
        )
    chosen: list[Config] = []
    for item in text.split(","):
        if not item.strip():
            raise ValueError(f"{text!r} has an empty item; separate configurations with single commas")
        parts = item.strip().split("/")
        if len(parts) != 3:
            raise ValueError(f"{item.strip()!r} is not activation/loss/optimizer, e.g. relu/cross_entropy/sgd")
        for part, allowed in zip(parts, (ACTIVATIONS, LOSSES, OPTIMIZERS)):
            if part != "*" and part not in allowed:
                raise ValueError(f"{part!r} in {item.strip()!r} is not one of {', '.join(allowed)} (or *)")
        for config in ALL_CONFIGS:
            if all(p in ("*", v) for p, v in zip(parts, (config.activation, config.loss, config.optimizer))):
                if config not in chosen:
                    chosen.append(config)
    return sorted(chosen, key=lambda c: c.index)


def storage_order(configs: list[Config]) -> list[Config]:
    """The order models are stacked in: activation, then optimizer, then homework index."""
    return sorted(configs, key=lambda c: (ACTIVATIONS.index(c.activation), OPTIMIZERS.index(c.optimizer), c.index))


def init_seed(seed: int, config: Config) -> int:
    """Per-config seed from the run seed and the config's homework index: subsets reproduce the full sweep."""
    return seed * 1000 + config.index


def initial_module_parameters(seed: int, config: Config, dtype: torch.dtype = torch.float32) -> list[torch.Tensor]:
    """The default nn.Linear initialisation of one model, drawn under its own seed, in nn.Linear's (out, in) layout."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed(seed, config))
        layers = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:])]
    tensors = []
    for layer in layers:
        tensors += [layer.weight.detach().to(dtype), layer.bias.detach().to(dtype)]
    return tensors


def runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """Contiguous runs of equal labels: [(label, start, stop), ...]."""
    out: list[tuple[str, int, int]] = []
    for i, label in enumerate(labels):
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1], i + 1)
        else:
            out.append((label, i, i + 1))
    return out


class ModelStack:
    """Parameters of M models, stacked; configs[m] is model m (in storage order)."""

    def __init__(self, configs: list[Config], params: dict[str, torch.Tensor], pixel_order: torch.Tensor | None = None):
        self.configs = list(configs)
        self.params = params
        # W1's columns follow the data's pixel order (see mnist_split.pixel_order_by_use); None = natural.
        self.pixel_order = pixel_order
        self.w1_grad: torch.Tensor | None = None  # reused buffer; columns past the batch's width stay 0
        self.w1_grad_width = 0
        self.activation_runs = runs([c.activation for c in configs])
        self.optimizer_runs = runs([c.optimizer for c in configs])

    @classmethod
    def initialise(
        cls, configs: list[Config], seed: int, dtype=torch.float32, device="cpu", pixel_order=None
    ) -> ModelStack:
        ordered = storage_order(configs)
        per_model = [initial_module_parameters(seed, c, dtype) for c in ordered]
        if pixel_order is not None:
            per_model = [[p[0][:, pixel_order.cpu()], *p[1:]] for p in per_model]
        W1, b1, W2, b2, W3, b3 = (torch.stack([p[i] for p in per_model]) for i in range(6))
        params = {
            "W1": W1.reshape(-1, LAYER_SIZES[0]),  # (M*100, 784): one GEMM for all first layers
            "b1": b1,  # (M, 100)
            "W2": W2,  # (M, 50, 100)
            "b2": b2,  # (M, 50)
            "W3": W3,  # (M, 10, 50)
            "b3": b3,  # (M, 10)
        }
        return cls(ordered, {k: v.contiguous().to(device) for k, v in params.items()}, pixel_order)

    @property
    def size(self) -> int:
        return len(self.configs)

    def model_view(self, name: str, tensor: torch.Tensor | None = None) -> torch.Tensor:
        """A parameter (or a same-shaped tensor) viewed with the model index first."""
        tensor = self.params[name] if tensor is None else tensor
        return tensor.view(self.size, -1, LAYER_SIZES[0]) if name == "W1" else tensor

    def module_parameters(self, m: int) -> list[torch.Tensor]:
        """Model m's parameters in nn.Linear layout (copies), for checks against nn.Module."""
        tensors = [self.model_view(name)[m].clone() for name in PARAMETER_NAMES]
        if self.pixel_order is not None:
            restored = torch.empty_like(tensors[0])
            restored[:, self.pixel_order] = tensors[0]
            tensors[0] = restored
        return tensors

    def select(self, keep: list[int], *states: dict[str, torch.Tensor]) -> tuple[ModelStack, ...]:
        """A stack (and optimizer states) of only the models at `keep`, order preserved."""
        index = torch.tensor(keep, dtype=torch.long, device=self.params["b1"].device)

        def take(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
            out = {}
            for name, tensor in tensors.items():
                kept = self.model_view(name, tensor).index_select(0, index).contiguous()
                out[name] = kept.reshape(-1, LAYER_SIZES[0]) if name == "W1" else kept
            return out

        stack = ModelStack([self.configs[i] for i in keep], take(self.params), self.pixel_order)
        return (stack, *(take(state) for state in states))


def activate(name: str, z: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """The activation of z, written into `out` when given (saves a torch.cat of the groups).

    Without `out` it is out of place, which autograd (mnist_step.autograd_step) needs.
    """
    if out is None:
        functional = {
            "relu": torch.relu,
            "sigmoid": torch.sigmoid,
            "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, LEAKY_SLOPE),
        }
        if name not in functional:
            raise ValueError(f"unknown activation {name!r}")
        return functional[name](z)
    if name == "relu":
        return torch.clamp_min(z, 0, out=out)
    if name == "leaky_relu":
        return torch.ops.aten.leaky_relu.out(z, LEAKY_SLOPE, out=out)
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
    if name == "relu":
        return torch.ops.aten.threshold_backward.grad_input(upstream, z, 0, grad_input=out)
    if name == "leaky_relu":
        return torch.ops.aten.leaky_relu_backward.grad_input(upstream, z, LEAKY_SLOPE, False, grad_input=out)
    if name == "sigmoid":
        return torch.ops.aten.sigmoid_backward.grad_input(upstream, a, grad_input=out)
    raise ValueError(f"unknown activation {name!r}")


def apply_activation(stack: ModelStack, z: torch.Tensor) -> torch.Tensor:
    """Each model's activation on its slice of z (M, features, batch), written in place of a concatenation."""
    if z.requires_grad:  # autograd cannot record out= kernels
        return torch.cat([activate(name, z[start:stop]) for name, start, stop in stack.activation_runs])
    out = torch.empty_like(z)
    for name, start, stop in stack.activation_runs:
        activate(name, z[start:stop], out[start:stop])
    return out


def apply_activation_grad(stack: ModelStack, z: torch.Tensor, a: torch.Tensor, upstream: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(upstream)
    for name, start, stop in stack.activation_runs:
        activation_grad(name, z[start:stop], a[start:stop], upstream[start:stop], out[start:stop])
    return out
