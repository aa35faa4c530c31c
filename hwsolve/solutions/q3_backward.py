"""Q3's backward pass as the write-up shows it: the deltas, output layer first, then every gradient from them.

Public API
----------
- ``DeltaStep``, ``delta_steps(route, forward, values)``: each delta_j =
  dL/dnet_j with its chain rule, its factors and their numbers.
- ``GradientStep``, ``gradient_steps(route, forward, values)``: each
  gradient as delta_j * y_i (a weight) or delta_j (a bias).
- ``OldWeight``, ``old_outgoing_weights(route, problem)``: the weights the
  hidden deltas use, at their values before the update.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from hwsolve.derive.backprop import ForwardPass
from hwsolve.derive.backprop_deltas import DeltaDerivation, DeltaRoute, DeltaValues
from hwsolve.problem.q3 import Q3Problem, weight_name
from hwsolve.solutions import q3_chain as chain
from hwsolve.solutions.base import template_only


@dataclass(frozen=True)
class DeltaStep:
    """delta_j = dL/dnet_j for one neuron: definition, chain rule, expression, numbers, value."""

    neuron: int
    role: str  # output or hidden
    latex_name: str  # \delta_{5}
    text_name: str  # δ5
    definition_latex: str  # \frac{\partial L}{\partial O_{5}}
    definition_text: str  # dL/dO5
    chain_latex: str  # the chain rule one level down
    chain_text: str
    expression_latex: str  # the factors as expressions
    expression_text: str
    factor_values: tuple[float, ...]
    value: float
    downstream: tuple[int, ...]  # the neurons whose deltas a hidden delta sums
    factors: tuple[sp.Expr, ...] = template_only(())  # SymPy factors, for the substituted numbers
    symbol_values: dict[sp.Symbol, float] = template_only(default_factory=dict)
    given_symbols: frozenset[sp.Symbol] = template_only(frozenset())  # the symbols whose values are given

    def numbers_latex(self, digits: int) -> str:
        """Each factor with every symbol replaced by its value."""
        return chain.product_latex(
            self.factors, lambda f: chain.substituted_latex(f, self.symbol_values, digits, self.given_symbols)
        )

    def numbers_text(self, digits: int) -> str:
        return chain.product_text(
            self.factors, lambda f: chain.substituted_text(f, self.symbol_values, digits, self.given_symbols)
        )


@dataclass(frozen=True)
class GradientStep:
    """dL/dparameter = delta_j * y_i (a weight from i to j), or delta_j (a bias of j)."""

    name: str
    latex_name: str
    neuron: int
    expression_latex: str  # \delta_{5} y_{3}
    expression_text: str  # δ5·y3
    delta: float
    source_value: float | None  # y_i, None for a bias
    value: float
    source_is_input: bool = False  # y_i is a given input x_i

    def numbers_latex(self, digits: int) -> str:
        pieces = [chain.number_latex(self.delta, digits)]
        if self.source_value is not None:
            pieces.append(chain.number_latex(self.source_value, digits, self.source_is_input))
        return chain.LATEX_TIMES.join(pieces)

    def numbers_text(self, digits: int) -> str:
        pieces = [chain.number_text(self.delta, digits)]
        if self.source_value is not None:
            pieces.append(chain.number_text(self.source_value, digits, self.source_is_input))
        return chain.TEXT_TIMES.join(pieces)


@dataclass(frozen=True)
class OldWeight:
    """An outgoing weight a hidden delta uses, at its value before the update."""

    name: str
    latex_name: str
    value: float


def _delta_chain(route: DeltaRoute, delta: DeltaDerivation) -> tuple[str, str]:
    """The chain rule one level down, (LaTeX, text): dL/dy_k dy_k/dO_k, or dy_j/dH_j (sum_k dnet_k/dy_j delta_k)."""
    names, d = route.latex_names, route.derivation
    net, out = names[delta.net_symbol], names[delta.output_symbol]
    if delta.role == "output":
        chain_latex = rf"\frac{{\partial L}}{{\partial {out}}} \frac{{\partial {out}}}{{\partial {net}}}"
        return chain_latex, f"dL/d{delta.output_symbol} · d{delta.output_symbol}/d{delta.net_symbol}"
    terms_latex = [
        rf"\frac{{\partial {names[d.net_symbols[k]]}}}{{\partial {out}}} {names[route.delta_symbols[k]]}"
        for k in delta.downstream
    ]
    terms_text = [f"d{d.net_symbols[k]}/d{delta.output_symbol}·δ{k}" for k in delta.downstream]
    summed_latex = terms_latex[0] if len(terms_latex) == 1 else rf"\left({' + '.join(terms_latex)}\right)"
    summed_text = terms_text[0] if len(terms_text) == 1 else f"({' + '.join(terms_text)})"
    chain_latex = rf"\frac{{\partial {out}}}{{\partial {net}}} {summed_latex}"
    return chain_latex, f"d{delta.output_symbol}/d{delta.net_symbol} · {summed_text}"


def delta_steps(route: DeltaRoute, forward: ForwardPass, values: DeltaValues) -> tuple[DeltaStep, ...]:
    """Every delta, output layer first, with its chain rule, factors and numbers."""
    names = route.latex_names
    symbol_values = {symbol: float(value) for symbol, value in forward.values.items()}
    symbol_values.update({route.delta_symbols[j]: value for j, value in values.deltas.items()})
    text_names = {symbol: f"δ{j}" for j, symbol in route.delta_symbols.items()}
    given = chain.given_symbols(route.derivation)
    steps = []
    for delta in route.deltas:
        chain_latex, chain_text = _delta_chain(route, delta)
        steps.append(
            DeltaStep(
                neuron=delta.neuron,
                role=delta.role,
                latex_name=names[delta.symbol],
                text_name=f"δ{delta.neuron}",
                definition_latex=rf"\frac{{\partial L}}{{\partial {names[delta.net_symbol]}}}",
                definition_text=f"dL/d{delta.net_symbol}",
                chain_latex=chain_latex,
                chain_text=chain_text,
                expression_latex=chain.product_latex(delta.factors, route.latex),
                expression_text=chain.product_text(delta.factors, lambda f: chain.named_text(f, text_names)),
                factor_values=values.factor_values[delta.neuron],
                value=values.deltas[delta.neuron],
                downstream=delta.downstream,
                factors=delta.factors,
                symbol_values={symbol: symbol_values[symbol] for symbol in delta.expression.free_symbols},
                given_symbols=given,
            )
        )
    return tuple(steps)


def gradient_steps(route: DeltaRoute, forward: ForwardPass, values: DeltaValues) -> tuple[GradientStep, ...]:
    """Every gradient as delta_j * y_i (or delta_j for a bias), in the deltas' order."""
    d = route.derivation
    steps = []
    for gradient in route.gradients:
        source = d.output_symbols[gradient.source] if gradient.source is not None else None
        steps.append(
            GradientStep(
                name=gradient.name,
                latex_name=d.latex_names[d.parameter_symbols[gradient.name]],
                neuron=gradient.neuron,
                expression_latex=route.latex(gradient.expression),
                expression_text=f"δ{gradient.neuron}·{source}" if source is not None else f"δ{gradient.neuron}",
                delta=values.deltas[gradient.neuron],
                source_value=forward.value(source) if source is not None else None,
                value=values.gradients[gradient.name],
                source_is_input=source in d.inputs,
            )
        )
    return tuple(steps)


def old_outgoing_weights(route: DeltaRoute, problem: Q3Problem) -> tuple[OldWeight, ...]:
    """The weights w_jk the hidden deltas sum over, in canonical order, at their values before the step."""
    d = route.derivation
    used = {weight_name(delta.neuron, k) for delta in route.deltas for k in delta.downstream}
    ordered = [name for name in d.parameter_symbols if name in used]
    return tuple(
        OldWeight(name, d.latex_names[d.parameter_symbols[name]], problem.parameters[name]) for name in ordered
    )
