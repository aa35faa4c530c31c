"""Q3's cross-reference: every parameter's gradient as the full chain rule, without deltas.

Public API: ``ParameterStep`` (one parameter's chain rule, its expressions,
numbers, value and update), ``parameter_steps(derivation, values,
problem, updated)`` (one per parameter, in canonical order) and
``chain_rule_shown(derivation)``: whether the network is small enough for
the path sums to be written out (at most ``SHOWN_PATHS`` paths into a neuron
and ``SHOWN_PARAMETERS`` parameters); beyond that they are still computed
and checked, but a page of path sums helps nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from hwsolve.derive.backprop import (
    Factor,
    GradientValue,
    NetworkDerivation,
    ParameterDerivation,
    cross_reference_paths,
)
from hwsolve.derive.backprop_deltas import DeltaRoute
from hwsolve.problem.q3 import Q3Problem
from hwsolve.solutions import q3_chain as chain

# A path sum is written on one line of the page: two paths of five factors
# fill an A4 line, so more are computed and checked but not written out.
SHOWN_PATHS = 2
SHOWN_PARAMETERS = 40

LATEX_BRACKETS = (r"\left(", r"\right)")
TEXT_BRACKETS = ("[", "]")


@dataclass(frozen=True)
class ParameterStep:
    """One parameter's gradient: chain rule, expression, numbers, value, update."""

    name: str
    latex_name: str
    chain_latex: str
    chain_text: str
    expression_latex: str
    expression_text: str
    path_count: int
    path_factor_values: tuple[tuple[float, ...], ...]
    path_values: tuple[float, ...]
    local_values: tuple[float, ...]
    value: float
    before: float
    updated: float
    # Which factors are a given value (a weight, an input), written as given.
    path_factor_given: tuple[tuple[bool, ...], ...] = ()
    local_given: tuple[bool, ...] = ()

    def _numbers(self, show: Callable[[tuple[float, bool]], str], times: str, brackets: tuple[str, str]) -> str:
        paths = [tuple(zip(values, given)) for values, given in zip(self.path_factor_values, self.path_factor_given)]
        return chain.layout(paths, tuple(zip(self.local_values, self.local_given)), show, times, brackets)

    def numbers_latex(self, digits: int) -> str:
        """The chain with every factor replaced by its value."""
        return self._numbers(
            lambda item: chain.number_latex(item[0], digits, item[1]), chain.LATEX_TIMES, LATEX_BRACKETS
        )

    def numbers_text(self, digits: int) -> str:
        return self._numbers(lambda item: chain.number_text(item[0], digits, item[1]), chain.TEXT_TIMES, TEXT_BRACKETS)


class _WrittenChain(NamedTuple):
    """One parameter's chain as derivative symbols and as expressions, in LaTeX and text."""

    chain_latex: str
    chain_text: str
    expression_latex: str
    expression_text: str


def _written(derivation: NetworkDerivation, parameter: ParameterDerivation) -> _WrittenChain:
    def written(show: Callable[[Factor], str], times: str, brackets: tuple[str, str]) -> str:
        return chain.layout(parameter.paths, parameter.local, show, times, brackets)

    return _WrittenChain(
        chain_latex=written(lambda f: chain.factor_label_latex(derivation, f), " ", LATEX_BRACKETS),
        chain_text=written(chain.factor_label_text, chain.TEXT_TIMES, TEXT_BRACKETS),
        expression_latex=written(
            lambda f: chain.factor_expression_latex(derivation, f), chain.LATEX_TIMES, LATEX_BRACKETS
        ),
        expression_text=written(chain.factor_expression_text, chain.TEXT_TIMES, TEXT_BRACKETS),
    )


def chain_rule_shown(derivation: NetworkDerivation) -> bool:
    return cross_reference_paths(derivation) <= SHOWN_PATHS and len(derivation.parameter_symbols) <= SHOWN_PARAMETERS


def parameter_steps(
    derivation: NetworkDerivation,
    values: Mapping[str, GradientValue],
    problem: Q3Problem,
    updated: Mapping[str, float],
) -> tuple[ParameterStep, ...]:
    """Every parameter's chain rule with its numbers, before and after the step."""
    given = chain.given_symbols(derivation)

    def is_given(factor: Factor) -> bool:  # a factor that is itself a weight or an input, e.g. dO5/dy3 = w35
        return factor.expression in given

    before = problem.parameters
    return tuple(
        ParameterStep(
            parameter.name,
            derivation.latex_names[parameter.symbol],
            *_written(derivation, parameter),
            path_count=len(parameter.paths),
            path_factor_values=values[parameter.name].path_factor_values,
            path_values=values[parameter.name].path_values,
            local_values=values[parameter.name].local_values,
            value=values[parameter.name].value,
            before=before[parameter.name],
            updated=updated[parameter.name],
            path_factor_given=tuple(tuple(is_given(f) for f in path) for path in parameter.paths),
            local_given=tuple(is_given(f) for f in parameter.local),
        )
        for parameter in derivation.parameters
    )


def written_expressions(
    derivation: NetworkDerivation, route: DeltaRoute, steps: tuple[ParameterStep, ...]
) -> dict[str, str]:
    """Each parameter's gradient in LaTeX: its chain rule where it is written out, else delta_j y_i."""
    if steps:
        return {step.name: step.expression_latex for step in steps}
    by_delta = {gradient.name: route.latex(gradient.expression) for gradient in route.gradients}
    return {name: by_delta[name] for name in derivation.parameter_symbols}
