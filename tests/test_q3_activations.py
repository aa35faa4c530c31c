"""Q3's activation names live in problem/q3.py alone; every registry keyed by them covers exactly those names.

The values are checked against q3_reference.py's activations, written
without hwsolve (torch on scalars), at points on both sides of zero.
"""

from __future__ import annotations

import pytest
import sympy as sp
import torch
from q3_reference import ACTIVATIONS as REFERENCE_ACTIVATIONS

from hwsolve.check.backprop_autograd import TORCH_ACTIVATIONS
from hwsolve.derive.backprop_activations import (
    ACTIVATION_DERIVATIVE_LATEX,
    ACTIVATION_LATEX,
    ACTIVATION_WORDS,
    SYMPY_ACTIVATIONS,
    activation,
    softmax_jacobian,
    softmax_outputs,
)
from hwsolve.problem.q3 import ACTIVATIONS, ELEMENTWISE, Q3InputError, Q3Problem

REGISTRIES = {
    "SymPy functions": SYMPY_ACTIVATIONS,
    "names in words": ACTIVATION_WORDS,
    "LaTeX names": ACTIVATION_LATEX,
    "LaTeX derivatives": ACTIVATION_DERIVATIVE_LATEX,
    "torch functions": TORCH_ACTIVATIONS,
}
POINTS = (-2.5, -0.3, 0.0, 0.7, 3.0)


def test_the_names_are_listed_once_without_repeats():
    assert len(set(ACTIVATIONS)) == len(ACTIVATIONS)
    assert set(ACTIVATIONS) == set(REFERENCE_ACTIVATIONS)  # the independent reference knows each one


@pytest.mark.parametrize("registry", REGISTRIES, ids=str)
def test_each_registry_covers_exactly_the_problem_s_names(registry):
    assert set(REGISTRIES[registry]) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_sympy_and_torch_activations_agree_with_the_reference(name):
    z = sp.Symbol("z", real=True)
    symbolic = activation(name)(z)
    for point in POINTS:
        expected = float(REFERENCE_ACTIVATIONS[name](torch.tensor(point, dtype=torch.float64)))
        assert float(symbolic.subs(z, point).evalf(30)) == pytest.approx(expected, abs=1e-15), (name, point)
        assert float(TORCH_ACTIVATIONS[name](torch.tensor(point, dtype=torch.float64))) == pytest.approx(
            expected, abs=1e-15
        ), (name, point)


def test_a_name_outside_the_list_is_refused_everywhere():
    with pytest.raises(ValueError, match="choose from sigmoid, tanh, relu, leaky_relu, identity, softmax"):
        activation("softplus")
    with pytest.raises(Q3InputError, match="choose from sigmoid, tanh, relu, leaky_relu, identity, softmax"):
        Q3Problem(activation="softplus")


def test_leaky_relu_and_its_derivative_match_torch_on_both_sides_and_at_zero():
    z = sp.Symbol("z", real=True)
    for slope in (0.01, 0.2, 1.5):
        symbolic = activation(f"leaky_relu:{slope}")(z)
        for point in (*POINTS, -1e-3):
            tensor = torch.tensor(point, dtype=torch.float64, requires_grad=True)
            value = torch.nn.functional.leaky_relu(tensor, negative_slope=slope)
            value.backward()
            assert float(symbolic.subs(z, point).evalf(30)) == pytest.approx(float(value.detach()), abs=1e-15)
            assert float(sp.diff(symbolic, z).subs(z, point).evalf(30)) == pytest.approx(float(tensor.grad), abs=1e-15)


def test_the_softmax_jacobian_in_the_outputs_is_sympy_s_derivative_of_the_exponentials():
    nets = sp.symbols("O1:4", real=True)
    outputs = softmax_outputs(list(nets))
    for m in range(3):
        for k in range(3):
            written = softmax_jacobian(list(outputs), m, k)  # y_m (1[m = k] - y_k) with y = e^O / sum e^O
            assert sp.simplify(written - sp.diff(outputs[m], nets[k])) == 0, (m, k)


def test_softmax_matches_the_reference_on_a_layer():
    nets = sp.symbols("O1:4", real=True)
    point = (0.3, -1.2, 2.0)
    expected = REFERENCE_ACTIVATIONS["softmax"](torch.tensor(point, dtype=torch.float64))
    values = [float(y.subs(dict(zip(nets, point))).evalf(30)) for y in softmax_outputs(list(nets))]
    assert values == pytest.approx(expected.tolist(), abs=1e-15)
