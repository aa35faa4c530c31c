"""Backpropagation by deltas, the route a careful hand-written solution takes.

For every non-input neuron j the engine derives, once, its delta

    delta_j = dL/dnet_j                       (net_j is H_j or O_j)

output layer first, then each layer back towards the inputs:

    output neuron k:  delta_k = dL/dy_k * f'(net_k)
    softmax output k: delta_k = sum_m dL/dy_m * dy_m/dO_k      (its Jacobian couples the outputs)
    hidden neuron j:  delta_j = f'(net_j) * sum_k w_jk delta_k     (k: the next layer)

and then every gradient as one product,

    dL/dw_ij = delta_j * y_i        dL/db_j = delta_j

(y_i is x_i for an input). A hidden delta is written in the deltas of the
layer above, so nothing is derived twice, whatever the layer sizes. The sum
uses w_jk as it was when the forward pass ran: every gradient is taken
before any weight changes. f'(net_j) is written in the neuron's output where
the activation allows it (sigma' = y (1 - y), tanh' = 1 - y^2), as by hand.

With softmax and cross_entropy, a sigmoid output and bce, or an identity
output and half_mse, an output delta is the classic y_k - t_k. That is not
assumed: for every output delta SymPy cancels its own expression minus
y_k - t_k (for cross_entropy, with the targets summing to 1), and the
simplification is kept only when the difference is exactly 0
(``DeltaDerivation.simplified``).

Public API
----------
- ``derive_deltas(derivation)`` -> ``DeltaRoute`` (cached per network shape).
- ``DeltaRoute``: ``deltas`` (one ``DeltaDerivation`` per non-input neuron,
  output layer first), ``gradients`` (one ``GradientByDelta`` per parameter,
  in the same order: output layer's parameters first).
- ``evaluate_deltas(route, forward)`` -> ``DeltaValues``: every delta and
  every gradient at 30 digits, rounded to float64 only at the end.
- ``unrolled(route, expression)``: an expression in deltas rewritten in the
  forward pass's symbols alone (each y_j as f(net_j)), for checking the
  route against the full chain rule symbolically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from hwsolve.derive.backprop import (
    EVALUATION_DIGITS,
    ForwardPass,
    NetworkDerivation,
    derive_gradients,
    evaluate_at,
    fed_neuron,
)
from hwsolve.derive.backprop_activations import activation as activation_function
from hwsolve.derive.backprop_activations import softmax_jacobian
from hwsolve.problem.q3 import layer_activations, parse_weight_name, weight_name


@dataclass(frozen=True)
class DeltaDerivation:
    """delta_j = dL/dnet_j for one neuron, as a product of two factors.

    Output neuron: (dL/dy_j, f'(net_j)); a softmax output: the one factor
    sum_m dL/dy_m dy_m/dO_j. Hidden neuron: (f'(net_j), sum_k w_jk delta_k).
    ``expression`` is their product, unevaluated so it prints in that order.
    ``simplified``: y_j - t_j where SymPy proves the expression equal to it.
    """

    neuron: int
    role: str  # "output" or "hidden"
    symbol: sp.Symbol  # delta_j
    net_symbol: sp.Symbol  # H_j or O_j
    output_symbol: sp.Symbol  # y_j
    factors: tuple[sp.Expr, ...]
    expression: sp.Expr
    downstream: tuple[int, ...]  # the neurons k whose deltas a hidden delta sums over
    simplified: sp.Expr | None = None
    coupled: tuple[int, ...] = ()  # a softmax output delta: the outputs m it sums over


@dataclass(frozen=True)
class GradientByDelta:
    """dL/dparameter = delta_j * y_i (a weight from i to j) or delta_j (a bias of j)."""

    name: str
    neuron: int  # j, the neuron the parameter feeds
    source: int | None  # i, or None for a bias
    expression: sp.Expr


@dataclass(frozen=True)
class DeltaRoute:
    derivation: NetworkDerivation
    deltas: tuple[DeltaDerivation, ...]  # output layer first, then back towards the inputs
    gradients: tuple[GradientByDelta, ...]  # grouped by the deltas' order
    delta_symbols: Mapping[int, sp.Symbol]
    latex_names: Mapping[sp.Symbol, str]  # the derivation's names and delta_j

    def latex(self, expression: sp.Expr, **options: object) -> str:
        return str(sp.latex(expression, order="none", symbol_names=dict(self.latex_names), **options))

    def delta(self, neuron: int) -> DeltaDerivation:
        return next(delta for delta in self.deltas if delta.neuron == neuron)


def _output_form(derivative: sp.Expr, activated: sp.Expr, output: sp.Symbol) -> sp.Expr:
    """f'(net) with f(net) replaced by y: sigma(O5)(1 - sigma(O5)) -> y5 (1 - y5)."""
    if activated.is_Symbol:  # identity: f(net) is net itself, f' is 1
        return derivative
    return derivative.subs(activated, output)


def derive_deltas(derivation: NetworkDerivation) -> DeltaRoute:
    """Every delta and every gradient by delta, for the derivation's network."""
    d = derivation
    return _derive(d.layers, d.activations, d.loss, d.with_biases)


@lru_cache(maxsize=64)
def _derive(layers: tuple[int, ...], activations: tuple[str, ...], loss: str, with_biases: bool) -> DeltaRoute:
    d = derive_gradients(layers, layer_activations(activations, layers), loss, with_biases)
    numbered = d.neuron_layers
    delta_symbols = {j: sp.Symbol(f"delta{j}", real=True) for layer in numbered[1:] for j in layer}
    latex_names = {**d.latex_names, **{symbol: rf"\delta_{{{j}}}" for j, symbol in delta_symbols.items()}}
    deltas = tuple(
        _delta_of(d, j, numbered[depth + 1] if depth < len(numbered) - 1 else (), delta_symbols)
        for depth in range(len(numbered) - 1, 0, -1)  # the output layer first
        for j in numbered[depth]
    )
    return DeltaRoute(d, deltas, _gradients_by_delta(d, deltas, delta_symbols), delta_symbols, latex_names)


def _local_derivative(d: NetworkDerivation, j: int) -> sp.Expr:
    """dy_j/dnet_j, in y_j where the activation allows it."""
    net = d.net_symbols[j]
    activated = activation_function(d.activation_of(j))(net)
    return _output_form(sp.diff(d.activation_expressions[j], net), activated, d.output_symbols[j])


def _softmax_delta(d: NetworkDerivation, k: int) -> sp.Expr:
    """sum_m dL/dy_m * dy_m/dO_k over the softmax outputs, the Jacobian written in the outputs."""
    output_layer = d.neuron_layers[-1]
    outputs = [d.output_symbols[m] for m in output_layer]
    b = output_layer.index(k)
    terms = [
        sp.Mul(sp.factor(sp.diff(d.loss_expression, outputs[a])), softmax_jacobian(outputs, a, b), evaluate=False)
        for a in range(len(outputs))
    ]
    return sp.Add(*terms, evaluate=False)


def _proven_simplification(d: NetworkDerivation, j: int, expression: sp.Expr) -> sp.Expr | None:
    """y_j - t_j when SymPy proves the output delta equal to it (cross_entropy: with sum_k t_k = 1).

    Tried for every output delta, whatever the pairing: softmax + cross_entropy,
    sigmoid + bce and identity + half_mse simplify; nothing is assumed.
    """
    output_layer = d.neuron_layers[-1]
    target = d.targets[output_layer.index(j)]
    candidate = d.output_symbols[j] - target
    difference = expression - candidate
    if d.loss == "cross_entropy":  # the targets are a distribution: the last is 1 minus the others
        difference = difference.subs(d.targets[-1], 1 - sp.Add(*d.targets[:-1]))
    return candidate if sp.expand(sp.cancel(difference)) == 0 else None


def _delta_of(
    d: NetworkDerivation, j: int, downstream: tuple[int, ...], delta_symbols: Mapping[int, sp.Symbol]
) -> DeltaDerivation:
    """delta_j: dL/dy_j * f'(net_j) at the output (no downstream), f'(net_j) * sum_k w_jk delta_k before it."""
    coupled: tuple[int, ...] = ()
    if not downstream and d.softmax_output:
        factors: tuple[sp.Expr, ...] = (_softmax_delta(d, j),)
        coupled = d.neuron_layers[-1]
    elif not downstream:
        factors = (sp.factor(sp.diff(d.loss_expression, d.output_symbols[j])), _local_derivative(d, j))
    else:
        summed = sp.Add(
            *[sp.Mul(d.parameter_symbols[weight_name(j, k)], delta_symbols[k], evaluate=False) for k in downstream],
            evaluate=False,
        )
        factors = (_local_derivative(d, j), summed)
    kept = tuple(factor for factor in factors if factor != 1) or (sp.Integer(1),)  # a factor 1 is not written
    expression = kept[0] if len(kept) == 1 else sp.Mul(*kept, evaluate=False)
    role = "hidden" if downstream else "output"
    simplified = None if downstream else _proven_simplification(d, j, sp.Mul(*kept))
    return DeltaDerivation(
        j,
        role,
        delta_symbols[j],
        d.net_symbols[j],
        d.output_symbols[j],
        kept,
        expression,
        downstream,
        simplified,
        coupled,
    )


def _gradients_by_delta(
    d: NetworkDerivation, deltas: tuple[DeltaDerivation, ...], delta_symbols: Mapping[int, sp.Symbol]
) -> tuple[GradientByDelta, ...]:
    """dL/dw_ij = delta_j y_i and dL/db_j = delta_j, grouped in the deltas' order."""
    by_neuron: dict[int, list[GradientByDelta]] = {}
    for name in d.parameter_symbols:
        pair = parse_weight_name(name)
        source: int | None
        if pair is None:
            j, source = fed_neuron(name), None
            expression = delta_symbols[j]
        else:
            source, j = pair
            expression = sp.Mul(delta_symbols[j], d.output_symbols[source], evaluate=False)
        by_neuron.setdefault(j, []).append(GradientByDelta(name, j, source, expression))
    return tuple(gradient for delta in deltas for gradient in by_neuron[delta.neuron])


@dataclass(frozen=True)
class DeltaValues:
    """Each delta's factors and value, and each gradient by delta (30 digits, as floats)."""

    factor_values: Mapping[int, tuple[float, ...]]
    deltas: Mapping[int, float]  # neuron -> delta, in neuron order
    gradients: Mapping[str, float]  # parameter -> delta_j * y_i, in the derivation's canonical order
    exact_gradients: Mapping[str, sp.Float]  # the same at 30 digits, for a mini-batch's mean
    exact_deltas: Mapping[int, sp.Float]  # the deltas at 30 digits, for a mini-batch's mean


def evaluate_deltas(route: DeltaRoute, forward: ForwardPass) -> DeltaValues:
    """The deltas layer by layer, output first, each from the forward pass and the deltas above it."""
    values = dict(forward.values)
    factor_values: dict[int, tuple[float, ...]] = {}
    exact: dict[int, sp.Float] = {}
    for delta in route.deltas:
        factors = [evaluate_at(factor, values) for factor in delta.factors]
        value = sp.Float(1, EVALUATION_DIGITS)
        for factor in factors:
            value = value * factor
        exact[delta.neuron] = values[delta.symbol] = value
        factor_values[delta.neuron] = tuple(float(factor) for factor in factors)
    gradients = {gradient.name: evaluate_at(gradient.expression, values) for gradient in route.gradients}
    return DeltaValues(
        factor_values=factor_values,
        deltas={j: float(exact[j]) for j in sorted(exact)},
        gradients={name: float(gradients[name]) for name in route.derivation.parameter_symbols},
        exact_gradients={name: gradients[name] for name in route.derivation.parameter_symbols},
        exact_deltas={j: exact[j] for j in sorted(exact)},
    )


def unrolled(route: DeltaRoute, expression: sp.Expr) -> sp.Expr:
    """`expression` with every delta replaced by its derivation, down to the
    forward pass, and every non-input output y_j by f(net_j), so that it can
    be compared with the chain rule's expression for the same parameter."""
    d = route.derivation
    replacements = {delta.symbol: delta.expression for delta in route.deltas}
    result = expression
    for _ in route.deltas:  # at most one substitution per layer is needed; this bound is safe
        substituted = result.subs(replacements)
        if substituted == result:
            break
        result = substituted
    return in_net_inputs(d, result)


def in_net_inputs(derivation: NetworkDerivation, expression: sp.Expr) -> sp.Expr:
    """Every non-input neuron's output y_j written as f(net_j)."""
    return expression.subs(
        {derivation.output_symbols[j]: derivation.activation_expressions[j] for j in derivation.net_symbols}
    )
