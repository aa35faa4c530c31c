"""Writing one parameter's chain rule as LaTeX and as plain text.

A chain is a list of paths (each a list of factors) times the local factors.
One path is written as a flat product, as the homework does:
dL/dy5 * dy5/dO5 * dO5/dy3 * dy3/dH3 * dH3/dw13. Several paths are written
as a sum in brackets times the local factors, so the sum over paths shows.
The same layout serves the derivative symbols, the SymPy expressions and the
substituted numbers. ``substituted_latex``/``substituted_text`` write any
expression (a delta, the loss) with each symbol replaced by its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import sympy as sp
from sympy.printing.str import StrPrinter

from hwsolve.derive.backprop import Factor, NetworkDerivation
from hwsolve.numbers import format_number, format_number_latex

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


def given_symbols(derivation: NetworkDerivation) -> frozenset[sp.Symbol]:
    """The symbols whose values are given (inputs, targets, parameters): written as given, 0.35."""
    return frozenset((*derivation.inputs, *derivation.targets, *derivation.parameter_symbols.values()))


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


# A given value (an input, a target, a weight) is written as given, 0.35; a
# computed one with all its significant digits, 0.0147090 and never 0.014709,
# so a number reads the same in the derivation, the tables and the figure.
def number_latex(value: float, digits: int, given: bool = False) -> str:
    text = format_number_latex(value, digits, keep_zeros=not given)
    return rf"\left({text}\right)" if value < 0 else text


def number_text(value: float, digits: int, given: bool = False) -> str:
    text = format_number(value, digits, keep_zeros=not given)
    return f"({text})" if value < 0 else text


def _number_as_symbol_latex(value: float, digits: int, given: bool) -> str:
    # A negative number or a power of ten stands where a symbol stood, so it
    # needs brackets before a power or after a multiplication dot.
    text = format_number_latex(value, digits, keep_zeros=not given)
    return rf"\left({text}\right)" if value < 0 or "10^" in text else text


def substituted_latex(
    expression: sp.Expr, values: Mapping[sp.Symbol, float], digits: int, given: frozenset[sp.Symbol] = frozenset()
) -> str:
    """The expression as written, each symbol replaced by its value: -2 (0.5 - 0.690283) ...

    ``given``: the symbols whose values are given (written as given, 0.5).
    """
    names = {symbol: _number_as_symbol_latex(value, digits, symbol in given) for symbol, value in values.items()}
    return str(sp.latex(expression, order="none", symbol_names=names, mul_symbol="dot"))


class _NamedStrPrinter(StrPrinter):  # type: ignore[misc]  # SymPy ships no types: StrPrinter is Any to mypy
    """SymPy's str printer with chosen names for some symbols, terms in the written order."""

    def __init__(self, names: Mapping[sp.Symbol, str]):
        super().__init__({"order": "none"})
        self._names = names

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return self._names.get(expr, expr.name)


def named_text(expression: sp.Expr, names: Mapping[sp.Symbol, str]) -> str:
    """Plain text with a middle dot for products and ^ for powers: -2·(y - y5)·y5·(1 - y5)."""
    written: str = _NamedStrPrinter(names).doprint(expression)
    return written.replace("**", "^").replace("*", "·")


def substituted_text(
    expression: sp.Expr, values: Mapping[sp.Symbol, float], digits: int, given: frozenset[sp.Symbol] = frozenset()
) -> str:
    return named_text(
        expression, {symbol: number_text(value, digits, symbol in given) for symbol, value in values.items()}
    )


def product_latex(factors: Sequence[sp.Expr], show: Callable[[sp.Expr], str]) -> str:
    """Factors joined by a multiplication dot, a sum (or a later leading minus) in brackets."""
    pieces = []
    for index, factor in enumerate(factors):
        text = show(factor)
        if isinstance(factor, sp.Add) and len(factor.args) > 1 or (index and text.lstrip().startswith("-")):
            text = rf"\left({text}\right)"
        pieces.append(text)
    return LATEX_TIMES.join(pieces)


def product_text(factors: Sequence[sp.Expr], show: Callable[[sp.Expr], str]) -> str:
    pieces = []
    for index, factor in enumerate(factors):
        text = show(factor)
        if isinstance(factor, sp.Add) and len(factor.args) > 1 or (index and text.startswith("-")):
            text = f"({text})"
        pieces.append(text)
    return TEXT_TIMES.join(pieces)


def bracketed_product(term: sp.Expr, show: Callable[[sp.Expr], str], times: str, brackets: tuple[str, str]) -> str:
    """One term of a sum: its factors joined, each sum or negative factor in brackets (no '+ -' in the sum)."""
    factors = term.args if isinstance(term, sp.Mul) else (term,)
    pieces = []
    for factor in factors:
        text = show(factor)
        if isinstance(factor, sp.Add) and len(factor.args) > 1 or text.lstrip().startswith("-"):
            text = f"{brackets[0]}{text}{brackets[1]}"
        pieces.append(text)
    return times.join(pieces)


def sum_of_products_latex(total: sp.Expr, show: Callable[[sp.Expr], str]) -> str:
    """A sum of products, as a softmax output's delta is: each term's factors joined, the terms by +."""
    terms = total.args if isinstance(total, sp.Add) else (total,)
    return " + ".join(bracketed_product(term, show, LATEX_TIMES, (r"\left(", r"\right)")) for term in terms)


def sum_of_products_text(total: sp.Expr, show: Callable[[sp.Expr], str]) -> str:
    terms = total.args if isinstance(total, sp.Add) else (total,)
    return " + ".join(bracketed_product(term, show, TEXT_TIMES, ("(", ")")) for term in terms)


def wrapped_sum_latex(head: str, terms: Sequence[str], per_line: int, bracketed: bool) -> tuple[str, ...]:
    """head (t1 + t2 + ...) as rows of at most `per_line` terms, for an aligned display.

    A display never breaks across a page or a line by itself, so a long sum
    is cut between terms: a bracket opened on one row is closed with an
    invisible \\right. and reopened with \\left. on the next, which both
    LaTeX and GitHub's MathJax accept.
    """
    opening, closing = (r"\left(", r"\right)") if bracketed else ("", "")
    chunks = [list(terms[start : start + per_line]) for start in range(0, len(terms), per_line)] or [[]]
    rows = []
    for index, chunk in enumerate(chunks):
        first, last = index == 0, index == len(chunks) - 1
        left = opening if first else (r"\left. + " if bracketed else "+ ")
        right = closing if last else (r"\right." if bracketed else "")
        rows.append(f"{head if first else ''}{left}{' + '.join(chunk)}{right}")
    return tuple(rows)


def signed_rows_latex(terms: Sequence[str], per_row: int) -> tuple[str, ...]:
    """Terms of a sum written by SymPy (each with its own leading minus) as rows of at most `per_row` terms."""
    pieces = [
        term if index == 0 else (f"- {term[1:].lstrip()}" if term.startswith("-") else f"+ {term}")
        for index, term in enumerate(terms)
    ]
    return tuple(" ".join(pieces[start : start + per_row]) for start in range(0, len(pieces), per_row))


def sum_rows_latex(expression: sp.Expr, show: Callable[[sp.Expr], str], per_row: int) -> tuple[str, ...]:
    """A loss (a sum over the outputs) as rows of at most `per_row` terms, each term with its own sign."""
    terms = _flat_terms(expression)
    if len(terms) > per_row:
        return signed_rows_latex([show(term) for term in terms], per_row)
    return (show(expression),)


def _flat_terms(expression: sp.Expr) -> list[sp.Expr]:
    """The terms of a sum, a sum of sums (bce's two logs per output) flattened in the order written."""
    if not isinstance(expression, sp.Add):
        return [expression]
    return [term for argument in expression.args for term in _flat_terms(argument)]
