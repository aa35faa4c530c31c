"""Symbolic backpropagation for a small fully connected network (pure SymPy).

The gradient of every parameter is derived by walking the network graph, with
no per-homework template: for weight w_ij (neuron i -> neuron j)

    dL/dw_ij = [ sum over paths j -> ... -> output k of
                 dL/dy_k * dy_k/dO_k * dO_k/dy_m * ... * dnet_n/dy_j ]
               * dy_j/dnet_j * dnet_j/dw_ij

Each factor is SymPy's derivative of one graph node with respect to its
neighbour, kept as an expression in the neuron symbols (x_i for inputs, H_j
for a hidden neuron's net input, O_j for an output neuron's, y_j for any
neuron's output, y or t_k for the targets). When a neuron feeds several
neurons of the next layer the paths are listed separately and summed.

Public API
----------
- ``derive_gradients(layers, activation, loss, with_biases=False)`` ->
  ``NetworkDerivation`` (symbolic only, cached).
- ``forward_pass(derivation, x, y, parameters)`` -> ``ForwardPass``: the value
  of every symbol, evaluated from the SymPy expressions at 30 digits.
- ``given_values(derivation, x, y, parameters, number)``: the symbols whose
  values are given (inputs, targets, parameters), as ``forward_pass`` and the
  compiled float64 evaluation both start from.
- ``evaluate_gradients(derivation, forward)`` -> {name: ``GradientValue``}:
  each factor's value, each path's value and the total, rounded to float64
  only at the end.
- ``Factor``, ``ParameterDerivation``: one chain-rule factor, one parameter's
  chain; ``.latex()``/``.text()`` render them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import sympy as sp

from hwsolve.derive.backprop_activations import activation as activation_function
from hwsolve.problem.q3 import bias_name, neuron_layers, parse_bias_name, parse_weight_name, weight_name, weight_pairs

EVALUATION_DIGITS = 30  # SymPy evaluates at this precision; float64 only at the end


@dataclass(frozen=True)
class Factor:
    """d(numerator)/d(denominator) for one edge of the graph, as a SymPy expression."""

    numerator: sp.Symbol
    denominator: sp.Symbol
    expression: sp.Expr


@dataclass(frozen=True)
class ParameterDerivation:
    """The chain rule for one parameter.

    ``paths``: every product of factors from the loss down to the output of
    the neuron the parameter feeds (one path for the output layer).
    ``local``: dy_j/dnet_j and dnet_j/dparameter, common to every path.
    ``expression``: the whole derivative, sum(prod(path)) * prod(local).
    """

    name: str
    symbol: sp.Symbol
    paths: tuple[tuple[Factor, ...], ...]
    local: tuple[Factor, ...]
    expression: sp.Expr


@dataclass(frozen=True)
class NetworkDerivation:
    """Every symbol, expression and parameter derivation of one network shape."""

    layers: tuple[int, ...]
    activation: str
    loss: str
    with_biases: bool
    inputs: tuple[sp.Symbol, ...]
    targets: tuple[sp.Symbol, ...]
    net_symbols: Mapping[int, sp.Symbol]  # neuron -> its net input (H_j or O_j)
    output_symbols: Mapping[int, sp.Symbol]  # neuron -> its output (x_i or y_j)
    parameter_symbols: Mapping[str, sp.Symbol]  # "w13" / "b3" -> symbol
    net_expressions: Mapping[int, sp.Expr]  # net_j = sum_i w_ij y_i (+ b_j)
    activation_expressions: Mapping[int, sp.Expr]  # y_j = f(net_j)
    loss_symbol: sp.Symbol
    loss_expression: sp.Expr  # in the output neurons' y_k and the targets
    parameters: tuple[ParameterDerivation, ...]
    latex_names: Mapping[sp.Symbol, str]

    @property
    def neuron_layers(self) -> tuple[tuple[int, ...], ...]:
        return neuron_layers(self.layers)

    def latex(self, expression: sp.Expr) -> str:
        return sp.latex(expression, symbol_names=dict(self.latex_names))

    def text(self, expression: sp.Expr) -> str:
        return sp.sstr(expression)

    def loss_composed(self) -> sp.Expr:
        """The loss one level down: each output y_k replaced by f(sum_i w_ik y_i)."""
        output_layer = self.neuron_layers[-1]
        act = activation_function(self.activation)
        return self.loss_expression.subs({self.output_symbols[k]: act(self.net_expressions[k]) for k in output_layer})


def _symbols(layers: tuple[int, ...], with_biases: bool):
    numbered = neuron_layers(layers)
    output_layer = numbered[-1]
    latex_names: dict[sp.Symbol, str] = {}

    def make(name: str, latex: str) -> sp.Symbol:
        symbol = sp.Symbol(name, real=True)
        latex_names[symbol] = latex
        return symbol

    inputs = tuple(make(f"x{i}", f"x_{{{i}}}") for i in numbered[0])
    outputs: dict[int, sp.Symbol] = dict(zip(numbered[0], inputs))
    nets: dict[int, sp.Symbol] = {}
    for layer in numbered[1:]:
        letter = "O" if layer is output_layer else "H"
        for j in layer:
            nets[j] = make(f"{letter}{j}", f"{letter}_{{{j}}}")
            outputs[j] = make(f"y{j}", f"y_{{{j}}}")
    if len(output_layer) == 1:
        targets = (make("y", "y"),)
    else:
        targets = tuple(make(f"t{k}", f"t_{{{k}}}") for k in output_layer)
    parameters: dict[str, sp.Symbol] = {}
    for i, j in weight_pairs(layers):
        name = weight_name(i, j)
        parameters[name] = make(name, f"w_{{{i}{j}}}" if i < 10 and j < 10 else f"w_{{{i},{j}}}")
    if with_biases:
        for layer in numbered[1:]:
            for j in layer:
                parameters[bias_name(j)] = make(bias_name(j), f"b_{{{j}}}")
    return inputs, targets, nets, outputs, parameters, latex_names


@lru_cache(maxsize=64)
def derive_gradients(
    layers: tuple[int, ...], activation: str = "sigmoid", loss: str = "mse", with_biases: bool = False
) -> NetworkDerivation:
    """Derive dL/dparameter for every weight (and bias) of the network, symbolically.

    ``loss``: "mse" is sum_k (t_k - y_k)^2 (the homework's, no 1/n), and
    "half_mse" is half of that.
    """
    layers = tuple(int(size) for size in layers)
    act = activation_function(activation)
    if loss not in ("mse", "half_mse"):
        raise ValueError(f"unknown loss {loss!r} (choose from mse, half_mse)")
    inputs, targets, nets, outputs, parameters, latex_names = _symbols(layers, with_biases)
    numbered = neuron_layers(layers)
    output_layer = numbered[-1]

    net_expressions: dict[int, sp.Expr] = {}
    for previous, current in zip(numbered, numbered[1:]):
        for j in current:
            total = sp.Add(*[parameters[weight_name(i, j)] * outputs[i] for i in previous], evaluate=False)
            net_expressions[j] = total + parameters[bias_name(j)] if with_biases else total
    activation_expressions = {j: act(nets[j]) for j in nets}

    loss_symbol = sp.Symbol("L")
    latex_names[loss_symbol] = "L"
    squared_errors = sp.Add(*[(t - outputs[k]) ** 2 for t, k in zip(targets, output_layer)])
    loss_expression = squared_errors / 2 if loss == "half_mse" else squared_errors

    # One Factor per graph edge, shared by every path that crosses it.
    loss_factor = {
        k: Factor(loss_symbol, outputs[k], sp.factor(sp.diff(loss_expression, outputs[k]))) for k in output_layer
    }
    activation_factor = {j: Factor(outputs[j], nets[j], sp.diff(activation_expressions[j], nets[j])) for j in nets}

    def edge_factor(j: int, k: int) -> Factor:  # d net_k / d y_j
        return Factor(nets[k], outputs[j], sp.diff(net_expressions[k], outputs[j]))

    layer_of = {neuron: index for index, layer in enumerate(numbered) for neuron in layer}
    upstream_cache: dict[int, tuple[tuple[Factor, ...], ...]] = {}

    def upstream_paths(j: int) -> tuple[tuple[Factor, ...], ...]:
        """Every factor chain from the loss down to y_j."""
        if j not in upstream_cache:
            if layer_of[j] == len(numbered) - 1:
                upstream_cache[j] = ((loss_factor[j],),)
            else:
                upstream_cache[j] = tuple(
                    path + (activation_factor[k], edge_factor(j, k))
                    for k in numbered[layer_of[j] + 1]
                    for path in upstream_paths(k)
                )
        return upstream_cache[j]

    derivations = []
    for name, symbol in parameters.items():
        j = parse_bias_name(name) if name.startswith("b") else parse_weight_name(name)[1]  # the neuron it feeds
        paths = upstream_paths(j)
        local = (activation_factor[j], Factor(nets[j], symbol, sp.diff(net_expressions[j], symbol)))
        upstream = sp.Add(*[sp.Mul(*[factor.expression for factor in path]) for path in paths])
        expression = upstream * sp.Mul(*[factor.expression for factor in local])
        derivations.append(ParameterDerivation(name, symbol, paths, local, expression))

    return NetworkDerivation(
        layers=layers,
        activation=activation,
        loss=loss,
        with_biases=with_biases,
        inputs=inputs,
        targets=targets,
        net_symbols=nets,
        output_symbols=outputs,
        parameter_symbols=parameters,
        net_expressions=net_expressions,
        activation_expressions=activation_expressions,
        loss_symbol=loss_symbol,
        loss_expression=loss_expression,
        parameters=tuple(derivations),
        latex_names=latex_names,
    )


@dataclass(frozen=True)
class ForwardPass:
    """The value (SymPy Float, 30 digits) of every symbol, and the loss."""

    values: Mapping[sp.Symbol, sp.Float]
    loss: sp.Float

    def value(self, symbol: sp.Symbol) -> float:
        return float(self.values[symbol])


def _evaluate(expression: sp.Expr, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Float:
    result = sp.sympify(expression).evalf(EVALUATION_DIGITS, subs=dict(values))
    if not result.is_Number:
        raise ValueError(f"could not evaluate {expression} numerically (got {result})")
    return sp.Float(result, EVALUATION_DIGITS)


Number = TypeVar("Number")


def given_values(
    derivation: NetworkDerivation,
    x: Sequence[float],
    y: Sequence[float],
    parameters: Mapping[str, float],
    number: Callable[[float], Number],
) -> dict[sp.Symbol, Number]:
    """The inputs, targets and parameters keyed by their symbols, each converted by ``number``.

    ``forward_pass`` (30-digit SymPy Floats) and the compiled float64
    evaluation both start from this, so they read the same given values into
    the same symbols. Every parameter of the derivation must be given
    (KeyError otherwise); names it does not have are ignored.
    """
    values = {symbol: number(value) for symbol, value in zip(derivation.inputs, x)}
    values.update({symbol: number(value) for symbol, value in zip(derivation.targets, y)})
    values.update({symbol: number(parameters[name]) for name, symbol in derivation.parameter_symbols.items()})
    return values


def forward_pass(
    derivation: NetworkDerivation, x: Sequence[float], y: Sequence[float], parameters: Mapping[str, float]
) -> ForwardPass:
    """Evaluate net inputs, outputs and loss layer by layer from the SymPy expressions.

    Given floats enter exactly (their binary value), so only the final
    rounding to float64 separates these numbers from exact ones.
    """
    values = given_values(derivation, x, y, parameters, lambda value: sp.Float(value, EVALUATION_DIGITS))
    for layer in derivation.neuron_layers[1:]:
        for j in layer:
            net = derivation.net_symbols[j]
            values[net] = _evaluate(derivation.net_expressions[j], values)
            values[derivation.output_symbols[j]] = _evaluate(derivation.activation_expressions[j], values)
    loss = _evaluate(derivation.loss_expression, values)
    values[derivation.loss_symbol] = loss
    return ForwardPass(values, loss)


@dataclass(frozen=True)
class GradientValue:
    """Numbers for one ParameterDerivation: per factor, per path, and in total."""

    name: str
    path_factor_values: tuple[tuple[float, ...], ...]
    path_values: tuple[float, ...]
    local_values: tuple[float, ...]
    value: float


def evaluate_gradients(derivation: NetworkDerivation, forward: ForwardPass) -> dict[str, GradientValue]:
    """Substitute the forward pass into every factor; combine at 30 digits."""
    cache: dict[Factor, sp.Float] = {}

    def value_of(factor: Factor) -> sp.Float:
        if factor not in cache:
            cache[factor] = _evaluate(factor.expression, forward.values)
        return cache[factor]

    results = {}
    for parameter in derivation.parameters:
        path_values = [
            math.prod((value_of(f) for f in path), start=sp.Float(1, EVALUATION_DIGITS)) for path in parameter.paths
        ]
        local_values = [value_of(f) for f in parameter.local]
        upstream = sp.Add(*path_values)  # dL/dy_j
        total = upstream * local_values[0] * local_values[1]
        results[parameter.name] = GradientValue(
            name=parameter.name,
            path_factor_values=tuple(tuple(float(value_of(f)) for f in path) for path in parameter.paths),
            path_values=tuple(float(v) for v in path_values),
            local_values=tuple(float(v) for v in local_values),
            value=float(total),
        )
    return results
