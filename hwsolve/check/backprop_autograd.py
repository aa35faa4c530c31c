"""Independent recomputation of Q3's forward pass and gradients with torch autograd.

Nothing here shares code with the SymPy derivation: the network is rebuilt
from the neuron numbering as float64 weight matrices, a mini-batch as one
matrix of samples, the loss is written in torch, and autograd
differentiates it: the mean loss for the gradients, and each sample's own
loss for that sample's gradients and deltas.

Public API
----------
- ``autograd_gradients(problem)`` -> ``AutogradResult`` (the mean loss,
  the first sample's outputs and deltas, the mean gradients by parameter
  name, and per sample the outputs, the gradients and the deltas dL_s/dnet_j
  of that sample's own loss), all float64.
- ``compare_with_autograd(loss, outputs, gradients, reference, tolerance,
  per_sample=None)`` -> the largest absolute difference; raises
  ``VerificationError`` when a difference exceeds the tolerance (1e-10 by
  default) times max(1, |value|): absolute for values up to 1, relative
  above, since float64 keeps the same ~16 digits at any size. With
  ``per_sample`` each sample's outputs, gradients and deltas are compared too.
- ``compare_loss(loss, reference_loss, what, tolerance)``: one loss, e.g.
  the loss after the step at the updated weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import torch

from hwsolve.errors import VerificationError
from hwsolve.problem.q3 import Q3Problem, activation_base, activation_slope, bias_name, neuron_layers, weight_name

TOLERANCE = 1e-10


def _identity(z: torch.Tensor) -> torch.Tensor:
    return z


def _softmax(z: torch.Tensor) -> torch.Tensor:
    return torch.softmax(z, dim=-1)  # over a layer's neurons, one row per sample


# Keyed by problem.q3.ACTIVATIONS, the one list of names (a test checks it covers exactly those).
# Each maps a (samples x neurons) net input to the layer's outputs.
TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,  # its gradient at 0 is 0, as in the SymPy derivation
    "leaky_relu": torch.nn.functional.leaky_relu,  # torch's slope 0.01; its gradient at 0 is the slope
    "identity": _identity,
    "softmax": _softmax,
}


def _torch_activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    slope = activation_slope(name)
    if slope is not None:
        return lambda z: torch.nn.functional.leaky_relu(z, negative_slope=slope)
    return TORCH_ACTIVATIONS[activation_base(name)]


def _log_outputs(activation: str, nets: torch.Tensor, outputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """log y and log(1 - y) of the output layer, from its net inputs where the activation allows it.

    A saturated output (sigmoid(40) is 1.0 in float64) would make log(1 - y)
    -inf and 0 * -inf nan; logsigmoid and log_softmax stay finite, as the
    30-digit SymPy evaluation does.
    """
    if activation == "sigmoid":
        return torch.nn.functional.logsigmoid(nets), torch.nn.functional.logsigmoid(-nets)
    if activation == "softmax":
        log_y = torch.log_softmax(nets, dim=-1)
        return log_y, torch.log1p(-outputs)
    return torch.log(outputs), torch.log1p(-outputs)  # the problem allows no other output for these losses


def sample_losses(
    loss: str, activation: str, nets: torch.Tensor, outputs: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """Each sample's loss (one row per sample), written out rather than torch's (whose bce clamps log at -100).

    ``nets`` and ``outputs`` are the output layer's net inputs and outputs, ``activation`` its activation.
    """
    if loss in ("cross_entropy", "bce"):
        log_y, log_one_minus_y = _log_outputs(activation, nets, outputs)
        if loss == "cross_entropy":
            return -torch.sum(targets * log_y, dim=-1)
        # xlogy-style: a target of exactly 0 or 1 contributes 0 even where its log is -inf.
        inside = torch.where(targets > 0, targets * log_y, 0.0)
        outside = torch.where(targets < 1, (1 - targets) * log_one_minus_y, 0.0)
        return -torch.sum(inside + outside, dim=-1)
    squared = torch.sum((targets - outputs) ** 2, dim=-1)
    return 0.5 * squared if loss == "half_mse" else squared


@dataclass(frozen=True)
class AutogradResult:
    loss: float  # the mean over the samples
    outputs: tuple[float, ...]  # the first sample's
    gradients: dict[str, float]  # of the mean loss
    deltas: dict[int, float] = field(default_factory=dict)  # neuron j -> dL/dnet_j, the first sample's
    outputs_per_sample: tuple[tuple[float, ...], ...] = ()
    gradients_per_sample: tuple[dict[str, float], ...] = ()  # each of that sample's own loss
    deltas_per_sample: tuple[dict[int, float], ...] = ()  # each of that sample's own loss


def _leaf(values: list[float] | list[list[float]]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def _gradient_of(gradient: torch.Tensor | None) -> torch.Tensor:
    if gradient is None:
        raise VerificationError("torch autograd left no gradient on a parameter or net input it should have reached")
    return gradient


class _Network:
    """The problem's parameters as float64 leaves: one weight matrix (and bias vector) per layer."""

    def __init__(self, problem: Q3Problem):
        numbered = neuron_layers(problem.layers)
        self.connections = tuple(zip(numbered, numbered[1:]))  # (previous layer, current layer)
        weights, biases = problem.weight_map, problem.bias_map
        # Layer l's matrix has W[a, b] = w_{i j} for i = previous[a], j = current[b].
        self.matrices = [
            _leaf([[weights[weight_name(i, j)] for j in current] for i in previous])
            for previous, current in self.connections
        ]
        self.vectors = (
            [_leaf([biases[bias_name(j)] for j in current]) for _, current in self.connections]
            if problem.has_biases
            else []
        )
        self.activations = [_torch_activation(name) for name in problem.activations]

    @property
    def leaves(self) -> list[torch.Tensor]:
        return [*self.matrices, *self.vectors]

    def forward(self, inputs: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The outputs and every layer's net input (samples x neurons), the net inputs kept for their deltas."""
        nets, activation = [], inputs
        for index, matrix in enumerate(self.matrices):
            net = activation @ matrix
            if self.vectors:
                net = net + self.vectors[index]
            nets.append(net)
            activation = self.activations[index](net)
        return activation, nets

    def named(self, leaf_gradients: list[torch.Tensor]) -> dict[str, float]:
        """Gradients of the leaves, by parameter name."""
        gradients: dict[str, float] = {}
        for matrix_gradient, (previous, current) in zip(leaf_gradients, self.connections):
            for a, i in enumerate(previous):
                for b, j in enumerate(current):
                    gradients[weight_name(i, j)] = float(matrix_gradient[a, b])
        for vector_gradient, (_, current) in zip(leaf_gradients[len(self.matrices) :], self.connections):
            for b, j in enumerate(current):
                gradients[bias_name(j)] = float(vector_gradient[b])
        return gradients


def autograd_gradients(problem: Q3Problem) -> AutogradResult:
    """Forward pass, loss and d loss / d parameter for the problem, by autograd (mean loss over the samples)."""
    network = _Network(problem)
    inputs = torch.tensor([x for x, _ in problem.samples], dtype=torch.float64)
    targets = torch.tensor([y for _, y in problem.samples], dtype=torch.float64)
    outputs, nets = network.forward(inputs)
    losses = sample_losses(problem.loss, activation_base(problem.activations[-1]), nets[-1], outputs, targets)
    order = list(problem.parameters)
    per_sample, deltas = [], []
    for s in range(len(problem.samples)):  # each sample's own loss: its gradients and its deltas
        found = [
            _gradient_of(g)
            for g in torch.autograd.grad(losses[s], [*network.leaves, *nets], retain_graph=True, allow_unused=True)
        ]
        named = network.named(found[: len(network.leaves)])
        per_sample.append({name: named[name] for name in order})
        layer_gradients = found[len(network.leaves) :]
        deltas.append(
            {
                j: float(g[s, b])
                for g, (_, current) in zip(layer_gradients, network.connections)
                for b, j in enumerate(current)
            }
        )
    loss = losses.mean()
    mean = network.named([_gradient_of(g) for g in torch.autograd.grad(loss, network.leaves, allow_unused=True)])
    rows = tuple(tuple(float(v) for v in row) for row in outputs.detach())
    return AutogradResult(
        loss=float(loss.detach()),
        outputs=rows[0],
        gradients={name: mean[name] for name in order},
        deltas=deltas[0],
        outputs_per_sample=rows,
        gradients_per_sample=tuple(per_sample),
        deltas_per_sample=tuple(deltas),
    )


@dataclass(frozen=True)
class PerSample:
    """Per-sample numbers of a mini-batch to compare with autograd's (each of that sample's own loss)."""

    outputs: Sequence[Sequence[float]]
    gradients: Sequence[Mapping[str, float]]
    deltas: Sequence[Mapping[int, float]]


def compare_with_autograd(
    loss: float,
    outputs: Sequence[float],
    gradients: Mapping[str, float],
    reference: AutogradResult,
    tolerance: float = TOLERANCE,
    per_sample: PerSample | None = None,
) -> float:
    """Largest |symbolic - autograd| over loss, outputs, gradients (and each sample's numbers, when given).

    Raises VerificationError naming the worst quantity when it exceeds
    ``tolerance``: a disagreement is an error, never a warning.
    """
    if set(gradients) != set(reference.gradients):
        raise VerificationError(f"parameter sets differ: {sorted(gradients)} vs autograd {sorted(reference.gradients)}")
    pairs = {"loss": (loss, reference.loss)}
    for index, (ours, theirs) in enumerate(zip(outputs, reference.outputs)):
        pairs[f"output {index + 1}"] = (ours, theirs)
    for name, value in gradients.items():
        pairs[f"dL/d{name}"] = (value, reference.gradients[name])
    if per_sample is not None:
        pairs.update(_per_sample_pairs(per_sample, reference))
    return _largest_within(pairs, tolerance)


def _delta_pairs(ours: Mapping[int, float], theirs: Mapping[int, float], where: str) -> dict[str, tuple[float, float]]:
    if set(ours) != set(theirs):
        raise VerificationError(f"neurons with a delta differ: {sorted(ours)} vs autograd {sorted(theirs)}")
    return {f"delta{neuron} = dL/dnet{neuron}{where}": (value, theirs[neuron]) for neuron, value in ours.items()}


def _per_sample_pairs(ours: PerSample, reference: AutogradResult) -> dict[str, tuple[float, float]]:
    if len(ours.outputs) != len(reference.outputs_per_sample):
        raise VerificationError(f"{len(ours.outputs)} samples vs autograd's {len(reference.outputs_per_sample)}")
    pairs: dict[str, tuple[float, float]] = {}
    samples = zip(
        ours.outputs,
        ours.gradients,
        ours.deltas,
        reference.outputs_per_sample,
        reference.gradients_per_sample,
        reference.deltas_per_sample,
    )
    for index, (outputs, gradients, deltas, their_outputs, their_gradients, their_deltas) in enumerate(samples, 1):
        where = f" in sample {index}"
        pairs.update({f"output {k + 1}{where}": pair for k, pair in enumerate(zip(outputs, their_outputs))})
        pairs.update({f"dL/d{name}{where}": (value, their_gradients[name]) for name, value in gradients.items()})
        pairs.update(_delta_pairs(deltas, their_deltas, where))
    return pairs


def compare_loss(loss: float, reference_loss: float, what: str, tolerance: float = TOLERANCE) -> float:
    """|loss - reference_loss|; raises VerificationError naming `what` above the tolerance (scaled as above)."""
    return _largest_within({what: (loss, reference_loss)}, tolerance)


def _scaled_difference(pair: tuple[float, float]) -> float:
    ours, theirs = pair
    difference = abs(ours - theirs) / max(1.0, abs(ours), abs(theirs))
    return difference if difference == difference else float("inf")  # NaN counts as the worst


def _largest_within(pairs: dict[str, tuple[float, float]], tolerance: float) -> float:
    """The largest absolute difference; each must be within tolerance * max(1, |value|)."""
    worst = max(pairs, key=lambda key: _scaled_difference(pairs[key]))
    if not _scaled_difference(pairs[worst]) <= tolerance:
        difference = abs(pairs[worst][0] - pairs[worst][1])
        raise VerificationError(
            f"symbolic and autograd values disagree: {worst} differs by {difference:.3g} "
            f"(tolerance {tolerance:g}, relative for values above 1)"
        )
    return max(abs(ours - theirs) for ours, theirs in pairs.values())


@dataclass(frozen=True)
class BatchAutograd:
    """torch autograd's numbers for many networks of one shape, one sample each: row v is network v."""

    loss: torch.Tensor  # (networks,)
    outputs: torch.Tensor  # (networks, outputs)
    gradients: dict[str, torch.Tensor]  # parameter -> (networks,)
    deltas: dict[int, torch.Tensor]  # neuron -> (networks,), dL/dnet_j
    nets: dict[int, torch.Tensor] = field(default_factory=dict)  # every non-input neuron -> its net input
    activations: dict[int, torch.Tensor] = field(default_factory=dict)  # every non-input neuron -> its output


def autograd_batch(
    layers: tuple[int, ...],
    activations: tuple[str, ...],
    loss: str,
    x: Sequence[Sequence[float]],
    y: Sequence[Sequence[float]],
    parameters: Mapping[str, Sequence[float]],
) -> BatchAutograd:
    """Every network's loss, outputs, gradients and deltas by autograd, in one graph of stacked weights.

    Network v's weights are row v of a (networks, previous, current) tensor, so
    the sum of the networks' losses differentiates into each network's own
    gradients: no network's loss depends on another's weights.
    """
    numbered = neuron_layers(layers)
    connections = tuple(zip(numbered, numbered[1:]))
    matrices = [
        torch.tensor([[parameters[weight_name(i, j)] for j in current] for i in previous], dtype=torch.float64)
        .permute(2, 0, 1)
        .contiguous()
        .requires_grad_(True)
        for previous, current in connections
    ]
    functions = [_torch_activation(name) for name in activations]
    activation = torch.tensor(x, dtype=torch.float64)
    nets, outputs = [], []
    for matrix, function in zip(matrices, functions):
        net = torch.einsum("vi,vij->vj", activation, matrix)
        net.retain_grad()  # its gradient is the layer's deltas
        nets.append(net)
        activation = function(net)
        outputs.append(activation)
    targets = torch.tensor(y, dtype=torch.float64)
    losses = sample_losses(loss, activation_base(activations[-1]), nets[-1], activation, targets)
    torch.autograd.backward(losses.sum())
    gradients = {
        weight_name(i, j): _gradient_of(matrix.grad)[:, a, b]
        for matrix, (previous, current) in zip(matrices, connections)
        for a, i in enumerate(previous)
        for b, j in enumerate(current)
    }
    deltas = {
        j: _gradient_of(net.grad)[:, b] for net, (_, current) in zip(nets, connections) for b, j in enumerate(current)
    }
    by_neuron = [(j, b, index) for index, (_, current) in enumerate(connections) for b, j in enumerate(current)]
    return BatchAutograd(
        losses.detach(),
        activation.detach(),
        gradients,
        deltas,
        nets={j: nets[index].detach()[:, b] for j, b, index in by_neuron},
        activations={j: outputs[index].detach()[:, b] for j, b, index in by_neuron},
    )
