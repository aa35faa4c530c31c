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
neurons of the next layer the paths are listed separately and summed. A
softmax output layer couples its neurons: the loss reaches O_k through every
output y_m, so each path through it carries dL/dy_m * dy_m/dO_k, and an
output-layer parameter's local factors are dnet_k/dparameter alone.

Each layer has its own activation (``activations``, one canonical name per
non-input layer). The loss is one sample's: mse sum_k (t_k - y_k)^2,
half_mse half of it, cross_entropy -sum_k t_k log y_k, bce
-sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)]; a mini-batch evaluates it per
sample and averages (hwsolve.solutions.q3_samples).

The number of paths grows as the product of the layer sizes, so the main
route is by deltas (hwsolve.derive.backprop_deltas); the path sums are a
cross-reference, computed once per neuron (every parameter into neuron j
shares j's paths) and only up to ``MAX_CROSS_REFERENCE_PATHS`` paths.

``derive_gradients`` takes four steps, one function each: the symbols
(``_symbols``), the net expressions net_j = sum_i w_ij y_i (+ b_j)
(``_net_expressions``), one factor per graph edge (``_edge_factors``), and
every neuron's upstream paths from the loss down to it, built from the
output layer back (``_upstream_paths``); each parameter's chain is then its
neuron's paths times the two local factors (``_parameter_derivation``).

Public API
----------
- ``derive_gradients(layers, activation, loss, with_biases=False)`` ->
  ``NetworkDerivation`` (symbolic only, cached); ``activation`` is one name
  or one per non-input layer.
- ``cross_reference_paths(derivation)``: the most paths any neuron has.
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

import mpmath
import sympy as sp

from hwsolve.derive.backprop_activations import activation as activation_function
from hwsolve.derive.backprop_activations import softmax_jacobian, softmax_outputs
from hwsolve.problem.q3 import (
    LOSSES,
    bias_name,
    layer_activations,
    neuron_layers,
    parse_bias_name,
    parse_weight_name,
    weight_name,
    weight_pairs,
)

EVALUATION_DIGITS = 30  # SymPy evaluates at this precision; float64 only at the end
# Beyond this many paths into one neuron, the path sums are not a cross-reference a person reads.
MAX_CROSS_REFERENCE_PATHS = 256


@dataclass(frozen=True)
class Factor:
    """d(numerator)/d(denominator) for one edge of the graph, as a SymPy expression."""

    numerator: sp.Symbol
    denominator: sp.Symbol
    expression: sp.Expr


Path = tuple[Factor, ...]  # a product of factors from the loss down to one neuron's output
Layer = tuple[int, ...]  # the neuron numbers of one layer
Layers = tuple[Layer, ...]  # neuron numbers per layer, inputs first


@dataclass(frozen=True)
class ParameterDerivation:
    """The chain rule for one parameter.

    ``paths``: every product of factors from the loss down to the output of
    the neuron the parameter feeds (one path for an elementwise output
    layer), or down to its net input for a softmax output neuron.
    ``local``: dy_j/dnet_j (not for softmax) and dnet_j/dparameter, common to
    every path. ``expression``: the whole derivative, sum(prod(path)) *
    prod(local), built on demand (it grows with the paths).
    """

    name: str
    symbol: sp.Symbol
    paths: tuple[Path, ...]
    local: tuple[Factor, ...]  # (dy_j/dnet_j,) dnet_j/dparameter
    neuron: int  # j, the neuron the parameter feeds

    @property
    def expression(self) -> sp.Expr:
        upstream = sp.Add(*[sp.Mul(*[factor.expression for factor in path]) for path in self.paths])
        return upstream * sp.Mul(*[factor.expression for factor in self.local])


@dataclass(frozen=True)
class NetworkDerivation:
    """Every symbol, expression and parameter derivation of one network shape."""

    layers: tuple[int, ...]
    activations: tuple[str, ...]  # one canonical name per non-input layer
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
    parameters: tuple[ParameterDerivation, ...]  # the chain rule per parameter; () above MAX_CROSS_REFERENCE_PATHS
    latex_names: Mapping[sp.Symbol, str]

    @property
    def neuron_layers(self) -> tuple[tuple[int, ...], ...]:
        return neuron_layers(self.layers)

    def latex(self, expression: sp.Expr) -> str:
        # order="none": sums print as built, outputs 5, 6, ..., 10 in neuron order (SymPy's own order sorts t10
        # before t5).
        return str(sp.latex(expression, order="none", symbol_names=dict(self.latex_names)))

    def activation_of(self, neuron: int) -> str:
        """The activation of the layer neuron j is in."""
        depth = next(depth for depth, layer in enumerate(self.neuron_layers) if neuron in layer)
        return self.activations[depth - 1]

    @property
    def softmax_output(self) -> bool:
        return self.activations[-1] == "softmax"

    def text(self, expression: sp.Expr) -> str:
        """Plain text as the rest of the text write-up: powers as ^, products with a middle dot: -y·log(y5)."""
        return str(sp.sstr(expression, order="none")).replace("**", "^").replace("*", "·")

    def loss_composed(self) -> sp.Expr:
        """The loss one level down: each output y_k replaced by f(sum_i w_ik y_i) (softmax: of every O_m)."""
        output_layer = self.neuron_layers[-1]
        nets = [self.net_expressions[k] for k in output_layer]
        if self.softmax_output:
            outputs = softmax_outputs(nets)
        else:
            act = activation_function(self.activations[-1])
            outputs = [act(net) for net in nets]
        # xreplace: each output is a plain symbol, and subs's pattern matching is slow on a softmax's sums.
        return self.loss_expression.xreplace({self.output_symbols[k]: y for k, y in zip(output_layer, outputs)})


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
    """One sample's loss in the outputs y_k and the targets t_k.

    "mse" is sum_k (t_k - y_k)^2 (the homework's, no 1/n) and "half_mse" half
    of it; "cross_entropy" is -sum_k t_k log y_k; "bce" is
    -sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)].
    """
    pairs = [(t, symbols.outputs[k]) for t, k in zip(symbols.targets, output_layer)]
    # evaluate=False keeps the outputs in neuron order when the expression is printed (order="none").
    if loss == "cross_entropy":
        return sp.Add(*[-t * sp.log(y) for t, y in pairs], evaluate=False)
    if loss == "bce":
        return sp.Add(*[-t * sp.log(y) - (1 - t) * sp.log(1 - y) for t, y in pairs], evaluate=False)
    squared_errors = sp.Add(*[(t - y) ** 2 for t, y in pairs], evaluate=False)
    return squared_errors / 2 if loss == "half_mse" else squared_errors


@dataclass(frozen=True)
class _EdgeFactors:
    """One Factor per graph edge, shared by every path that crosses it."""

    loss: Mapping[int, Factor]  # output k: dL/dy_k
    activation: Mapping[int, Factor]  # elementwise neuron j: dy_j/dnet_j
    jacobian: Mapping[tuple[int, int], Factor]  # softmax outputs (m, k): dy_m/dO_k
    nets: Mapping[int, sp.Symbol]
    outputs: Mapping[int, sp.Symbol]
    net_expressions: Mapping[int, sp.Expr]

    def between(self, j: int, k: int) -> Factor:
        """dnet_k/dy_j: how neuron k's net input depends on neuron j's output (w_jk)."""
        return _between(self.nets[k], self.outputs[j], self.net_expressions[k])

    def into(self, j: int, parameter: sp.Symbol) -> Factor:
        """dnet_j/dparameter: y_i for a weight from i, 1 for a bias."""
        return Factor(self.nets[j], parameter, _linear_derivative(self.net_expressions[j], parameter))


@lru_cache(maxsize=4096)
def _between(net: sp.Symbol, output: sp.Symbol, net_expression: sp.Expr) -> Factor:
    # One Factor per edge, however many paths cross it.
    return Factor(net, output, _linear_derivative(net_expression, output))


def _linear_derivative(net_expression: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """d net / d symbol of a net input sum_i y_i w_ij + b_j, which is linear in each symbol: its coefficient.

    The same as sp.diff (a test checks it on every edge), at a fraction of its cost on a wide layer.
    """
    return sp.sympify(net_expression.coeff(symbol))


def _edge_factors(
    symbols: NetworkSymbols,
    net_expressions: Mapping[int, sp.Expr],
    activation_expressions: Mapping[int, sp.Expr],
    loss_factors: tuple[sp.Symbol, sp.Expr],
    output_layer: tuple[int, ...],
    softmax_output: bool,
) -> _EdgeFactors:
    nets, outputs = symbols.nets, symbols.outputs
    loss_symbol, loss_expression = loss_factors
    loss = {k: Factor(loss_symbol, outputs[k], sp.factor(sp.diff(loss_expression, outputs[k]))) for k in output_layer}
    elementwise = [j for j in nets if not (softmax_output and j in output_layer)]
    activation = {j: Factor(outputs[j], nets[j], sp.diff(activation_expressions[j], nets[j])) for j in elementwise}
    jacobian: dict[tuple[int, int], Factor] = {}
    if softmax_output:
        layer_outputs = [outputs[k] for k in output_layer]
        for a, m in enumerate(output_layer):
            for b, k in enumerate(output_layer):
                jacobian[m, k] = Factor(outputs[m], nets[k], softmax_jacobian(layer_outputs, a, b))
    return _EdgeFactors(loss, activation, jacobian, nets, outputs, net_expressions)


def _paths_to_net(k: int, output_layer: Layer, factors: _EdgeFactors, to_output: tuple[Path, ...]) -> tuple[Path, ...]:
    """Every chain from the loss down to net_k: through dy_k/dnet_k, or through every softmax output y_m."""
    if factors.jacobian and k in output_layer:
        return tuple((factors.loss[m], factors.jacobian[m, k]) for m in output_layer)
    return tuple(path + (factors.activation[k],) for path in to_output)


def _upstream_paths(numbered: Layers, factors: _EdgeFactors) -> dict[int, tuple[Path, ...]]:
    """Every factor chain from the loss down to y_j, for every non-input neuron j.

    Built from the output layer back: a neuron's paths are each path down to
    the net input of every neuron k it feeds, extended by dnet_k/dy_j.
    """
    output_layer = numbered[-1]
    paths: dict[int, tuple[Path, ...]] = {k: ((factors.loss[k],),) for k in output_layer}
    for layer, above in reversed(tuple(zip(numbered[1:-1], numbered[2:]))):
        to_nets = {k: _paths_to_net(k, output_layer, factors, paths[k]) for k in above}
        for j in layer:
            paths[j] = tuple(path + (factors.between(j, k),) for k in above for path in to_nets[k])
    return paths


def _path_count(numbered: Layers, softmax_output: bool) -> int:
    """The most chain-rule paths into any neuron: the product of the sizes of the layers above the first hidden."""
    if len(numbered) < 3:
        return len(numbered[-1]) if softmax_output else 1
    count = math.prod(len(layer) for layer in numbered[2:])
    return count * len(numbered[-1]) if softmax_output else count


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
    name: str, symbol: sp.Symbol, paths: Mapping[int, tuple[Path, ...]], factors: _EdgeFactors, output_layer: Layer
) -> ParameterDerivation:
    j = fed_neuron(name)
    if factors.jacobian and j in output_layer:  # softmax: the paths reach O_j through every output
        to_net = _paths_to_net(j, output_layer, factors, ())
        return ParameterDerivation(name, symbol, to_net, (factors.into(j, symbol),), j)
    return ParameterDerivation(name, symbol, paths[j], (factors.activation[j], factors.into(j, symbol)), j)


def _activation_expressions(
    numbered: Layers, nets: Mapping[int, sp.Symbol], activations: tuple[str, ...]
) -> dict[int, sp.Expr]:
    """y_j = f(net_j) for every non-input neuron, with its layer's activation (softmax: of the whole layer)."""
    expressions: dict[int, sp.Expr] = {}
    for layer, name in zip(numbered[1:], activations):
        if name == "softmax":
            expressions.update(zip(layer, softmax_outputs([nets[j] for j in layer])))
        else:
            act = activation_function(name)
            expressions.update({j: act(nets[j]) for j in layer})
    return expressions


def cross_reference_paths(derivation: NetworkDerivation) -> int:
    """The most chain-rule paths into one neuron; above MAX_CROSS_REFERENCE_PATHS there is no cross-reference."""
    return _path_count(derivation.neuron_layers, derivation.softmax_output)


def derive_gradients(
    layers: tuple[int, ...],
    activation: str | tuple[str, ...] = "sigmoid",
    loss: str = "mse",
    with_biases: bool = False,
) -> NetworkDerivation:
    """Derive dL/dparameter for every weight (and bias) of the network, symbolically.

    ``activation``: one name for every non-input layer, or one per layer
    (comma-separated or a tuple). ``loss``: mse, half_mse, cross_entropy or
    bce (see ``_loss_expression``). Cached per network shape.
    """
    layers = tuple(int(size) for size in layers)
    return _derive(layers, layer_activations(activation, layers), loss, with_biases)


@lru_cache(maxsize=64)
def _derive(layers: tuple[int, ...], activations: tuple[str, ...], loss: str, with_biases: bool) -> NetworkDerivation:
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    symbols = _symbols(layers, with_biases)
    numbered = neuron_layers(layers)
    net_expressions = _net_expressions(numbered, symbols, with_biases)
    activation_expressions = _activation_expressions(numbered, symbols.nets, activations)
    loss_symbol = sp.Symbol("L")
    symbols.latex_names[loss_symbol] = "L"
    loss_expression = _loss_expression(symbols, numbered[-1], loss)
    softmax_output = activations[-1] == "softmax"
    factors = _edge_factors(
        symbols, net_expressions, activation_expressions, (loss_symbol, loss_expression), numbered[-1], softmax_output
    )
    within = _path_count(numbered, softmax_output) <= MAX_CROSS_REFERENCE_PATHS
    paths = _upstream_paths(numbered, factors) if within else {}
    derivations = (
        tuple(
            _parameter_derivation(name, symbol, paths, factors, numbered[-1])
            for name, symbol in symbols.parameters.items()
        )
        if within
        else ()
    )
    return NetworkDerivation(
        layers=layers,
        activations=activations,
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
    expression = sp.sympify(expression)
    # Only the symbols the expression has: evalf's cost grows with the substitutions it is handed.
    used = {symbol: values[symbol] for symbol in expression.free_symbols if symbol in values}
    result = expression.evalf(EVALUATION_DIGITS, subs=used)
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
        for j in layer:  # every net input of the layer first: a softmax output needs them all
            values[derivation.net_symbols[j]] = evaluate_at(derivation.net_expressions[j], values)
        for j in layer:
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
    """Substitute the forward pass into every factor; combine at 30 digits.

    Each factor is evaluated once by SymPy, and each neuron's paths once:
    every parameter into neuron j shares them. The products and sums over
    paths are taken in mpmath at the same 30 digits (SymPy's own numbers
    underneath, without SymPy's per-operation overhead on thousands of
    path products).
    """
    cache: dict[Factor, mpmath.mpf] = {}

    def value_of(factor: Factor) -> mpmath.mpf:
        if factor not in cache:
            cache[factor] = mpmath.mpf(evaluate_at(factor.expression, forward.values))
        return cache[factor]

    by_paths: dict[int, tuple[list[mpmath.mpf], tuple[tuple[float, ...], ...]]] = {}
    results = {}
    with mpmath.workdps(EVALUATION_DIGITS):
        one = mpmath.mpf(1)
        for parameter in derivation.parameters:
            key = parameter.neuron  # every parameter into neuron j has j's paths
            if key not in by_paths:
                exact = [math.prod((value_of(f) for f in path), start=one) for path in parameter.paths]
                by_paths[key] = (exact, tuple(tuple(float(value_of(f)) for f in path) for path in parameter.paths))
            path_values, path_factor_values = by_paths[key]
            local_values = [value_of(f) for f in parameter.local]
            total = math.prod(local_values, start=mpmath.fsum(path_values))  # dL/dy_j (dL/dnet_j) times the local
            results[parameter.name] = GradientValue(
                name=parameter.name,
                path_factor_values=path_factor_values,
                path_values=tuple(float(v) for v in path_values),
                local_values=tuple(float(v) for v in local_values),
                value=float(total),
            )
    return results
