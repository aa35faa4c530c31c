"""Q3Problem: defaults, parameter naming and validation."""

from __future__ import annotations

import math

import pytest

from hwsolve.problem.q3 import (
    Q3InputError,
    Q3Problem,
    neuron_layers,
    parse_bias_name,
    parse_weight_name,
    weight_name,
    weight_pairs,
)


def test_defaults_are_the_homework_network():
    problem = Q3Problem()
    assert problem.layers == (2, 2, 1)
    assert (problem.activation, problem.loss, problem.x, problem.y, problem.lr) == (
        "sigmoid",
        "mse",
        (0.35, 0.9),
        (0.5,),
        1.0,
    )
    assert problem.weight_map == {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}
    assert problem.biases == ()


def test_neurons_are_numbered_layer_by_layer_inputs_first():
    assert neuron_layers((2, 2, 1)) == ((1, 2), (3, 4), (5,))
    assert weight_pairs((2, 2, 1)) == ((1, 3), (2, 3), (1, 4), (2, 4), (3, 5), (4, 5))


@pytest.mark.parametrize(
    ("i", "j", "name"), [(1, 3, "w13"), (9, 9, "w99"), (9, 10, "w9_10"), (12, 3, "w12_3"), (10, 11, "w10_11")]
)
def test_weight_names_use_an_underscore_from_index_ten(i, j, name):
    assert weight_name(i, j) == name
    assert parse_weight_name(name) == (i, j)


def test_underscore_form_is_always_accepted():
    assert parse_weight_name("w1_3") == (1, 3)
    assert Q3Problem(weights={"w1_3": 0.1, "w2_3": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}) == Q3Problem()
    assert parse_weight_name("w123") is None  # ambiguous without the underscore
    assert parse_bias_name("b3") == 3 and parse_bias_name("b_12") == 12 and parse_bias_name("c3") is None


def _weights(layers, value=0.5):
    return {weight_name(i, j): value for i, j in weight_pairs(layers)}


def test_a_large_network_uses_underscored_names():
    layers = (9, 2, 1)
    problem = Q3Problem(layers=layers, x=(0.1,) * 9, weights=_weights(layers))
    assert "w9_10" in problem.weight_map and "w10_12" in problem.weight_map


@pytest.mark.parametrize(
    ("changes", "option", "fragment"),
    [
        ({"x": (1.0,)}, "--x", "expected 2 input values"),
        ({"y": (1.0, 2.0)}, "--y", "expected 1 target values"),
        ({"x": (math.nan, 1.0)}, "--x", "not finite"),
        ({"y": (math.inf,)}, "--y", "not finite"),
        ({"lr": math.inf}, "--lr", "not finite"),
        ({"lr": 0.0}, "--lr", "positive"),
        ({"activation": "softmax"}, "--activation", "only on the output layer"),
        ({"activation": "swish"}, "--activation", "unknown activation"),
        ({"loss": "mae"}, "--loss", "unknown loss"),
        ({"layers": (2,)}, "--layers", "at least an input and an output"),
        ({"layers": (2, 0, 1)}, "--layers", "positive integers"),
        ({"layers": (2, 1.5, 1)}, "--layers", "positive integers"),
        ({"layers": (30, 30, 30)}, "--layers", "too many for a derivation by hand"),
        ({"weights": {"w13": 0.1}}, "--weights", "missing weights: w23"),
        ({"weights": {**_weights((2, 2, 1)), "w15": 1.0}}, "--weights", "unknown weight 'w15'"),
        ({"weights": (*_weights((2, 2, 1)).items(), ("w1_3", 1.0))}, "--weights", "duplicate weight 'w13'"),
        ({"weights": {**_weights((2, 2, 1)), "v13": 1.0}}, "--weights", "not a weight name"),
        ({"weights": {**_weights((2, 2, 1)), "w13": "a"}}, "--weights", "not a number"),
        ({"weights": {**_weights((2, 2, 1)), "w13": math.nan}}, "--weights", "not finite"),
        ({"biases": {"b3": 0.1}}, "--biases", "missing biases: b4, b5"),
        ({"biases": {"b3": 0.1, "b4": 0.1, "b5": 0.1, "b1": 0.0}}, "--biases", "unknown bias 'b1'"),
        ({"layers": (2, 2, 2), "y": (0.5, 0.5)}, "--weights", "missing weights: w36, w46"),
    ],
)
def test_invalid_values_name_the_option(changes, option, fragment):
    with pytest.raises(Q3InputError) as raised:
        Q3Problem(**changes)
    assert raised.value.option == option
    assert fragment in str(raised.value)


def test_biases_are_stored_canonically():
    problem = Q3Problem(biases={"b_5": 0.3, "b3": 0.1, "b4": -0.2})
    assert problem.biases == (("b3", 0.1), ("b4", -0.2), ("b5", 0.3))
    assert list(problem.parameters) == ["w13", "w23", "w14", "w24", "w35", "w45", "b3", "b4", "b5"]
