"""Independent recomputation of Q3's forward pass and gradients with torch autograd.

Nothing here shares code with the SymPy derivation: the network is rebuilt
from the neuron numbering as float64 weight matrices, the loss is torch's,
and autograd differentiates it.

Public API
----------
- ``autograd_gradients(problem)`` -> ``AutogradResult`` (loss, outputs,
  gradients by parameter name, and the deltas dL/dnet_j by neuron, read from
  each net input's retained gradient), all float64.
- ``compare_with_autograd(loss, outputs, gradients, reference, tolerance,
  deltas=None)`` -> the largest absolute difference; raises
  ``VerificationError`` when a difference exceeds the tolerance (1e-10 by
  default) times max(1, |value|): absolute for values up to 1, relative
  above, since float64 keeps the same ~16 digits at any size. With
  ``deltas`` the deltas are compared too.
- ``compare_loss(loss, reference_loss, what, tolerance)``: one loss, e.g.
  the loss after the step at the updated weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import torch

from hwsolve.errors import VerificationError
from hwsolve.problem.q3 import Q3Problem, bias_name, neuron_layers, weight_name

TOLERANCE = 1e-10


def _identity(z: torch.Tensor) -> torch.Tensor:
    return z


# Keyed by problem.q3.ACTIVATIONS, the one list of names (a test checks it covers exactly those).
TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,  # its gradient at 0 is 0, as in the SymPy derivation
    "identity": _identity,
}


@dataclass(frozen=True)
class AutogradResult:
    loss: float
    outputs: tuple[float, ...]
    gradients: dict[str, float]
    deltas: dict[int, float] = field(default_factory=dict)  # neuron j -> dL/dnet_j


def _leaf(values: list[float] | list[list[float]]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def _gradient_of(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.grad is None:
        raise VerificationError("torch autograd left no gradient on a parameter or net input it should have reached")
    return tensor.grad


def autograd_gradients(problem: Q3Problem) -> AutogradResult:
    """Forward pass, loss and d loss / d parameter for the problem, by autograd."""
    numbered = neuron_layers(problem.layers)
    connections = tuple(zip(numbered, numbered[1:]))  # (previous layer, current layer)
    weights, biases = problem.weight_map, problem.bias_map
    act = TORCH_ACTIVATIONS[problem.activation]

    # Layer l's matrix has W[a, b] = w_{i j} for i = previous[a], j = current[b].
    matrices = [
        _leaf([[weights[weight_name(i, j)] for j in current] for i in previous]) for previous, current in connections
    ]
    vectors = (
        [_leaf([biases[bias_name(j)] for j in current]) for _, current in connections] if problem.has_biases else []
    )

    activation = torch.tensor(problem.x, dtype=torch.float64)
    nets = []
    for index, matrix in enumerate(matrices):
        net = activation @ matrix
        if vectors:
            net = net + vectors[index]
        net.retain_grad()  # its gradient is the layer's deltas, dL/dnet_j
        nets.append(net)
        activation = act(net)
    target = torch.tensor(problem.y, dtype=torch.float64)
    loss = torch.sum((target - activation) ** 2)
    if problem.loss == "half_mse":
        loss = 0.5 * loss
    torch.autograd.backward(loss)

    gradients: dict[str, float] = {}
    for matrix, (previous, current) in zip(matrices, connections):
        matrix_gradient = _gradient_of(matrix)
        for a, i in enumerate(previous):
            for b, j in enumerate(current):
                gradients[weight_name(i, j)] = float(matrix_gradient[a, b])
    for vector, (_, current) in zip(vectors, connections):
        vector_gradient = _gradient_of(vector)
        for b, j in enumerate(current):
            gradients[bias_name(j)] = float(vector_gradient[b])
    ordered = {name: gradients[name] for name in problem.parameters}
    deltas = {
        j: float(_gradient_of(net)[b]) for net, (_, current) in zip(nets, connections) for b, j in enumerate(current)
    }
    return AutogradResult(float(loss.detach()), tuple(float(v) for v in activation.detach()), ordered, deltas)


def compare_with_autograd(
    loss: float,
    outputs: Sequence[float],
    gradients: Mapping[str, float],
    reference: AutogradResult,
    tolerance: float = TOLERANCE,
    deltas: Mapping[int, float] | None = None,
) -> float:
    """Largest |symbolic - autograd| over loss, outputs, gradients (and deltas, when given).

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
    if deltas is not None:
        if set(deltas) != set(reference.deltas):
            raise VerificationError(
                f"neurons with a delta differ: {sorted(deltas)} vs autograd {sorted(reference.deltas)}"
            )
        for neuron, value in deltas.items():
            pairs[f"delta{neuron} = dL/dnet{neuron}"] = (value, reference.deltas[neuron])
    return _largest_within(pairs, tolerance)


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
