"""Number formatting, LaTeX escaping and the template environments."""

import json
import math

import pytest

from hwsolve.io import to_json
from hwsolve.numbers import format_number, format_number_latex
from hwsolve.render.latex_escape import escape_latex


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.055348069877435735, 6, "0.0553481"),
        (0.755, 6, "0.755"),
        (2.1e-17, 2, "2.1e-17"),
        (0.0018581423216193194, 3, "0.00186"),
        (0.00018581423216193194, 3, "1.86e-4"),
        (-4.5, 4, "-4.5"),
        (0.0, 4, "0"),
        (1234567.0, 3, "1.23e6"),
        (12, 3, "12"),
    ],
)
def test_format_number_keeps_significant_digits(value, digits, expected):
    assert format_number(value, digits) == expected


def test_small_values_never_print_as_zero():
    for exponent in range(-30, 0):
        assert float(format_number(3.0 * 10.0**exponent, 3)) != 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.1e-17, r"2.1 \times 10^{-17}"), (1e-20, r"10^{-20}"), (0.25, "0.25"), (math.inf, r"\infty")],
)
def test_format_number_latex(value, expected):
    assert format_number_latex(value, 3) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a_b", r"a\_b"),
        ("50% & #1", r"50\% \& \#1"),
        ("{x}", r"\{x\}"),
        ("~^", r"\textasciitilde{}\textasciicircum{}"),
        ("\\", r"\textbackslash{}"),
        ("$5", r"\$5"),
    ],
)
def test_escape_latex(text, expected):
    assert escape_latex(text) == expected


def test_to_json_keeps_full_precision_and_rejects_nan():
    data = json.loads(to_json({"x": 0.1 + 0.2, "nan": float("nan"), "t": (1, 2)}))
    assert data == {"x": 0.30000000000000004, "nan": None, "t": [1, 2]}


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.39428, 6, "0.394280"),
        (0.795222, 6, "0.795222"),
        (0.9999996, 6, "1.00000"),
        (99.99996, 6, "100.000"),
        (1.23e-5, 3, "1.23e-5"),
        (2e-5, 3, "2.00e-5"),
        (-0.5, 3, "-0.500"),
    ],
)
def test_keep_zeros_gives_every_value_the_same_significant_figures(value, digits, expected):
    assert format_number(value, digits, keep_zeros=True) == expected


def test_keep_zeros_in_latex_and_fixed_decimals():
    from hwsolve.numbers import format_fixed

    assert format_number_latex(2e-5, 3, keep_zeros=True) == r"2.00 \times 10^{-5}"
    assert [format_fixed(value, 4) for value in (0.316227766, 0.01, -0.00001)] == ["0.3162", "0.0100", "0.0000"]
