"""solve_q3 on random small networks, activations, losses and mini-batches, against the independent oracle."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from q3_general_oracle import bias_names, close, reference, weight_names

from hwsolve.errors import HwsolveError
from hwsolve.problem.q3 import Q3Problem
from hwsolve.solutions.q3 import solve_q3

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu:0.2", "identity"]
PROBABILITY_OUTPUTS = ["sigmoid", "softmax"]
# Hand-set values: 0, or three decimals with 1e-3 <= |v| <= 2 (nothing near float64's underflow).
VALUE = st.integers(-2000, 2000).map(lambda n: n / 1000)
TARGET = st.integers(-1000, 1000).map(lambda n: n / 1000)
PROBABILITY = st.integers(0, 1000).map(lambda n: n / 1000)
# float64 cannot hold log(1 - y) to 1e-12 once y is within ~1e-4 of 1 (1 - y keeps few digits), nor
# anything once the net inputs are huge; such draws test float64, not hwsolve, and are assumed away.
SATURATED = 1e-4
MAX_NET = 100.0


@st.composite
def distributions(draw, size: int) -> tuple[float, ...]:
    """Targets in eighths that sum to exactly 1 (one-hot included)."""
    cuts = sorted(draw(st.lists(st.integers(0, 8), min_size=size - 1, max_size=size - 1)))
    bounds = [0, *cuts, 8]
    return tuple((high - low) / 8 for low, high in zip(bounds, bounds[1:]))


def targets(loss: str, size: int):
    if loss == "cross_entropy":
        return distributions(size)
    return st.tuples(*[PROBABILITY if loss == "bce" else TARGET] * size)


@st.composite
def networks(draw):
    """The shape from a drawn seed (hypothesis alone picks the smallest shapes in 40 examples); values drawn."""
    shape = random.Random(draw(st.integers(0, 2**32 - 1)))
    layers = tuple(shape.randint(1, 5) for _ in range(shape.randint(2, 4)))
    loss = shape.choice(["mse", "half_mse", "cross_entropy", "bce"])
    outputs = [*ELEMENTWISE, "softmax"] if layers[-1] >= 2 else list(ELEMENTWISE)
    if loss in ("cross_entropy", "bce"):
        outputs = [name for name in outputs if name in PROBABILITY_OUTPUTS]
    activations = [shape.choice(ELEMENTWISE) for _ in layers[1:-1]] + [shape.choice(outputs)]
    count = shape.randint(1, 3)
    samples = tuple((draw(st.tuples(*[VALUE] * layers[0])), draw(targets(loss, layers[-1]))) for _ in range(count))
    weights = {name: draw(VALUE) for name in weight_names(layers)}
    biases = {name: draw(VALUE) for name in bias_names(layers)} if shape.random() < 0.5 else {}
    return layers, activations, loss, samples, weights, biases


def assert_close_map(got: dict, expected: dict, what: str) -> None:
    assert set(got) == set(expected), what
    for key, value in expected.items():
        assert close(got[key], value), f"{what}[{key}]: {got[key]!r} != {value!r}"


@settings(max_examples=40, deadline=None, derandomize=True)
@given(networks())
def test_solve_q3_matches_the_oracle(network):
    layers, activations, loss, samples, weights, biases = network
    oracle = reference(layers, activations, loss, samples, weights, biases or None)
    assume(not oracle.kink)  # a ReLU input on 0: the derivative there is a convention, not a value
    assume(max(abs(net) for nets in oracle.nets for net in nets.values()) <= MAX_NET)
    assume(loss != "bce" or max(max(outputs) for outputs in oracle.outputs) <= 1 - SATURATED)
    problem = Q3Problem(
        layers=layers,
        activation=",".join(activations),
        loss=loss,
        samples=samples,
        lr=0.5,
        weights=tuple(weights.items()),
        biases=tuple(biases.items()),
    )
    try:
        solution = solve_q3(problem)
    except HwsolveError as error:  # VerificationError, OverflowDetected: never on these values
        pytest.fail(f"solve_q3 raised {type(error).__name__}: {error}")
    assert close(solution.loss, oracle.loss), (solution.loss, oracle.loss)
    assert_close_map(solution.gradients, oracle.gradients, "gradients")
    assert len(solution.outputs_per_sample) == len(samples) == len(solution.deltas_per_sample)
    for number, (got, expected) in enumerate(zip(solution.outputs_per_sample, oracle.outputs)):
        assert len(got) == len(expected) and all(map(close, got, expected)), (number, got, expected)
    for number, (got, expected) in enumerate(zip(solution.deltas_per_sample, oracle.deltas)):
        assert_close_map(dict(got), expected, f"deltas of sample {number + 1}")
    for number, (got, expected) in enumerate(zip(solution.per_sample_gradients, oracle.per_sample_gradients)):
        assert_close_map(dict(got), expected, f"gradients of sample {number + 1}")
