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

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import sympy as sp

from hwsolve.derive.backprop import ForwardPass
from hwsolve.derive.backprop_deltas import DeltaDerivation, DeltaRoute, DeltaValues
from hwsolve.problem.q3 import Q3Problem, weight_name
from hwsolve.solutions import q3_chain as chain
from hwsolve.solutions.base import template_only


def _written_latex(factors: tuple[sp.Expr, ...], show: Callable[[sp.Expr], str], coupled: bool) -> str:
    """A delta's factors as a product; a softmax output's one factor, a sum over the outputs, term by term."""
    if coupled:
        return chain.sum_of_products_latex(factors[0], show)
    return chain.product_latex(factors, show)


def _written_text(factors: tuple[sp.Expr, ...], show: Callable[[sp.Expr], str], coupled: bool) -> str:
    if coupled:
        return chain.sum_of_products_text(factors[0], show)
    return chain.product_text(factors, show)


# A display row of an A4 page holds about three terms w_jk delta_k of a hidden delta's sum, two terms of a
# softmax output's (each a product of two derivatives), and two terms with their numbers; a longer sum is cut
# between terms.
TERMS_PER_ROW = 3
SOFTMAX_TERMS_PER_ROW = 2
NUMBER_TERMS_PER_ROW = 2


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
    coupled: bool = False  # a softmax output: its delta sums over every output of the layer
    # y_j - t_j where SymPy proved the output delta equal to it (softmax + cross_entropy, sigmoid + bce, ...).
    simplified_latex: str | None = None
    simplified_text: str | None = None
    # The chain rule and the expression as rows of an aligned display: one row unless a sum is long.
    chain_rows_latex: tuple[str, ...] = template_only(())
    expression_rows_latex: tuple[str, ...] = template_only(())
    sum_terms: int = template_only(1)  # the terms of the delta's sum: the neurons above it, or a softmax's outputs
    factors: tuple[sp.Expr, ...] = template_only(())  # SymPy factors, for the substituted numbers
    symbol_values: dict[sp.Symbol, float] = template_only(default_factory=dict)
    given_symbols: frozenset[sp.Symbol] = template_only(frozenset())  # the symbols whose values are given
    simplified: sp.Expr | None = template_only(None)

    def numbers_latex(self, digits: int) -> str:
        """Each factor with every symbol replaced by its value."""
        return _written_latex(
            self.factors,
            lambda f: chain.substituted_latex(f, self.symbol_values, digits, self.given_symbols),
            self.coupled,
        )

    def numbers_text(self, digits: int) -> str:
        return _written_text(
            self.factors,
            lambda f: chain.substituted_text(f, self.symbol_values, digits, self.given_symbols),
            self.coupled,
        )

    @property
    def simplification_is_new(self) -> bool:
        """The proven y_j - t_j differs from the expression as written (identity + half_mse is y_j - t_j already)."""
        if self.simplified_latex is None:
            return False
        return self.expression_latex not in (self.simplified_latex, rf"\left({self.simplified_latex}\right)")

    @property
    def wide(self) -> bool:
        """The chain rule or the expression takes more than one row: each gets rows of its own."""
        # Beside each other, a chain rule and an expression of three terms each fill more than a row.
        return len(self.chain_rows_latex) > 1 or len(self.expression_rows_latex) > 1 or self.sum_terms > 2

    def numbers_rows_latex(self, digits: int) -> tuple[str, ...]:
        """numbers_latex as rows of NUMBER_TERMS_PER_ROW terms, where the chain rule has rows too."""
        if not self.wide:
            return (self.numbers_latex(digits),)
        return _sum_rows_latex(
            self.factors,
            lambda f: chain.substituted_latex(f, self.symbol_values, digits, self.given_symbols),
            NUMBER_TERMS_PER_ROW,
            self.coupled,
        )

    def simplified_numbers_latex(self, digits: int) -> str:
        """y_j - t_j with the values substituted: 0.466509 - 1."""
        return chain.substituted_latex(self._simplified(), self.symbol_values, digits, self.given_symbols)

    def simplified_numbers_text(self, digits: int) -> str:
        return chain.substituted_text(self._simplified(), self.symbol_values, digits, self.given_symbols)

    def _simplified(self) -> sp.Expr:
        if self.simplified is None:
            raise ValueError(f"delta{self.neuron} has no proven simplification")
        return self.simplified


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


class _Chain(NamedTuple):
    """A delta's chain rule one level down: head (term + term + ...), in LaTeX, and the same in text."""

    head_latex: str  # before the sum: dy_j/dH_j of a hidden delta, nothing for a softmax output's
    terms_latex: tuple[str, ...]
    bracketed: bool  # the sum multiplies the head, so it is bracketed
    text: str

    @property
    def latex(self) -> str:
        return chain.wrapped_sum_latex(self.head_latex, self.terms_latex, len(self.terms_latex), self.bracketed)[0]


def _delta_chain(route: DeltaRoute, delta: DeltaDerivation) -> _Chain:
    """dL/dy_k dy_k/dO_k at an output; sum_m dL/dy_m dy_m/dO_k at a softmax output; dy_j/dH_j (sum_k dnet_k/dy_j
    delta_k) before the output."""
    names, d = route.latex_names, route.derivation
    net, out = names[delta.net_symbol], names[delta.output_symbol]
    net_text, out_text = str(delta.net_symbol), str(delta.output_symbol)
    if delta.coupled:  # the loss reaches a softmax output's net input through every output of the layer
        ys = [(names[d.output_symbols[m]], str(d.output_symbols[m])) for m in delta.coupled]
        terms = tuple(rf"\frac{{\partial L}}{{\partial {y}}} \frac{{\partial {y}}}{{\partial {net}}}" for y, _ in ys)
        return _Chain("", terms, False, " + ".join(f"dL/d{y} · d{y}/d{net_text}" for _, y in ys))
    if delta.role == "output":
        chain_latex = rf"\frac{{\partial L}}{{\partial {out}}} \frac{{\partial {out}}}{{\partial {net}}}"
        return _Chain("", (chain_latex,), False, f"dL/d{out_text} · d{out_text}/d{net_text}")
    terms_latex = tuple(
        rf"\frac{{\partial {names[d.net_symbols[k]]}}}{{\partial {out}}} {names[route.delta_symbols[k]]}"
        for k in delta.downstream
    )
    terms_text = [f"d{d.net_symbols[k]}/d{out_text}·δ{k}" for k in delta.downstream]
    summed_text = terms_text[0] if len(terms_text) == 1 else f"({' + '.join(terms_text)})"
    head = rf"\frac{{\partial {out}}}{{\partial {net}}} "
    return _Chain(head, terms_latex, len(terms_latex) > 1, f"d{out_text}/d{net_text} · {summed_text}")


def _sum_rows_latex(
    factors: tuple[sp.Expr, ...],
    show: Callable[[sp.Expr], str],
    per_line: int,
    coupled: bool,
    times: str = chain.LATEX_TIMES,
) -> tuple[str, ...]:
    """A delta's factors as rows of an aligned display: a long sum (the last factor) cut between its terms.

    ``times`` joins the factors of one term: a space between symbols (w_jk delta_k), a dot between numbers.
    """
    last = factors[-1]
    if not (isinstance(last, sp.Add) and len(last.args) > per_line):
        return (_written_latex(factors, show, coupled),)
    brackets = (r"\left(", r"\right)")
    terms = [chain.bracketed_product(term, show, times, brackets) for term in last.args]
    head = chain.product_latex(factors[:-1], show) + chain.LATEX_TIMES if len(factors) > 1 else ""
    return chain.wrapped_sum_latex(head, terms, per_line, bracketed=len(factors) > 1)


def _free_symbols(expression: sp.Expr | None) -> set[sp.Symbol]:
    return set() if expression is None else set(expression.free_symbols)


def delta_steps(route: DeltaRoute, forward: ForwardPass, values: DeltaValues) -> tuple[DeltaStep, ...]:
    """Every delta, output layer first, with its chain rule, factors and numbers."""
    names = route.latex_names
    symbol_values = {symbol: float(value) for symbol, value in forward.values.items()}
    symbol_values.update({route.delta_symbols[j]: value for j, value in values.deltas.items()})
    text_names = {symbol: f"δ{j}" for j, symbol in route.delta_symbols.items()}
    given = chain.given_symbols(route.derivation)
    steps = []
    for delta in route.deltas:
        written = _delta_chain(route, delta)
        per_row = SOFTMAX_TERMS_PER_ROW if delta.coupled else TERMS_PER_ROW
        steps.append(
            DeltaStep(
                neuron=delta.neuron,
                role=delta.role,
                latex_name=names[delta.symbol],
                text_name=f"δ{delta.neuron}",
                definition_latex=rf"\frac{{\partial L}}{{\partial {names[delta.net_symbol]}}}",
                definition_text=f"dL/d{delta.net_symbol}",
                chain_latex=written.latex,
                chain_text=written.text,
                chain_rows_latex=chain.wrapped_sum_latex(
                    written.head_latex, written.terms_latex, per_row, written.bracketed
                ),
                expression_rows_latex=_sum_rows_latex(delta.factors, route.latex, per_row, bool(delta.coupled), " "),
                sum_terms=len(written.terms_latex),
                expression_latex=_written_latex(delta.factors, route.latex, bool(delta.coupled)),
                expression_text=_written_text(
                    delta.factors, lambda f: chain.named_text(f, text_names), bool(delta.coupled)
                ),
                coupled=bool(delta.coupled),
                factor_values=values.factor_values[delta.neuron],
                value=values.deltas[delta.neuron],
                downstream=delta.downstream,
                simplified_latex=None if delta.simplified is None else route.latex(delta.simplified),
                simplified_text=None if delta.simplified is None else chain.named_text(delta.simplified, text_names),
                factors=delta.factors,
                symbol_values={
                    symbol: symbol_values[symbol]
                    for symbol in delta.expression.free_symbols | _free_symbols(delta.simplified)
                },
                given_symbols=given,
                simplified=delta.simplified,
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
