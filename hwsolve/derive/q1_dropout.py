"""Inverted dropout (Q1b), in SymPy.

Training: y_i = x_i m_i / (1 - p) with m_i ~ Bernoulli(1 - p) (m_i = 1 keeps
unit i). Test: y = x. The 1/(1 - p) scaling is what makes the two agree in
expectation: E[m / (1 - p)] = (1 - p) / (1 - p) = 1, so E[y_i] = x_i.

Values are exact: the inputs and rates are read as rationals ("0.4" -> 2/5),
so -4.5 / (1 - 2/5) is exactly -15/2.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.stats import Bernoulli, E, variance


@dataclass(frozen=True)
class DropoutExpectation:
    rate: sp.Symbol
    scaled_mask_expectation: sp.Expr  # E[m/(1-p)], simplifies to 1
    scaled_mask_variance: sp.Expr  # Var[m/(1-p)] = p/(1-p): the price of the scaling

    @property
    def unbiased(self) -> bool:
        return bool(sp.simplify(self.scaled_mask_expectation - 1) == 0)


def derive_dropout_expectation() -> DropoutExpectation:
    rate = sp.Symbol("p", positive=True)
    keep = Bernoulli("m", 1 - rate)
    scaled = keep / (1 - rate)
    spread = sp.simplify(variance(scaled))
    readable = rate / (1 - rate)  # SymPy prints -p/(p - 1); show p/(1 - p) once proven equal
    return DropoutExpectation(rate, sp.simplify(E(scaled)), readable if sp.simplify(spread - readable) == 0 else spread)


def exact(value: float | str) -> sp.Rational:
    """'0.4' -> 2/5, -4.5 -> -9/2: the decimal the user wrote, as an exact rational."""
    return sp.Rational(str(value))


def inverted_dropout_exact(x: tuple[float, ...], mask: tuple[int, ...], rate: str | float) -> list[sp.Rational]:
    """Training-time output x_i m_i / (1 - p), exactly."""
    keep_scale = 1 / (1 - exact(rate))
    return [exact(value) * int(kept) * keep_scale for value, kept in zip(x, mask)]


def inverted_dropout_test_exact(x: tuple[float, ...]) -> list[sp.Rational]:
    """Test time: nothing is dropped and nothing is scaled."""
    return [exact(value) for value in x]
