"""`hwsolve q3` generalised: per-layer activations, four losses, mini-batches; JSON against an independent oracle.

The oracle (tests/q3_general_oracle.py) is scalar torch autograd in float64
with no hwsolve code; it is itself checked against central finite
differences and against the older single-sample reference (q3_reference.py)
first. Every CLI number is compared with it to 1e-12 (absolute for values up
to 1, relative above).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner
from q3_general_oracle import (
    bias_names,
    close,
    expand_activations,
    loss_after_step,
    reference,
    slope_of,
    updated,
    weight_names,
)
from q3_reference import reference as single_sample_reference
from q3_reference import reference_deltas as single_sample_deltas

from hwsolve.cli import cli

HOMEWORK_WEIGHTS = {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}


@dataclass(frozen=True)
class Case:
    id: str
    layers: tuple[int, ...]
    activation: str  # as given to --activation: one name, or one per non-input layer
    loss: str
    samples: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]
    weights: dict[str, float]
    biases: dict[str, float] = field(default_factory=dict)
    lr: float = 0.5

    def args(self, fmt: str = "json") -> list[str]:
        args = ["--format", fmt, "--layers", ",".join(map(str, self.layers))]
        args += ["--activation", self.activation, "--loss", self.loss, "--lr", repr(self.lr)]
        args += ["--x", ";".join(",".join(map(repr, x)) for x, _ in self.samples)]
        args += ["--y", ";".join(",".join(map(repr, y)) for _, y in self.samples)]
        args += ["--weights", as_option(self.weights)]
        return args + (["--biases", as_option(self.biases)] if self.biases else [])

    def oracle(self):
        return reference(self.layers, self.activation, self.loss, self.samples, self.weights, self.biases or None)

    def loss_after_step(self) -> float:
        return loss_after_step(
            self.layers, self.activation, self.loss, self.samples, self.weights, self.biases or None, self.lr
        )


def as_option(values: dict[str, float]) -> str:
    return ",".join(f"{name}={value!r}" for name, value in values.items())


def hand_set(rng: random.Random) -> float:
    """A value as a person would set it: three decimals, 0.05 <= |v| <= 1."""
    while True:
        value = round(rng.uniform(-1.0, 1.0), 3)
        if abs(value) >= 0.05:
            return value


def six_wide() -> Case:
    rng = random.Random(2024)
    layers = (6, 6, 6, 6)
    return Case(
        "6,6,6,6-tanh,tanh,softmax-ce-probabilities",
        layers,
        "tanh,tanh,softmax",
        "cross_entropy",
        ((tuple(hand_set(rng) for _ in range(6)), (0.1, 0.2, 0.3, 0.15, 0.15, 0.1)),),
        {name: hand_set(rng) for name in weight_names(layers)},
        {name: hand_set(rng) for name in bias_names(layers)},
        lr=0.1,
    )


SOFTMAX_CE = Case(
    "2,3,2-sigmoid,softmax-ce-onehot",
    (2, 3, 2),
    "sigmoid,softmax",
    "cross_entropy",
    (((0.35, 0.9), (1.0, 0.0)),),
    {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w15": -0.3, "w25": 0.5}
    | {"w36": 0.3, "w46": 0.9, "w56": -0.2, "w37": -0.6, "w47": 0.25, "w57": 0.7},
    {"b3": 0.1, "b4": -0.2, "b5": 0.15, "b6": 0.35, "b7": -0.35},
)
SIGMOID_BCE = Case(
    "2,2,1-sigmoid-bce",
    (2, 2, 1),
    "sigmoid",
    "bce",
    (((0.35, 0.9), (1.0,)),),
    HOMEWORK_WEIGHTS,
    {"b3": 0.1, "b4": -0.1, "b5": 0.2},
    lr=1.0,
)
TANH_IDENTITY = Case(
    "2,2,2-tanh,identity-mse",
    (2, 2, 2),
    "tanh,identity",
    "mse",
    (((0.35, 0.9), (0.5, -0.1)),),
    HOMEWORK_WEIGHTS | {"w36": -0.2, "w46": 0.5},
)
LEAKY_WEIGHTS = {"w13": 0.1, "w23": 0.8, "w14": -0.4, "w24": 0.6, "w15": 0.5, "w25": -0.3}
LEAKY_WEIGHTS |= {"w36": 0.3, "w46": -0.9, "w56": 0.7}
TWO_SAMPLES = (((0.35, 0.9), (1.0,)), ((-0.7, 0.2), (0.0,)))
LEAKY_BCE = Case(
    "2,3,1-leaky_relu,sigmoid-bce-batch2", (2, 3, 1), "leaky_relu,sigmoid", "bce", TWO_SAMPLES, LEAKY_WEIGHTS
)
LEAKY_02_BCE = Case(
    "2,3,1-leaky_relu:0.2,sigmoid-bce-batch2-biases",
    (2, 3, 1),
    "leaky_relu:0.2,sigmoid",
    "bce",
    TWO_SAMPLES,
    LEAKY_WEIGHTS,
    {"b3": 0.05, "b4": -0.1, "b5": -0.2, "b6": 0.1},
)
BATCH_3 = Case(
    "2,3,3,1-tanh,leaky_relu:0.1,sigmoid-mse-batch3",
    (2, 3, 3, 1),
    "tanh,leaky_relu:0.1,sigmoid",
    "mse",
    (((0.35, 0.9), (0.5,)), ((-0.7, 0.2), (0.1,)), ((1.2, -0.4), (0.9,))),
    {"w13": 0.1, "w23": 0.8, "w14": -0.4, "w24": 0.6, "w15": 0.5, "w25": -0.3}
    | {"w36": 0.3, "w46": -0.9, "w56": 0.7, "w37": -0.5, "w47": 0.2, "w57": 0.6, "w38": 0.8, "w48": 0.4, "w58": -0.7}
    | {"w69": 0.9, "w79": -0.6, "w89": 0.45},
    {"b3": 0.1, "b4": -0.1, "b5": 0.2, "b6": -0.15, "b7": 0.3, "b8": -0.3, "b9": 0.05},
)
SOFTMAX_BATCH = Case(
    "2,3,2-tanh,softmax-ce-batch2",
    (2, 3, 2),
    "tanh,softmax",
    "cross_entropy",
    (((0.35, 0.9), (1.0, 0.0)), ((-0.7, 0.2), (0.0, 1.0))),
    SOFTMAX_CE.weights,
    SOFTMAX_CE.biases,
)
MAZUR = Case(
    "mazur-2,2,2-sigmoid-half_mse",
    (2, 2, 2),
    "sigmoid",
    "half_mse",
    (((0.05, 0.1), (0.01, 0.99)),),
    {"w13": 0.15, "w23": 0.2, "w14": 0.25, "w24": 0.3, "w35": 0.4, "w45": 0.45, "w36": 0.5, "w46": 0.55},
    {"b3": 0.35, "b4": 0.35, "b5": 0.6, "b6": 0.6},
)
CASES = [SOFTMAX_CE, SIGMOID_BCE, TANH_IDENTITY, LEAKY_BCE, LEAKY_02_BCE, BATCH_3, SOFTMAX_BATCH, six_wide(), MAZUR]


def run(*args: str):
    return CliRunner().invoke(cli, ["q3", *args])


def run_json(case: Case) -> dict:
    result = run(*case.args())
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def assert_close_map(got: dict, expected: dict, what: str) -> None:
    assert set(got) == set(expected), what
    for key, value in expected.items():
        assert close(got[key], value), f"{what}[{key}]: {got[key]!r} != {value!r}"


def non_input_neurons(layers: tuple[int, ...]) -> list[int]:
    return list(range(layers[0] + 1, sum(layers) + 1))


def check_step(data: dict, case: Case, oracle) -> None:
    """Loss, outputs, gradients (SymPy and autograd), the update and the loss after it."""
    assert close(data["loss"], oracle.loss), (data["loss"], oracle.loss)
    outputs = data["outputs"] if len(case.samples) > 1 else [data["outputs"]]
    assert len(outputs) == len(oracle.outputs)
    for got, expected in zip(outputs, oracle.outputs):
        assert len(got) == len(expected) and all(map(close, got, expected)), (got, expected)
    assert set(data["expressions"]) == set(oracle.gradients) and all(data["expressions"].values())
    assert_close_map(data["gradients"], oracle.gradients, "gradients")
    assert_close_map(data["autograd"], oracle.gradients, "autograd")
    assert 0 <= data["max_abs_diff"] <= 1e-10
    assert_close_map(data["updated"], updated({**case.weights, **case.biases}, oracle.gradients, case.lr), "updated")
    assert close(data["loss_after_step"], case.loss_after_step())


def check_per_sample(data: dict, case: Case, oracle) -> None:
    """Each sample's deltas and gradients are of its own loss; their mean is the batch gradient."""
    several = len(case.samples) > 1
    if not several:
        assert_close_map(data["deltas"], {str(j): value for j, value in oracle.deltas[0].items()}, "deltas")
    deltas = data["deltas_per_sample"] if several or "deltas_per_sample" in data else [data["deltas"]]
    assert len(deltas) == len(case.samples)
    for number, (got, expected) in enumerate(zip(deltas, oracle.deltas)):
        assert_close_map(got, {str(j): value for j, value in expected.items()}, f"deltas of sample {number + 1}")
    if several or "per_sample_gradients" in data:
        per_sample = data["per_sample_gradients"]
        assert len(per_sample) == len(case.samples)
        for number, (got, expected) in enumerate(zip(per_sample, oracle.per_sample_gradients)):
            assert_close_map(got, expected, f"gradients of sample {number + 1}")
        mean = {name: sum(g[name] for g in per_sample) / len(per_sample) for name in data["gradients"]}
        assert_close_map(mean, data["gradients"], "mean of per_sample_gradients")


def check_problem(data: dict, case: Case) -> None:
    activations = data["problem"]["activations"]
    expected = expand_activations(case.activation, case.layers)
    assert len(activations) == len(expected)
    for got, given in zip(activations, expected):
        if slope_of(given) is None:
            assert got == given
        else:  # "leaky_relu" or "leaky_relu:0.01" for torch's default slope: either is canonical enough
            assert got.partition(":")[0] == "leaky_relu" and slope_of(got) == slope_of(given), got
    assert data["problem"]["samples"] == [{"x": list(x), "y": list(y)} for x, y in case.samples]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_json_matches_the_oracle(case):
    oracle = case.oracle()
    assert not oracle.kink  # the hand-set values keep every ReLU input off 0
    data = run_json(case)
    check_step(data, case, oracle)
    check_per_sample(data, case, oracle)
    check_problem(data, case)


def test_the_homework_is_unchanged():
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    oracle = reference((2, 2, 1), "sigmoid", "mse", [((0.35, 0.9), (0.5,))], HOMEWORK_WEIGHTS)
    assert abs(data["loss"] - 0.0362078077) < 1e-10 and close(data["loss"], oracle.loss)  # (0.5 - 0.690283)^2
    assert_close_map(data["gradients"], oracle.gradients, "gradients")
    assert_close_map(data["deltas"], {str(j): value for j, value in oracle.deltas[0].items()}, "deltas")
    assert data["outputs"] == pytest.approx(oracle.outputs[0], abs=1e-12)
    assert data["problem"]["activations"] == ["sigmoid", "sigmoid"]
    assert data["problem"]["samples"] == [{"x": [0.35, 0.9], "y": [0.5]}]


def test_mazur_worked_example():
    """Matt Mazur's "A Step by Step Backpropagation Example": its published numbers (biases are updated here too)."""
    data = run_json(MAZUR)
    assert abs(data["loss"] - 0.298371109) < 1e-9
    published = {"w13": 0.149780716, "w23": 0.19956143, "w14": 0.24975114, "w24": 0.29950229}
    published |= {"w35": 0.35891648, "w45": 0.408666186, "w36": 0.511301270, "w46": 0.561370121}
    for name, value in published.items():
        assert abs(data["updated"][name] - value) < 1e-8, name


@pytest.mark.parametrize("case", [SOFTMAX_CE, SIGMOID_BCE, BATCH_3], ids=lambda case: case.id)
def test_text_shows_a_delta_for_every_non_input_neuron(case):
    result = run(*case.args("text"))
    assert result.exit_code == 0, result.output
    missing = [j for j in non_input_neurons(case.layers) if f"δ{j}" not in result.output]
    assert missing == [], result.output


@pytest.mark.parametrize("case", [SOFTMAX_CE, SIGMOID_BCE], ids=lambda case: case.id)
def test_text_states_the_output_delta_simplifies(case):
    """softmax + cross-entropy and sigmoid + BCE: the output delta is y_hat - t (wording not fixed)."""
    text = run(*case.args("text")).output.lower()
    assert re.search(r"(ŷ|y_hat|y)\w*\s*[-−]\s*t", text) or "simplif" in text, text


@pytest.mark.parametrize("fmt", ["md", "tex"])
@pytest.mark.parametrize("case", [SOFTMAX_CE, BATCH_3], ids=lambda case: case.id)
def test_md_and_tex_render(case, fmt):
    result = run(*case.args(fmt))
    assert result.exit_code == 0, result.output
    assert result.output.strip() and "Traceback" not in result.output


# --- the oracle's own checks -------------------------------------------------------------------------------


def finite_difference(case: Case, parameter: str, samples, h: float = 1e-6) -> float:
    """Central difference of the mean loss over `samples` in one parameter."""
    values = []
    for step in (h, -h):
        weights = dict(case.weights)
        biases = dict(case.biases)
        (weights if parameter in weights else biases)[parameter] += step
        values.append(reference(case.layers, case.activation, case.loss, samples, weights, biases or None).loss)
    return (values[0] - values[1]) / (2 * h)


@pytest.mark.parametrize("case", [SOFTMAX_BATCH, LEAKY_02_BCE, BATCH_3, SOFTMAX_CE], ids=lambda case: case.id)
def test_the_oracle_agrees_with_finite_differences(case):
    """Mean gradients, each sample's gradients, and its deltas (dL_s/dnet_j = dL_s/db_j) by central differences."""
    oracle = case.oracle()
    for parameter, gradient in oracle.gradients.items():
        assert abs(finite_difference(case, parameter, case.samples) - gradient) <= 1e-6, parameter
    for sample, gradients, deltas in zip(case.samples, oracle.per_sample_gradients, oracle.deltas):
        for parameter, gradient in gradients.items():
            assert abs(finite_difference(case, parameter, [sample]) - gradient) <= 1e-6, parameter
        assert deltas == pytest.approx({j: gradients[f"b{j}"] for j in deltas}, abs=1e-15)
    mean = {name: sum(g[name] for g in oracle.per_sample_gradients) / len(case.samples) for name in oracle.gradients}
    assert mean == pytest.approx(oracle.gradients, abs=1e-15)
    assert oracle.loss == pytest.approx(sum(oracle.losses) / len(oracle.losses), abs=1e-15)


@pytest.mark.parametrize("case", [TANH_IDENTITY, MAZUR], ids=lambda case: case.id)
def test_the_oracle_agrees_with_finite_differences_without_biases(case):
    plain = Case(case.id, case.layers, case.activation, case.loss, case.samples, case.weights)
    oracle = plain.oracle()
    for parameter, gradient in oracle.gradients.items():
        assert abs(finite_difference(plain, parameter, plain.samples) - gradient) <= 1e-6, parameter


@pytest.mark.parametrize(
    ("activation", "loss", "biases"),
    [("sigmoid", "mse", {}), ("tanh", "half_mse", {"b3": 0.1, "b4": -0.3, "b5": 0.2}), ("relu", "mse", {})],
)
def test_the_oracle_agrees_with_the_single_sample_reference(activation, loss, biases):
    """On what the older reference covers (one sample, one activation, the squared losses) the two agree."""
    x, y = (0.35, 0.9), (0.5,)
    oracle = reference((2, 2, 1), activation, loss, [(x, y)], HOMEWORK_WEIGHTS, biases or None)
    old_loss, old_outputs, old_gradients = single_sample_reference(
        (2, 2, 1), activation, loss, x, y, HOMEWORK_WEIGHTS, biases
    )
    assert oracle.loss == pytest.approx(old_loss, abs=1e-15)
    assert oracle.outputs[0] == pytest.approx(old_outputs, abs=1e-15)
    assert oracle.gradients == pytest.approx(old_gradients, abs=1e-15)
    old_deltas = single_sample_deltas((2, 2, 1), activation, loss, x, y, HOMEWORK_WEIGHTS, biases)
    assert oracle.deltas[0] == pytest.approx(old_deltas, abs=1e-15)
