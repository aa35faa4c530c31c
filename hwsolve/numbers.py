"""Display formatting of numbers.

Stored values are always full float64; `digits` is display precision only.
Small values never collapse to 0.000: we format by significant digits and
switch to scientific notation outside [1e-3, 1e6).
"""

from __future__ import annotations

import math

DEFAULT_DIGITS = 6


def _split_scientific(value: float, digits: int, keep_zeros: bool = False) -> tuple[str, int]:
    mantissa, exponent = f"{value:.{max(digits - 1, 0)}e}".split("e")
    return (mantissa if keep_zeros else _trim(mantissa)), int(exponent)


def _trim(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _uses_scientific(value: float) -> bool:
    magnitude = abs(value)
    return magnitude != 0 and (magnitude < 1e-3 or magnitude >= 1e6)


def format_number(value: float | int, digits: int = DEFAULT_DIGITS, keep_zeros: bool = False) -> str:
    """Plain-text number with `digits` significant digits, e.g. 0.0553481, 2.1e-17.

    Trailing zeros are trimmed (0.35, not 0.350000) unless `keep_zeros`: a
    table column then shows every value with the same significant figures
    (0.394280 beside 0.795222, never 0.39428).
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0:
        return "0"
    if _uses_scientific(value):
        mantissa, exponent = _split_scientific(value, digits, keep_zeros)
        return f"{mantissa}e{exponent}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{decimals}f}"
    # Rounding can carry into a new digit (0.9999996 -> 1.00000): recount.
    if keep_zeros and len(text.replace("-", "").replace(".", "").lstrip("0")) > digits and decimals > 0:
        text = f"{value:.{decimals - 1}f}"
    return text if keep_zeros else _trim(text)


def format_number_latex(value: float | int, digits: int = DEFAULT_DIGITS, keep_zeros: bool = False) -> str:
    """Math-mode LaTeX for a number: 2.1 \\times 10^{-17} instead of 2.1e-17.

    Markdown uses it too (inside $...$), so both formats write powers of ten
    the same way.
    """
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return r"\infty" if value > 0 else (r"-\infty" if value < 0 else r"\mathrm{NaN}")
    if isinstance(value, float) and _uses_scientific(value):
        mantissa, exponent = _split_scientific(float(value), digits, keep_zeros)
        if mantissa in ("1", "-1"):
            sign = "-" if mantissa.startswith("-") else ""
            return f"{sign}10^{{{exponent}}}"
        return f"{mantissa} \\times 10^{{{exponent}}}"
    return format_number(value, digits, keep_zeros)


def format_fixed(value: float | int, decimals: int) -> str:
    """A fixed number of decimals, zeros kept (0.3162, 0.0100): for a column whose values share a scale."""
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    text = f"{value:.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def format_percent(fraction: float, digits: int = 3, keep_zeros: bool = False) -> str:
    """0.0213 -> '2.13%'."""
    return f"{format_number(100.0 * float(fraction), digits, keep_zeros)}%"
