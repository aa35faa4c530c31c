"""The symbolic backprop engine against independent computations.

Golden values for the homework network come from a chain rule written out by
hand below with the math module; other networks are compared with the
scalar autograd in q3_reference.py, including a hypothesis property test.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from q3_reference import reference

from hwsolve.derive.backprop import derive_gradients, evaluate_gradients, forward_pass
from hwsolve.derive.backprop_compiled import compile_network
from hwsolve.problem.q3 import Q3Problem, neuron_layers, weight_name, weight_pairs
from hwsolve.solutions.q3 import solve_q3


def homework_by_hand():
    """The homework's numbers from the chain rule written out with floats."""
    s = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    x1, x2, y = 0.35, 0.9, 0.5
    w13, w23, w14, w24, w35, w45 = 0.1, 0.8, 0.4, 0.6, 0.3, 0.9
    h3, h4 = x1 * w13 + x2 * w23, x1 * w14 + x2 * w24
    y3, y4 = s(h3), s(h4)
    o5 = y3 * w35 + y4 * w45
    y5 = s(o5)
    delta5 = -2 * (y - y5) * y5 * (1 - y5)  # dL/dO5
    delta3 = delta5 * w35 * y3 * (1 - y3)  # dL/dH3
    delta4 = delta5 * w45 * y4 * (1 - y4)
    gradients = {
        "w13": delta3 * x1,
        "w23": delta3 * x2,
        "w14": delta4 * x1,
        "w24": delta4 * x2,
        "w35": delta5 * y3,
        "w45": delta5 * y4,
    }
    values = {"H3": h3, "y3": y3, "H4": h4, "y4": y4, "O5": o5, "y5": y5}
    return values, (y - y5) ** 2, gradients


def test_homework_forward_and_gradients_match_the_hand_chain_rule():
    values, loss, gradients = homework_by_hand()
    solution = solve_q3()
    computed = {n.net_text: n.net_input for n in solution.neurons if n.net_text}
    computed.update({n.output_text: n.output for n in solution.neurons})
    for key, value in values.items():
        assert computed[key] == pytest.approx(value, abs=1e-15), key
    assert solution.loss == pytest.approx(loss, abs=1e-16)
    assert solution.outputs[0] == pytest.approx(values["y5"], abs=1e-15)
    assert list(solution.gradients) == ["w13", "w23", "w14", "w24", "w35", "w45"]
    for key, value in gradients.items():
        assert solution.gradients[key] == pytest.approx(value, abs=1e-16), key
        assert solution.updated[key] == pytest.approx(Q3Problem().weight_map[key] - value, abs=1e-15)
    assert solution.max_abs_diff <= 1e-15


def test_homework_chain_has_the_textbook_factors():
    derivation = derive_gradients((2, 2, 1), "sigmoid", "mse")
    w13 = next(p for p in derivation.parameters if p.name == "w13")
    assert len(w13.paths) == 1
    labels = [f"d{f.numerator}/d{f.denominator}" for f in w13.paths[0] + w13.local]
    assert labels == ["dL/dy5", "dy5/dO5", "dO5/dy3", "dy3/dH3", "dH3/dw13"]
    y, y5, o5, w35, x1 = sp.symbols("y y5 O5 w35 x1", real=True)
    factors = [f.expression for f in w13.paths[0] + w13.local]
    assert sp.simplify(factors[0] - (-2 * (y - y5))) == 0
    assert factors[2] == w35 and factors[4] == x1
    sigma = 1 / (1 + sp.exp(-o5))
    assert sp.simplify(factors[1].rewrite(sp.exp) - sp.diff(sigma, o5)) == 0


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("loss", ["mse", "half_mse"])
def test_chain_rule_equals_sympy_diff_of_the_composed_loss(activation, loss):
    """dL/dw from the chain rule equals SymPy's diff of L written in x and w only."""
    layers = (2, 2, 2)
    derivation = derive_gradients(layers, activation, loss, True)
    parameters = {name: 0.1 * (k + 1) * (-1) ** k for k, name in enumerate(derivation.parameter_symbols)}
    x, y = (0.35, 0.9), (0.5, -0.2)
    forward = forward_pass(derivation, x, y, parameters)
    values = evaluate_gradients(derivation, forward)
    # Compose L(x, w) directly: substitute each layer's outputs into the next.
    composed = derivation.loss_expression
    for layer in reversed(derivation.neuron_layers[1:]):
        composed = composed.subs({derivation.output_symbols[j]: derivation.activation_expressions[j] for j in layer})
        composed = composed.subs({derivation.net_symbols[j]: derivation.net_expressions[j] for j in layer})
    symbols = list(derivation.inputs) + list(derivation.targets) + list(derivation.parameter_symbols.values())
    numbers = list(x) + list(y) + list(parameters.values())
    as_floats = {
        "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
        "relu": lambda z: max(z, 0.0),
        "relu_step": lambda z: 1.0 if z > 0 else 0.0,
    }
    for name in ("w13", "w46", "b3", "b6"):  # a hidden weight (two paths), an output weight, both biases
        expected = sp.lambdify(
            symbols, sp.diff(composed, derivation.parameter_symbols[name]), modules=[as_floats, "math"]
        )(*numbers)
        assert values[name].value == pytest.approx(expected, abs=1e-14), name
        # The displayed whole expression, too, against the independent diff.
        whole = next(p.expression for p in derivation.parameters if p.name == name)
        assert float(whole.evalf(30, subs=dict(forward.values))) == pytest.approx(expected, abs=1e-14), name


def test_hidden_neuron_feeding_two_outputs_sums_two_paths():
    derivation = derive_gradients((2, 2, 2), "sigmoid", "mse")
    w13 = next(p for p in derivation.parameters if p.name == "w13")
    assert len(w13.paths) == 2
    assert [str(path[0].denominator) for path in w13.paths] == ["y5", "y6"]
    w35 = next(p for p in derivation.parameters if p.name == "w35")
    assert len(w35.paths) == 1


@pytest.mark.parametrize("layers", [(1, 1), (2, 3, 1), (2, 2, 3, 2), (1, 2, 2, 2, 1)])
def test_every_parameter_has_one_path_per_route_to_the_outputs(layers):
    """A parameter feeding layer l has prod(sizes of the layers after l) paths, each ending at the loss."""
    derivation = derive_gradients(layers)
    layer_of = {j: index for index, layer in enumerate(neuron_layers(layers)) for j in layer}
    for parameter in derivation.parameters:
        fed = int(str(parameter.local[0].numerator)[1:])  # y_j: the neuron the parameter feeds
        assert len(parameter.paths) == math.prod(layers[layer_of[fed] + 1 :]), parameter.name
        for path in parameter.paths:
            assert str(path[0].numerator) == "L"
            assert path[-1].denominator == parameter.local[0].numerator  # the chain reaches y_j
            assert len(path) == 1 + 2 * (len(layers) - 1 - layer_of[fed])


def _random_network(draw):
    layers = tuple(draw(st.lists(st.integers(1, 3), min_size=2, max_size=4)))
    value = st.floats(-2, 2, allow_nan=False, allow_subnormal=False)
    weights = {weight_name(i, j): draw(value) for i, j in weight_pairs(layers)}
    with_biases = draw(st.booleans())
    biases = {f"b{j}": draw(value) for layer in neuron_layers(layers)[1:] for j in layer} if with_biases else {}
    x = tuple(draw(value) for _ in range(layers[0]))
    y = tuple(draw(value) for _ in range(layers[-1]))
    activation = draw(st.sampled_from(["sigmoid", "tanh", "relu", "identity"]))
    loss = draw(st.sampled_from(["mse", "half_mse"]))
    return layers, activation, loss, x, y, weights, biases


@settings(max_examples=30)
@given(st.data())
def test_symbolic_gradients_equal_autograd_on_random_networks(data):
    layers, activation, loss, x, y, weights, biases = _random_network(data.draw)
    derivation = derive_gradients(layers, activation, loss, bool(biases))
    forward = forward_pass(derivation, x, y, {**weights, **biases})
    values = evaluate_gradients(derivation, forward)
    ref_loss, ref_outputs, ref_gradients = reference(layers, activation, loss, x, y, weights, biases)
    assert float(forward.loss) == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
    outputs = [forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1]]
    assert outputs == pytest.approx(ref_outputs, rel=1e-12, abs=1e-12)
    assert set(values) == set(ref_gradients)
    for name, value in values.items():
        assert value.value == pytest.approx(ref_gradients[name], rel=1e-10, abs=1e-12), name
    # The float64 evaluator used for --steps compiles the same expressions.
    fast_loss, fast_outputs, fast_gradients = compile_network(derivation)(x, y, {**weights, **biases})
    assert fast_loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
    assert list(fast_outputs) == pytest.approx(ref_outputs, rel=1e-12, abs=1e-12)
    assert fast_gradients == pytest.approx(ref_gradients, rel=1e-10, abs=1e-12)


def test_relu_derivative_at_zero_is_zero_like_torch():
    derivation = derive_gradients((1, 1), "relu", "mse")
    values = evaluate_gradients(derivation, forward_pass(derivation, (1.0,), (1.0,), {"w12": 0.0}))
    assert values["w12"].value == 0.0 == reference((1, 1), "relu", "mse", (1.0,), (1.0,), {"w12": 0.0})[2]["w12"]
