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

``derive_gradients`` takes four steps, one function each: the symbols
(``_symbols``), the net expressions net_j = sum_i w_ij y_i (+ b_j)
(``_net_expressions``), one factor per graph edge (``_edge_factors``), and
every neuron's upstream paths from the loss down to it, built from the
output layer back (``_upstream_paths``); each parameter's chain is then its
neuron's paths times the two local factors (``_parameter_derivation``).

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
- ``evaluate_at(expression, values)``: one expression at 30 digits.
- ``fed_neuron(name)``: the neuron j a parameter (w_ij or b_j) feeds.
- ``Factor``, ``ParameterDerivation``: one chain-rule factor, one parameter's
  chain; ``.latex()``/``.text()`` render them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, TypeVar

import sympy as sp

from hwsolve.derive.backprop_activations import activation as activation_function
from hwsolve.problem.q3 import (
    LOSSES,
    bias_name,
    neuron_layers,
    parse_bias_name,
    parse_weight_name,
    weight_name,
    weight_pairs,
)

EVALUATION_DIGITS = 30  # SymPy evaluates at this precision; float64 only at the end


@dataclass(frozen=True)
class Factor:
    """d(numerator)/d(denominator) for one edge of the graph, as a SymPy expression."""

    numerator: sp.Symbol
    denominator: sp.Symbol
    expression: sp.Expr


Path = tuple[Factor, ...]  # a product of factors from the loss down to one neuron's output
Layers = tuple[tuple[int, ...], ...]  # neuron numbers per layer, inputs first


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
    paths: tuple[Path, ...]
    local: tuple[Factor, Factor]  # dy_j/dnet_j, dnet_j/dparameter
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
        return str(sp.latex(expression, symbol_names=dict(self.latex_names)))

    def text(self, expression: sp.Expr) -> str:
        return str(sp.sstr(expression))

    def loss_composed(self) -> sp.Expr:
        """The loss one level down: each output y_k replaced by f(sum_i w_ik y_i)."""
        output_layer = self.neuron_layers[-1]
        act = activation_function(self.activation)
        return self.loss_expression.subs({self.output_symbols[k]: act(self.net_expressions[k]) for k in output_layer})


class NetworkSymbols(NamedTuple):
    """Every SymPy symbol of one network shape, and how each is written in LaTeX."""

    inputs: tuple[sp.Symbol, ...]  # x_i
    targets: tuple[sp.Symbol, ...]  # y, or t_k for several outputs
    nets: dict[int, sp.Symbol]  # neuron -> H_j (hidden) or O_j (output)
    outputs: dict[int, sp.Symbol]  # neuron -> x_i (input) or y_j
    parameters: dict[str, sp.Symbol]  # "w13" / "b3" -> symbol, canonical order
    latex_names: dict[sp.Symbol, str]


def _symbols(layers: tuple[int, ...], with_biases: bool) -> NetworkSymbols:
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
    # One output has the homework's target y; several are t_k.
    many_targets = len(output_layer) > 1
    targets = tuple(make(f"t{k}", f"t_{{{k}}}") for k in output_layer) if many_targets else (make("y", "y"),)
    parameters: dict[str, sp.Symbol] = {}
    for i, j in weight_pairs(layers):
        name = weight_name(i, j)
        parameters[name] = make(name, f"w_{{{i}{j}}}" if i < 10 and j < 10 else f"w_{{{i},{j}}}")
    if with_biases:
        for layer in numbered[1:]:
            for j in layer:
                parameters[bias_name(j)] = make(bias_name(j), f"b_{{{j}}}")
    return NetworkSymbols(inputs, targets, nets, outputs, parameters, latex_names)


def _net_expressions(numbered: Layers, symbols: NetworkSymbols, with_biases: bool) -> dict[int, sp.Expr]:
    """net_j = sum_i w_ij y_i (+ b_j), unevaluated so the terms keep the written order."""
    parameters, outputs = symbols.parameters, symbols.outputs
    net_expressions: dict[int, sp.Expr] = {}
    for previous, current in zip(numbered, numbered[1:]):
        for j in current:
            total = sp.Add(*[parameters[weight_name(i, j)] * outputs[i] for i in previous], evaluate=False)
            net_expressions[j] = total + parameters[bias_name(j)] if with_biases else total
    return net_expressions


def _loss_expression(symbols: NetworkSymbols, output_layer: tuple[int, ...], loss: str) -> sp.Expr:
    """sum_k (t_k - y_k)^2 for "mse" (the homework's, no 1/n); half of it for "half_mse"."""
    squared_errors = sp.Add(*[(t - symbols.outputs[k]) ** 2 for t, k in zip(symbols.targets, output_layer)])
    return squared_errors / 2 if loss == "half_mse" else squared_errors


@dataclass(frozen=True)
class _EdgeFactors:
    """One Factor per graph edge, shared by every path that crosses it."""

    loss: Mapping[int, Factor]  # output k: dL/dy_k
    activation: Mapping[int, Factor]  # neuron j: dy_j/dnet_j
    nets: Mapping[int, sp.Symbol]
    outputs: Mapping[int, sp.Symbol]
    net_expressions: Mapping[int, sp.Expr]

    def between(self, j: int, k: int) -> Factor:
        """dnet_k/dy_j: how neuron k's net input depends on neuron j's output (w_jk)."""
        return Factor(self.nets[k], self.outputs[j], sp.diff(self.net_expressions[k], self.outputs[j]))

    def into(self, j: int, parameter: sp.Symbol) -> Factor:
        """dnet_j/dparameter: y_i for a weight from i, 1 for a bias."""
        return Factor(self.nets[j], parameter, sp.diff(self.net_expressions[j], parameter))


def _edge_factors(
    symbols: NetworkSymbols,
    net_expressions: Mapping[int, sp.Expr],
    activation_expressions: Mapping[int, sp.Expr],
    loss_symbol: sp.Symbol,
    loss_expression: sp.Expr,
    output_layer: tuple[int, ...],
) -> _EdgeFactors:
    nets, outputs = symbols.nets, symbols.outputs
    loss = {k: Factor(loss_symbol, outputs[k], sp.factor(sp.diff(loss_expression, outputs[k]))) for k in output_layer}
    activation = {j: Factor(outputs[j], nets[j], sp.diff(activation_expressions[j], nets[j])) for j in nets}
    return _EdgeFactors(loss, activation, nets, outputs, net_expressions)


def _upstream_paths(numbered: Layers, factors: _EdgeFactors) -> dict[int, tuple[Path, ...]]:
    """Every factor chain from the loss down to y_j, for every non-input neuron j.

    Built from the output layer back: a neuron's paths are each path of every
    neuron k it feeds, extended by dy_k/dnet_k and dnet_k/dy_j.
    """
    paths: dict[int, tuple[Path, ...]] = {k: ((factors.loss[k],),) for k in numbered[-1]}
    for layer, above in reversed(tuple(zip(numbered[1:-1], numbered[2:]))):
        for j in layer:
            paths[j] = tuple(path + (factors.activation[k], factors.between(j, k)) for k in above for path in paths[k])
    return paths


def fed_neuron(name: str) -> int:
    """The neuron j a parameter feeds: w_ij feeds j, b_j feeds j."""
    pair = parse_weight_name(name)
    if pair is not None:
        return pair[1]
    neuron = parse_bias_name(name)
    if neuron is None:
        raise ValueError(f"{name!r} is neither a weight nor a bias name")
    return neuron


def _parameter_derivation(
    name: str, symbol: sp.Symbol, paths: tuple[Path, ...], factors: _EdgeFactors
) -> ParameterDerivation:
    j = fed_neuron(name)
    local = (factors.activation[j], factors.into(j, symbol))
    upstream = sp.Add(*[sp.Mul(*[factor.expression for factor in path]) for path in paths])
    expression = upstream * sp.Mul(*[factor.expression for factor in local])
    return ParameterDerivation(name, symbol, paths, local, expression)


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
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    symbols = _symbols(layers, with_biases)
    numbered = neuron_layers(layers)
    net_expressions = _net_expressions(numbered, symbols, with_biases)
    activation_expressions = {j: act(net) for j, net in symbols.nets.items()}
    loss_symbol = sp.Symbol("L")
    symbols.latex_names[loss_symbol] = "L"
    loss_expression = _loss_expression(symbols, numbered[-1], loss)
    factors = _edge_factors(
        symbols, net_expressions, activation_expressions, loss_symbol, loss_expression, numbered[-1]
    )
    paths = _upstream_paths(numbered, factors)
    derivations = tuple(
        _parameter_derivation(name, symbol, paths[fed_neuron(name)], factors)
        for name, symbol in symbols.parameters.items()
    )
    return NetworkDerivation(
        layers=layers,
        activation=activation,
        loss=loss,
        with_biases=with_biases,
        inputs=symbols.inputs,
        targets=symbols.targets,
        net_symbols=symbols.nets,
        output_symbols=symbols.outputs,
        parameter_symbols=symbols.parameters,
        net_expressions=net_expressions,
        activation_expressions=activation_expressions,
        loss_symbol=loss_symbol,
        loss_expression=loss_expression,
        parameters=derivations,
        latex_names=symbols.latex_names,
    )


@dataclass(frozen=True)
class ForwardPass:
    """The value (SymPy Float, 30 digits) of every symbol, and the loss."""

    values: Mapping[sp.Symbol, sp.Float]
    loss: sp.Float

    def value(self, symbol: sp.Symbol) -> float:
        return float(self.values[symbol])


def evaluate_at(expression: sp.Expr, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Float:
    """`expression` at the given symbol values, EVALUATION_DIGITS digits; ValueError if a symbol is left."""
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
            values[net] = evaluate_at(derivation.net_expressions[j], values)
            values[derivation.output_symbols[j]] = evaluate_at(derivation.activation_expressions[j], values)
    loss = evaluate_at(derivation.loss_expression, values)
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
            cache[factor] = evaluate_at(factor.expression, forward.values)
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
