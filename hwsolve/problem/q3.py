"""Q3's given values: a small fully connected network and one training example.

Public API
----------
- ``Q3Problem``: frozen dataclass; its defaults are the homework's network
  (layers 2,2,1, sigmoid, loss (y - y5)^2, x = (0.35, 0.9), y = 0.5, lr = 1,
  w13=0.1 w23=0.8 w14=0.4 w24=0.6 w35=0.3 w45=0.9, no biases). Construction
  validates everything and raises ``Q3InputError`` naming the bad option.
- ``weight_name(i, j)`` / ``bias_name(j)``: canonical parameter names.
- ``parse_weight_name(text)`` / ``parse_bias_name(text)``: name -> indices.
- ``neuron_layers(layers)``: neuron numbers of each layer, 1..N, inputs first.
- ``weight_pairs(layers)``: every (i, j) edge in canonical order (by target
  neuron j, then source neuron i, as the homework lists w13, w23, w14, ...).

Naming: neurons are numbered 1..N layer by layer, inputs first. ``w{i}{j}``
joins neuron i to neuron j; when i or j is 10 or more the name is
``w{i}_{j}``, and ``w{i}_{j}`` is always accepted. Bias ``b{j}`` (or
``b_{j}``) is added to neuron j's net input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
LOSSES = ("mse", "half_mse")

HOMEWORK_LAYERS = (2, 2, 1)
HOMEWORK_WEIGHTS = (("w13", 0.1), ("w23", 0.8), ("w14", 0.4), ("w24", 0.6), ("w35", 0.3), ("w45", 0.9))

# A hand derivation lists every chain-rule path for every weight; beyond these
# sizes the write-up is unreadable and SymPy slow, so we refuse up front.
MAX_PARAMETERS = 200
MAX_PATHS_PER_WEIGHT = 256

_WEIGHT_PATTERN = re.compile(r"^w(?:(\d)(\d)|(\d+)_(\d+))$")
_BIAS_PATTERN = re.compile(r"^b_?(\d+)$")


_NAME_HINTS = {
    "weight": "write w{i}{j} for the weight from neuron i to neuron j, or w{i}_{j} when an index is 10 or more",
    "bias": "write b{j} for the bias of neuron j",
}


class Q3InputError(ValueError):
    """An invalid given value; ``option`` names the CLI option it came from."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


def neuron_layers(layers: Iterable[int]) -> tuple[tuple[int, ...], ...]:
    """(2, 2, 1) -> ((1, 2), (3, 4), (5,)): neuron numbers per layer."""
    result, first = [], 1
    for size in layers:
        result.append(tuple(range(first, first + size)))
        first += size
    return tuple(result)


def weight_pairs(layers: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Every edge (i, j) between consecutive layers, grouped by target j."""
    numbered = neuron_layers(layers)
    return tuple((i, j) for previous, current in zip(numbered, numbered[1:]) for j in current for i in previous)


def weight_name(i: int, j: int) -> str:
    return f"w{i}{j}" if i < 10 and j < 10 else f"w{i}_{j}"


def bias_name(j: int) -> str:
    return f"b{j}"


def parse_weight_name(text: str) -> tuple[int, int] | None:
    """'w13' -> (1, 3), 'w1_12' -> (1, 12); None when it is not a weight name."""
    match = _WEIGHT_PATTERN.match(text.strip())
    if not match:
        return None
    digits = [group for group in match.groups() if group is not None]
    return int(digits[0]), int(digits[1])


def parse_bias_name(text: str) -> int | None:
    match = _BIAS_PATTERN.match(text.strip())
    return int(match.group(1)) if match else None


def _check_finite(values: Iterable[float], option: str) -> tuple[float, ...]:
    checked = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Q3InputError(f"{value!r} is not a number", option)
        if not math.isfinite(value):
            raise Q3InputError(f"{value!r} is not finite", option)
        checked.append(float(value))
    return tuple(checked)


def _canonical_parameters(
    given: Iterable[tuple[str, float]] | Mapping[str, float],
    expected: dict[tuple[int, ...], str],
    parse: Callable[[str], tuple[int, int] | int | None],
    option: str,
    kind: str,
) -> tuple[tuple[str, float], ...]:
    """Map user names onto canonical ones; reject unknown, duplicate, missing."""
    items = given.items() if isinstance(given, Mapping) else given
    plural = kind + ("es" if kind.endswith("s") else "s")
    by_key: dict[tuple[int, ...], float] = {}
    for raw_name, value in items:
        parsed = parse(raw_name)
        if parsed is None:
            raise Q3InputError(f"{raw_name!r} is not a {kind} name ({_NAME_HINTS[kind]})", option)
        key = parsed if isinstance(parsed, tuple) else (parsed,)
        if key not in expected:
            raise Q3InputError(f"unknown {kind} {raw_name!r}: the network has no such connection", option)
        if key in by_key:
            raise Q3InputError(f"duplicate {kind} {expected[key]!r}", option)
        by_key[key] = _check_finite([value], option)[0]
    missing = [name for key, name in expected.items() if key not in by_key]
    if missing:
        raise Q3InputError(f"missing {plural}: {', '.join(missing)} (every {kind} of the network is required)", option)
    return tuple((name, by_key[key]) for key, name in expected.items())


def check_layers(layers: Iterable[int]) -> tuple[int, ...]:
    """Positive integer sizes, at least two layers, small enough to write out by hand."""
    layers = tuple(layers)
    if len(layers) < 2:
        raise Q3InputError("need at least an input and an output layer, e.g. 2,2,1", "--layers")
    for size in layers:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise Q3InputError(f"layer sizes must be positive integers, got {size!r}", "--layers")
    parameters = sum(a * b + b for a, b in zip(layers, layers[1:]))
    paths = math.prod(layers[2:]) if len(layers) > 2 else 1
    if parameters > MAX_PARAMETERS or paths > MAX_PATHS_PER_WEIGHT:
        raise Q3InputError(
            f"network {','.join(map(str, layers))} is too large for a derivation by hand "
            f"(at most {MAX_PARAMETERS} parameters and {MAX_PATHS_PER_WEIGHT} chain-rule paths per weight)",
            "--layers",
        )
    return layers


@dataclass(frozen=True)
class Q3Problem:
    """One gradient-descent step on a fully connected network (all given values).

    ``weights`` and ``biases`` are stored canonically as ((name, value), ...)
    in ``weight_pairs`` order, so the dataclass stays frozen and hashable;
    use ``weight_map``/``bias_map`` for dicts. ``biases=()`` means no biases
    (the homework); otherwise every non-input neuron needs one.
    """

    layers: tuple[int, ...] = HOMEWORK_LAYERS
    activation: str = "sigmoid"
    loss: str = "mse"
    x: tuple[float, ...] = (0.35, 0.9)
    y: tuple[float, ...] = (0.5,)
    lr: float = 1.0
    weights: tuple[tuple[str, float], ...] = HOMEWORK_WEIGHTS
    biases: tuple[tuple[str, float], ...] = field(default=())

    def __post_init__(self) -> None:
        layers = check_layers(self.layers)
        object.__setattr__(self, "layers", layers)
        if self.activation not in ACTIVATIONS:
            raise Q3InputError(
                f"unknown activation {self.activation!r} (choose from {', '.join(ACTIVATIONS)})", "--activation"
            )
        if self.loss not in LOSSES:
            raise Q3InputError(f"unknown loss {self.loss!r} (choose from {', '.join(LOSSES)})", "--loss")
        x = _check_finite(self.x, "--x")
        y = _check_finite(self.y, "--y")
        if len(x) != layers[0]:
            raise Q3InputError(f"expected {layers[0]} input values (the first layer's size), got {len(x)}", "--x")
        if len(y) != layers[-1]:
            raise Q3InputError(f"expected {layers[-1]} target values (the last layer's size), got {len(y)}", "--y")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        lr = _check_finite([self.lr], "--lr")[0]
        if lr <= 0:
            raise Q3InputError(f"the learning rate must be positive, got {lr!r}", "--lr")
        object.__setattr__(self, "lr", lr)
        expected_weights: dict[tuple[int, ...], str] = {pair: weight_name(*pair) for pair in weight_pairs(layers)}
        object.__setattr__(
            self,
            "weights",
            _canonical_parameters(self.weights, expected_weights, parse_weight_name, "--weights", "weight"),
        )
        if self.biases:
            expected_biases: dict[tuple[int, ...], str] = {
                (j,): bias_name(j) for layer in neuron_layers(layers)[1:] for j in layer
            }
            object.__setattr__(
                self, "biases", _canonical_parameters(self.biases, expected_biases, parse_bias_name, "--biases", "bias")
            )
        else:
            object.__setattr__(self, "biases", ())

    @property
    def weight_map(self) -> dict[str, float]:
        return dict(self.weights)

    @property
    def bias_map(self) -> dict[str, float]:
        return dict(self.biases)

    @property
    def has_biases(self) -> bool:
        return bool(self.biases)

    @property
    def parameters(self) -> dict[str, float]:
        """Every trainable parameter, weights first, in canonical order."""
        return {**self.weight_map, **self.bias_map}
