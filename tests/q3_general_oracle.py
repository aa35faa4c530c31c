"""An independent reference for the general Q3 (per-layer activations, four losses, mini-batches).

Scalar-by-scalar torch autograd in float64, written without any hwsolve code:
every neuron is a 0-d tensor, every parameter a leaf. Each sample gets its
own graph over the shared leaves, so its own loss gives its own gradients and
its own deltas (dL_s/dnet_j, not divided by the batch size); the batch loss is
the mean of the sample losses and the mean gradients come from a separate
backward pass through that mean.

The logs of cross_entropy and bce are taken from the net inputs where the
output activation allows it (log-sigmoid, log-softmax), so the oracle keeps
full float64 accuracy even where an output is close to 0 or 1.

Public API
----------
- ``reference(layers, activations, loss, samples, weights, biases=None)`` -> ``Reference``.
- ``updated(parameters, gradients, lr)``: every parameter after w - lr * dL/dw.
- ``loss_after_step(layers, activations, loss, samples, weights, biases, lr)``.
- ``expand_activations(spec, layers)``: "tanh,softmax" or "sigmoid" -> one name per non-input layer.
- ``weight_names(layers)`` / ``bias_names(layers)``: every parameter name, canonical order.
- ``close(value, expected, tolerance=1e-12)``: absolute for |expected| <= 1, relative above.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

DEFAULT_LEAKY_SLOPE = 0.01  # torch's default negative slope
KINK = 1e-9  # a ReLU / leaky ReLU net input this close to 0 sits on the kink

ELEMENTWISE = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,  # gradient 0 at z = 0
    "identity": lambda z: z,
}

Sample = tuple[Sequence[float], Sequence[float]]


@dataclass(frozen=True)
class Reference:
    loss: float  # mean over the samples
    losses: list[float]  # each sample's own loss
    outputs: list[list[float]]  # per sample
    gradients: dict[str, float]  # of the mean loss
    per_sample_gradients: list[dict[str, float]]  # each of its sample's own loss
    deltas: list[dict[int, float]]  # per sample: neuron -> dL_s/dnet_j
    nets: list[dict[int, float]]  # per sample: neuron -> net input
    kink: bool  # some ReLU / leaky ReLU net input is within KINK of 0


def name(i: int, j: int) -> str:
    return f"w{i}{j}" if i < 10 and j < 10 else f"w{i}_{j}"


def _numbered(layers: Sequence[int]) -> list[list[int]]:
    result, first = [], 1
    for size in layers:
        result.append(list(range(first, first + size)))
        first += size
    return result


def weight_names(layers: Sequence[int]) -> list[str]:
    numbered = _numbered(layers)
    return [name(i, j) for before, after in zip(numbered, numbered[1:]) for j in after for i in before]


def bias_names(layers: Sequence[int]) -> list[str]:
    return [f"b{j}" for layer in _numbered(layers)[1:] for j in layer]


def expand_activations(spec: str | Sequence[str], layers: Sequence[int]) -> list[str]:
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    return names * (len(layers) - 1) if len(names) == 1 else names


def slope_of(activation: str) -> float | None:
    base, _, slope = activation.partition(":")
    if base != "leaky_relu":
        return None
    return float(slope) if slope else DEFAULT_LEAKY_SLOPE


def _scalar(value: float, grad: bool = False) -> torch.Tensor:
    return torch.tensor(float(value), dtype=torch.float64, requires_grad=grad)


def _activate(activation: str, nets: list[torch.Tensor]) -> list[torch.Tensor]:
    if activation == "softmax":  # couples the layer: y_k = exp(O_k) / sum_m exp(O_m)
        return list(torch.softmax(torch.stack(nets), dim=0).unbind())
    slope = slope_of(activation)
    if slope is not None:  # torch's leaky ReLU: gradient `slope` at exactly 0
        return [F.leaky_relu(net, slope) for net in nets]
    return [ELEMENTWISE[activation](net) for net in nets]


def _logs(activation: str, nets: list[torch.Tensor], outputs: list[torch.Tensor]):
    """(log y_k, log(1 - y_k)) per output, from the net inputs where that is exact."""
    if activation == "sigmoid":
        return [F.logsigmoid(net) for net in nets], [F.logsigmoid(-net) for net in nets]
    if activation == "softmax":
        stacked = torch.stack(nets)
        total = torch.logsumexp(stacked, dim=0)
        rest = [torch.logsumexp(torch.cat([stacked[:k], stacked[k + 1 :]]), dim=0) for k in range(len(nets))]
        return list((stacked - total).unbind()), [others - total for others in rest]
    return [torch.log(y) for y in outputs], [torch.log1p(-y) for y in outputs]


def _sample_loss(loss: str, activation: str, nets, outputs, targets: Sequence[float]) -> torch.Tensor:
    targets = [float(t) for t in targets]
    if loss in ("mse", "half_mse"):
        total = sum((t - y) ** 2 for t, y in zip(targets, outputs))
        return total / 2 if loss == "half_mse" else total
    log_y, log_rest = _logs(activation, nets, outputs)
    if loss == "cross_entropy":
        return -sum(t * log for t, log in zip(targets, log_y))
    if loss == "bce":
        return -sum(t * a + (1 - t) * b for t, a, b in zip(targets, log_y, log_rest))
    raise ValueError(f"unknown loss {loss!r}")


def _forward(layers, activations, x, leaves, has_biases):
    """(nets by neuron, output-layer nets, outputs, kink) for one sample."""
    numbered = _numbered(layers)
    previous = [(i, _scalar(value)) for i, value in zip(numbered[0], x)]
    nets: dict[int, torch.Tensor] = {}
    kink = False
    layer_nets: list[torch.Tensor] = []
    for neurons, activation in zip(numbered[1:], activations):
        layer_nets = []
        for j in neurons:
            net = sum(leaves[name(i, j)] * out for i, out in previous)
            if has_biases:
                net = net + leaves[f"b{j}"]
            nets[j] = net
            layer_nets.append(net)
            if activation.partition(":")[0] in ("relu", "leaky_relu") and abs(float(net.detach())) <= KINK:
                kink = True
        previous = list(zip(neurons, _activate(activation, layer_nets)))
    return nets, layer_nets, [out for _, out in previous], kink


def reference(layers, activations, loss, samples: Sequence[Sample], weights, biases=None) -> Reference:
    """The batch's mean loss, per-sample outputs, losses, gradients and deltas, by autograd on scalars."""
    layers = tuple(layers)
    activations = expand_activations(activations, layers)
    values = {**weights, **(biases or {})}
    leaves = {key: _scalar(value, grad=True) for key, value in values.items()}
    keys = list(leaves)
    losses, outputs, per_sample, deltas, nets_out, kink = [], [], [], [], [], False
    for x, y in samples:
        nets, last_nets, outs, sample_kink = _forward(layers, activations, x, leaves, bool(biases))
        kink = kink or sample_kink
        sample_loss = _sample_loss(loss, activations[-1], last_nets, outs, y)
        neurons = list(nets)
        inputs = [leaves[key] for key in keys] + [nets[j] for j in neurons]
        grads = torch.autograd.grad(sample_loss, inputs, retain_graph=True, allow_unused=True)
        as_float = [0.0 if g is None else float(g) for g in grads]
        per_sample.append(dict(zip(keys, as_float[: len(keys)])))
        deltas.append(dict(zip(neurons, as_float[len(keys) :])))
        nets_out.append({j: float(net.detach()) for j, net in nets.items()})
        outputs.append([float(out.detach()) for out in outs])
        losses.append(sample_loss)
    mean = sum(losses) / len(losses)
    mean_grads = torch.autograd.grad(mean, [leaves[key] for key in keys], allow_unused=True)
    gradients = {key: 0.0 if g is None else float(g) for key, g in zip(keys, mean_grads)}
    return Reference(
        loss=float(mean.detach()),
        losses=[float(sample_loss.detach()) for sample_loss in losses],
        outputs=outputs,
        gradients=gradients,
        per_sample_gradients=per_sample,
        deltas=deltas,
        nets=nets_out,
        kink=kink,
    )


def updated(parameters: Mapping[str, float], gradients: Mapping[str, float], lr: float) -> dict[str, float]:
    return {key: value - lr * gradients[key] for key, value in parameters.items()}


def loss_after_step(layers, activations, loss, samples, weights, biases, lr) -> float:
    """The mean loss at the parameters after one step from (weights, biases)."""
    before = reference(layers, activations, loss, samples, weights, biases)
    after = updated({**weights, **(biases or {})}, before.gradients, lr)
    new_weights = {key: value for key, value in after.items() if key.startswith("w")}
    new_biases = {key: value for key, value in after.items() if key.startswith("b")}
    return reference(layers, activations, loss, samples, new_weights, new_biases or None).loss


def close(value: float, expected: float, tolerance: float = 1e-12) -> bool:
    """|value - expected| within tolerance: absolute for |expected| <= 1, relative above."""
    return abs(value - expected) <= tolerance * max(1.0, abs(expected))
