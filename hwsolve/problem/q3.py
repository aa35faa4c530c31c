"""Q3's given values: a small fully connected network and one training example.

Public API
----------
- ``Q3Problem``: frozen dataclass; its defaults are the homework's network
  (layers 2,2,1, sigmoid, loss (y - y5)^2, x = (0.35, 0.9), y = 0.5, lr = 1,
  w13=0.1 w23=0.8 w14=0.4 w24=0.6 w35=0.3 w45=0.9, no biases). Construction
  validates everything and raises ``Q3InputError`` naming the bad option.
  ``activation`` is one name for every non-input layer or one per layer
  ("tanh,softmax"); ``samples`` holds a mini-batch of (x, y) pairs.
- ``layer_activations(spec, layers)``: the canonical activation of every
  non-input layer; ``activation_slope(name)``: a leaky ReLU's slope.
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

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")
ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")  # f(net_j) of one neuron alone
LOSSES = ("mse", "half_mse", "cross_entropy", "bce")
DEFAULT_LEAKY_SLOPE = 0.01  # torch's default negative slope
# cross_entropy and bce take log(y) (and log(1 - y)): the outputs must lie strictly between 0 and 1.
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")
PROBABILITY_LOSSES = ("cross_entropy", "bce")

HOMEWORK_LAYERS = (2, 2, 1)
HOMEWORK_WEIGHTS = (("w13", 0.1), ("w23", 0.8), ("w14", 0.4), ("w24", 0.6), ("w35", 0.3), ("w45", 0.9))

# The derivation goes through one delta per neuron, so its cost grows with the
# edges; 400 parameters is more than anyone sets by hand (4 layers of 10 is 330).
MAX_PARAMETERS = 400
MAX_SAMPLES = 16  # a mini-batch written out by hand
TARGET_TOLERANCE = 1e-9  # cross_entropy targets must sum to 1 within this

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
    if parameters > MAX_PARAMETERS:
        raise Q3InputError(
            f"network {','.join(map(str, layers))} has {parameters} parameters with biases, too many for a "
            f"derivation by hand (at most {MAX_PARAMETERS})",
            "--layers",
        )
    return layers


def activation_slope(name: str) -> float | None:
    """A leaky ReLU's negative slope ('leaky_relu' -> 0.01, 'leaky_relu:0.2' -> 0.2); None for other names."""
    base, _, slope = name.partition(":")
    if base != "leaky_relu":
        return None
    return float(slope) if slope else DEFAULT_LEAKY_SLOPE


def activation_base(name: str) -> str:
    """'leaky_relu:0.2' -> 'leaky_relu'."""
    return name.partition(":")[0]


def _canonical_activation(text: str) -> str:
    """One activation name, lower case; a leaky ReLU keeps its slope unless it is torch's default."""
    base, colon, slope_text = text.strip().lower().partition(":")
    base = base.strip()
    if base not in ACTIVATIONS:
        raise Q3InputError(
            f"unknown activation {text.strip()!r} (choose from {', '.join(ACTIVATIONS)}; leaky_relu:SLOPE sets "
            f"the slope)",
            "--activation",
        )
    if not colon:
        return base
    if base != "leaky_relu":
        raise Q3InputError(f"only leaky_relu takes a parameter (leaky_relu:0.2), got {text.strip()!r}", "--activation")
    try:
        slope = float(slope_text)
    except ValueError:
        raise Q3InputError(f"the leaky ReLU slope {slope_text.strip()!r} is not a number", "--activation") from None
    if not math.isfinite(slope):
        raise Q3InputError(f"the leaky ReLU slope {slope_text.strip()!r} is not finite", "--activation")
    return "leaky_relu" if slope == DEFAULT_LEAKY_SLOPE else f"leaky_relu:{slope!r}"


def layer_activations(spec: str | Iterable[str], layers: tuple[int, ...]) -> tuple[str, ...]:
    """One canonical activation per non-input layer: a single name applies to every layer.

    softmax couples the neurons of a layer, so it is allowed only on the output
    layer, and only with two or more neurons (one softmax output is always 1).
    """
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    count = len(layers) - 1
    canonical = [_canonical_activation(name) for name in names]
    if len(canonical) == 1:
        canonical = canonical * count
    if len(canonical) != count:
        raise Q3InputError(
            f"give one activation for every layer after the inputs ({count} for layers "
            f"{','.join(map(str, layers))}) or a single one for all, got {len(canonical)}",
            "--activation",
        )
    for depth, name in enumerate(canonical[:-1], start=2):
        if name == "softmax":
            raise Q3InputError(
                f"softmax couples a layer's neurons and is allowed only on the output layer (layer {depth} is hidden)",
                "--activation",
            )
    if canonical[-1] == "softmax" and layers[-1] < 2:
        raise Q3InputError("softmax needs at least 2 output neurons (one softmax output is always 1)", "--activation")
    return tuple(canonical)


def _check_targets(loss: str, output_activation: str, targets: tuple[float, ...], sample: str) -> None:
    """cross_entropy and bce need outputs in (0, 1) and targets they can take a log against."""
    if loss not in PROBABILITY_LOSSES:
        return
    if output_activation not in PROBABILITY_OUTPUTS:
        raise Q3InputError(
            f"{loss} takes log(y) and needs outputs strictly between 0 and 1, which "
            f"{activation_base(output_activation)} can leave; use a sigmoid or softmax output layer",
            "--activation",
        )
    if any(not 0.0 <= t <= 1.0 for t in targets):
        raise Q3InputError(f"{loss} targets must lie in [0, 1], got {_listed(targets)}{sample}", "--y")
    if loss == "cross_entropy" and abs(math.fsum(targets) - 1.0) > TARGET_TOLERANCE:
        raise Q3InputError(
            f"cross_entropy targets must be a distribution (one-hot or probabilities summing to 1), got "
            f"{_listed(targets)} summing to {math.fsum(targets)!r}{sample}",
            "--y",
        )


def _listed(values: Iterable[float]) -> str:
    return ",".join(repr(value) for value in values)


Sample = tuple[tuple[float, ...], tuple[float, ...]]  # (x, y) of one training example


def _check_samples(samples: Iterable[Sample], layers: tuple[int, ...]) -> tuple[Sample, ...]:
    """Finite values, one input per input neuron and one target per output neuron in every sample."""
    checked = []
    samples = tuple(samples)
    many = len(samples) > 1
    for index, (x_values, y_values) in enumerate(samples, start=1):
        where = f" in sample {index}" if many else ""
        x = _check_finite(x_values, "--x")
        y = _check_finite(y_values, "--y")
        if len(x) != layers[0]:
            raise Q3InputError(
                f"expected {layers[0]} input values (the first layer's size), got {len(x)}{where}", "--x"
            )
        if len(y) != layers[-1]:
            raise Q3InputError(
                f"expected {layers[-1]} target values (the last layer's size), got {len(y)}{where}", "--y"
            )
        checked.append((x, y))
    if not checked:
        raise Q3InputError("need at least one sample", "--x")
    if len(checked) > MAX_SAMPLES:
        raise Q3InputError(f"at most {MAX_SAMPLES} samples in a mini-batch written out by hand", "--x")
    return tuple(checked)


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
    samples: tuple[Sample, ...] = field(default=())  # a mini-batch; () means the one sample (x, y)

    def __post_init__(self) -> None:
        layers = check_layers(self.layers)
        object.__setattr__(self, "layers", layers)
        activations = layer_activations(self.activation, layers)
        # One name for every layer is stored as that name, as before; per-layer names comma-joined.
        object.__setattr__(self, "activation", activations[0] if len(set(activations)) == 1 else ",".join(activations))
        if self.loss not in LOSSES:
            raise Q3InputError(f"unknown loss {self.loss!r} (choose from {', '.join(LOSSES)})", "--loss")
        samples = _check_samples(self.samples or ((self.x, self.y),), layers)
        many = len(samples) > 1
        for index, (_, y) in enumerate(samples, start=1):
            _check_targets(self.loss, activations[-1], y, f" in sample {index}" if many else "")
        object.__setattr__(self, "samples", samples)
        object.__setattr__(self, "x", samples[0][0])  # x and y are the first sample
        object.__setattr__(self, "y", samples[0][1])
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

    def json_fields(self) -> dict[str, object]:
        """The fields, then each layer's activation and the samples as {"x": ..., "y": ...} (hwsolve.io)."""
        fields = {name: getattr(self, name) for name in ("layers", "activation", "loss", "x", "y", "lr")}
        fields.update(weights=self.weights, biases=self.biases, activations=self.activations)
        fields["samples"] = [{"x": x, "y": y} for x, y in self.samples]
        return fields

    @property
    def activations(self) -> tuple[str, ...]:
        """The canonical activation of every non-input layer."""
        return layer_activations(self.activation, self.layers)

    @property
    def batch_size(self) -> int:
        return len(self.samples)

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
