"""Q1's symbolic results, each checked numerically against an independent computation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsolve.check.q1_dropout import dropout_output_float
from hwsolve.derive.q1_activation_bounds import Z, derive_activation_bounds
from hwsolve.derive.q1_dropout import derive_dropout_expectation, inverted_dropout_exact
from hwsolve.derive.q1_linear_collapse import derive_linear_collapse, induction_step_holds, layer_symbols


@pytest.mark.parametrize("layers", [1, 2, 3, 4, 5])
def test_stacked_layers_expand_to_the_closed_form(layers):
    assert derive_linear_collapse(layers).proven


def test_induction_step_holds():
    assert induction_step_holds()


def test_a_wrong_collapse_is_not_proven():
    # The proof must be able to fail: W2 W1 (wrong order) or a missing b1 W2 term is not the collapse.
    inputs, ones, (w1, w2), (b1, b2) = layer_symbols(2)
    stacked = (inputs * w1 + ones * b1) * w2 + ones * b2
    assert sp.expand(stacked - (inputs * w1 * w2 + ones * b2)) != 0


@pytest.mark.parametrize("layers", [2, 3, 4])
def test_closed_form_matches_numpy_stack_for_concrete_sizes(layers):
    """Substitute random numeric matrices into the SymPy W and b and compare with a numpy forward pass."""
    derivation = derive_linear_collapse(layers)
    inputs, ones, weights, biases = layer_symbols(layers)
    rng = np.random.default_rng(layers)
    sizes = rng.integers(1, 5, size=layers + 1)
    batch = 3
    values = {inputs: rng.standard_normal((batch, sizes[0])), ones: np.ones((batch, 1))}
    values.update({w: rng.standard_normal((sizes[k], sizes[k + 1])) for k, w in enumerate(weights)})
    values.update({b: rng.standard_normal((1, sizes[k + 1])) for k, b in enumerate(biases)})
    forward = values[inputs]
    for w, b in zip(weights, biases):
        forward = forward @ values[w] + values[b]
    arguments = [inputs, ones, *weights, *biases]
    weight = sp.lambdify(arguments, derivation.weight, "numpy")(*[values[a] for a in arguments])
    bias = sp.lambdify(arguments, derivation.bias, "numpy")(*[values[a] for a in arguments])
    np.testing.assert_allclose(values[inputs] @ weight + bias, forward, rtol=1e-12, atol=1e-12)


def test_dropout_expectation_is_one_and_variance_p_over_one_minus_p():
    derivation = derive_dropout_expectation()
    assert derivation.unbiased
    for p in (0.0, 0.1, 0.4, 0.5, 0.9):
        # Independent: enumerate the two outcomes of m ~ Bernoulli(1 - p).
        outcomes = [(1 - p, 1 / (1 - p)), (p, 0.0)]
        mean = sum(prob * value for prob, value in outcomes)
        var = sum(prob * (value - mean) ** 2 for prob, value in outcomes)
        assert float(derivation.scaled_mask_expectation.subs(derivation.rate, p)) == pytest.approx(mean, abs=1e-15)
        assert float(derivation.scaled_mask_variance.subs(derivation.rate, p)) == pytest.approx(
            var, rel=1e-12, abs=1e-15
        )


@pytest.mark.parametrize(
    "rate, expected", [("0.5", ["-9", "0", "6", "0", "3"]), ("0.4", ["-15/2", "0", "5", "0", "5/2"])]
)
def test_homework_dropout_values_are_exact(rate, expected):
    x, mask = (-4.5, -0.75, 3.0, 6.0, 1.5), (1, 0, 1, 0, 1)
    independent = [Fraction(str(v)) * m / (1 - Fraction(rate)) for v, m in zip(x, mask)]
    got = inverted_dropout_exact(x, mask, rate)
    assert [str(value) for value in got] == expected
    assert [Fraction(str(value)) for value in got] == independent


@pytest.mark.parametrize(
    "name, maximum, argmax", [("sigmoid", sp.Rational(1, 4), 0), ("tanh", 1, 0), ("relu", 1, None)]
)
def test_activation_derivative_maxima(name, maximum, argmax):
    bound = derive_activation_bounds()[name]
    assert sp.simplify(bound.maximum - maximum) == 0
    assert bound.argmax == argmax


@pytest.mark.parametrize(
    "name, torch_function", [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)]
)
def test_symbolic_derivative_agrees_with_autograd_and_never_exceeds_the_maximum(name, torch_function):
    bound = derive_activation_bounds()[name]
    points = torch.linspace(-8, 8, 1601, dtype=torch.float64)
    points = points[points != 0]  # ReLU's derivative at 0 is a convention
    z = points.clone().requires_grad_(True)
    (autograd,) = torch.autograd.grad(torch_function(z).sum(), z)
    symbolic = sp.lambdify(Z, bound.derivative, "math")
    values = np.array([float(symbolic(float(p))) for p in points])
    np.testing.assert_allclose(values, autograd.numpy(), rtol=1e-12, atol=1e-15)
    assert values.max() <= bound.maximum_float + 1e-15


def test_sigmoid_maximum_by_finite_differences():
    # Independent of SymPy and autograd: a central difference of the logistic function at
    # hwsolve's derived argmax must equal hwsolve's derived maximum (and the known 1/4).
    bound = derive_activation_bounds()["sigmoid"]

    def sigmoid(t: float) -> float:
        return 1 / (1 + math.exp(-t))

    at = float(bound.argmax)
    h = 1e-5
    finite_difference = (sigmoid(at + h) - sigmoid(at - h)) / (2 * h)
    assert finite_difference == pytest.approx(bound.maximum_float, abs=1e-9)
    assert finite_difference == pytest.approx(0.25, abs=1e-9)
    # no nearby point has a larger slope
    assert all(
        (sigmoid(t + h) - sigmoid(t - h)) / (2 * h) < finite_difference for t in (at - 0.1, at + 0.1, at - 1, at + 1)
    )


@settings(max_examples=60)
@given(
    data=st.lists(
        st.tuples(st.decimals(-1000, 1000, places=3, allow_nan=False), st.integers(0, 1)), min_size=1, max_size=8
    ),
    rate=st.decimals(0, "0.99", places=2),
)
def test_dropout_exact_and_float_agree_for_any_input(data, rate):
    x = tuple(float(value) for value, _ in data)
    mask = tuple(bit for _, bit in data)
    exact = inverted_dropout_exact(x, mask, str(rate))
    independent = [Fraction(str(v)) * m / (1 - Fraction(str(rate))) for v, m in zip(x, mask)]
    assert [Fraction(str(value)) for value in exact] == independent
    floats = dropout_output_float(x, mask, str(rate))
    assert floats == pytest.approx([float(value) for value in independent], rel=1e-14, abs=1e-12)
