"""Writing one parameter's chain rule as LaTeX and as plain text.

A chain is a list of paths (each a list of factors) times the local factors.
One path is written as a flat product, as the homework does:
dL/dy5 * dy5/dO5 * dO5/dy3 * dy3/dH3 * dH3/dw13. Several paths are written
as a sum in brackets times the local factors, so the sum over paths shows.
The same layout serves the derivative symbols, the SymPy expressions and the
substituted numbers.
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

import sympy as sp

from hwsolve.derive.backprop import Factor, NetworkDerivation
from hwsolve.render.numbers import format_number, format_number_latex

Item = TypeVar("Item")

LATEX_TIMES = r" \cdot "
TEXT_TIMES = " · "


def layout(
    paths: Sequence[Sequence[Item]],
    local: Sequence[Item],
    show: Callable[[Item], str],
    times: str,
    brackets: tuple[str, str],
) -> str:
    """sum(prod(path)) * prod(local), written with `show` for each item."""
    local_text = times.join(show(item) for item in local)
    if len(paths) == 1:
        return times.join([show(item) for item in paths[0]] + [local_text])
    summed = " + ".join(times.join(show(item) for item in path) for path in paths)
    return f"{brackets[0]}{summed}{brackets[1]}{times}{local_text}"


def _symbol_latex(derivation: NetworkDerivation, symbol: sp.Symbol) -> str:
    return derivation.latex_names.get(symbol, sp.latex(symbol))


def factor_label_latex(derivation: NetworkDerivation, factor: Factor) -> str:
    top = _symbol_latex(derivation, factor.numerator)
    bottom = _symbol_latex(derivation, factor.denominator)
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def factor_label_text(factor: Factor) -> str:
    return f"d{factor.numerator}/d{factor.denominator}"


def _needs_brackets(expression: sp.Expr) -> bool:
    # A sum, or a leading minus, would be misread next to a multiplication dot.
    return isinstance(expression, sp.Add) or sp.sstr(expression, order="none").startswith("-")


def factor_expression_latex(derivation: NetworkDerivation, factor: Factor) -> str:
    text = sp.latex(factor.expression, order="none", symbol_names=dict(derivation.latex_names))
    return rf"\left({text}\right)" if _needs_brackets(factor.expression) else text


def factor_expression_text(factor: Factor) -> str:
    text = sp.sstr(factor.expression, order="none")
    return f"({text})" if _needs_brackets(factor.expression) else text


def number_latex(value: float, digits: int) -> str:
    text = format_number_latex(value, digits)
    return rf"\left({text}\right)" if value < 0 else text


def number_text(value: float, digits: int) -> str:
    text = format_number(value, digits)
    return f"({text})" if value < 0 else text
