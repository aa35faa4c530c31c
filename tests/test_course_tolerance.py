"""hwsolve.course.tolerance: every rule at and just past its band edges, hand-computed, and the option parser.

The real example: the key's updated Q3 weights 0.0981419, 0.795222, 0.585291,
0.845997, 0.244652 and 0.394280, which a student truncated to two decimals.
Truncation is wrong wherever the third decimal is 5 or more, and right
(it is the rounding too) where it is below 5.
"""

from __future__ import annotations

import math

import pytest

from hwsolve.course.tolerance import (
    DEFAULT_TOLERANCE,
    SEPARATION_TOLERANCE,
    Tolerance,
    parse_tolerance,
    rounded,
    truncated,
)

KEY = 0.0981419  # the key's updated w13


# --- rel ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected", "right"),
    [
        (5.0, 4.0, True),  # |5 - 4| = 1 = 0.25 * 4: on the edge (every number here is exact in binary)
        (3.0, 4.0, True),
        (5.000001, 4.0, False),
        (2.999999, 4.0, False),
        (-5.0, -4.0, True),  # the band is relative to |expected|
        (-5.000001, -4.0, False),
        (0.0, 0.0, True),  # an expected 0 needs exactly 0
        (1e-300, 0.0, False),
    ],
)
def test_rel_band(given, expected, right):
    assert parse_tolerance("rel:0.25").accepts(given, expected, decimals=6) is right


def test_rel_1e_3_on_the_key():
    rule = parse_tolerance("rel:1e-3")  # band 0.0981419e-3 = 9.81419e-5
    assert rule.accepts(0.0982, KEY, 4)  # off by 5.81e-5
    assert rule.accepts(0.09805, KEY, 5)  # off by 9.19e-5
    assert not rule.accepts(0.0983, KEY, 4)  # off by 1.581e-4
    assert not rule.accepts(0.09804, KEY, 5)  # off by 1.019e-4


# --- abs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "right"),
    [
        (1.5, True),  # exactly 0.5 away (exact in binary)
        (0.5, True),
        (1.5000001, False),
        (0.4999999, False),
    ],
)
def test_abs_band_exact_edge(given, right):
    assert parse_tolerance("abs:0.5").accepts(given, 1.0, decimals=1) is right


@pytest.mark.parametrize(
    ("given", "right"),
    [
        (0.1031, True),  # off by 0.0049581
        (0.0932, True),  # off by 0.0049419
        (0.1032, False),  # off by 0.0050581
        (0.0931, False),  # off by 0.0050419
    ],
)
def test_abs_0_005_on_the_key(given, right):
    assert parse_tolerance("abs:0.005").accepts(given, KEY, 4) is right


# --- sigfig ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "right"),
    [
        (0.0981, True),  # off by 4.19e-5; the band at 3 figures of 0.0981419 is 0.51e-4
        (0.0981919, True),  # off by 0.50e-4
        (0.0980919, True),  # off by 0.50e-4 below
        (0.0981939, False),  # off by 0.52e-4
        (0.0980899, False),  # off by 0.52e-4 below
        (0.0982, False),  # off by 5.81e-5
        (0.098, False),  # off by 1.419e-4: two figures are not three
    ],
)
def test_sigfig_3_on_the_key(given, right):
    assert parse_tolerance("sigfig:3").accepts(given, KEY, 4) is right


def test_sigfig_band_follows_the_magnitude():
    rule = parse_tolerance("sigfig:3")
    assert rule.accepts(1005.0, 1000.0, 0)  # 1.00e3: the last place is 10, the band 5.1
    assert not rule.accepts(1005.2, 1000.0, 1)
    assert rule.accepts(-0.5858, -0.585291, 4)  # 5.85e-1: band 5.1e-4, off by 5.09e-4
    assert not rule.accepts(-0.5859, -0.585291, 4)  # off by 6.09e-4
    assert rule.accepts(0.0, 0.0, 2)
    assert not rule.accepts(1e-300, 0.0, 2)


def test_sigfig_just_below_a_power_of_ten_keeps_its_own_last_place():
    # 999.9999999999999 has 3 figures 1.00e3 when rounded, but its own leading
    # digit is in the hundreds: the last of 3 figures is the units, band 0.51.
    # (math.log10 of it is 3.0, which would make the band 5.1.)
    rule = parse_tolerance("sigfig:3")
    assert rule.accepts(1000.5, 999.9999999999999, 1)
    assert not rule.accepts(1004.0, 999.9999999999999, 0)


def test_sigfig_1_and_15():
    assert parse_tolerance("sigfig:1").accepts(0.1, KEY, 1)  # band 0.51e-2, off by 0.0018581
    assert not parse_tolerance("sigfig:1").accepts(0.09, KEY, 2)  # off by 0.0081419
    assert parse_tolerance("sigfig:15").accepts(KEY, KEY, 7)


# --- decdig ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "right"),
    [
        (0.1, True),  # off by 0.0018581; the band at 2 decimals is 0.0051
        (0.094, True),  # off by 0.0041419
        (0.1032, True),  # off by 0.0050581
        (0.093, False),  # off by 0.0051419
        (0.1033, False),  # off by 0.0051581
        (0.09, False),  # off by 0.0081419: the key truncated
    ],
)
def test_decdig_2_on_the_key(given, right):
    assert parse_tolerance("decdig:2").accepts(given, KEY, 2) is right


def test_decdig_band_does_not_follow_the_magnitude():
    rule = parse_tolerance("decdig:1")  # band 0.051 wherever the number is
    assert rule.accepts(1000.05, 1000.0, 2)
    assert not rule.accepts(1000.052, 1000.0, 3)
    assert rule.accepts(0.05, 0.0, 2)


# --- default -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected", "decimals", "right"),
    [
        (0.0981, 0.09814, 4, True),  # 0.09814 rounds to 0.0981 at 4 decimals
        (0.09, 0.0981, 2, False),  # 0.0981 rounds to 0.10 at 2 decimals
        (0.1, 0.0981, 1, True),  # one decimal is judged at 2: 0.10 == 0.10
        (0.0, 0.04, 1, False),  # 0.04 at 2 decimals is 0.04, not 0.00
        (0.13, 0.125, 2, True),  # half away from zero: 0.125 -> 0.13 (half-even would give 0.12)
        (0.12, 0.125, 2, True),  # an exact tie: rounded down is no mistake either
        (-0.13, -0.125, 2, True),
        (2.67, 2.675, 2, True),  # 2.675 as a person reads it (its repr) is a tie: both neighbours are right
        (2.68, 2.675, 2, True),
        (0.0, 0.0047, 2, False),  # judged at 3 decimals, the key's first figure: 0.000 is not 0.005
        (0.0, 0.0047, 0, False),
        (0.005, 0.0047, 3, True),
        (0.1, 0.0981419, 1, True),  # the first figure is at 2 decimals: 0.10 == 0.10
        (123.5, 123.456, 1, True),  # 123.50 != 123.46, but within rel 1e-3: off by 0.044 <= 0.123456
        (123.3, 123.456, 1, False),  # off by 0.156 > 0.123456
        (0.0982, KEY, 4, True),  # 0.0981 at 4 decimals, but off by 5.81e-5 <= 9.81419e-5
        (0.0983, KEY, 4, False),  # off by 1.581e-4
        (KEY, KEY, 7, True),
    ],
)
def test_default_rule(given, expected, decimals, right):
    assert DEFAULT_TOLERANCE.accepts(given, expected, decimals) is right


@pytest.mark.parametrize(
    ("key", "as_truncated", "as_rounded", "truncation_right"),
    [
        (0.0981419, 0.09, 0.10, False),
        (0.795222, 0.79, 0.80, False),
        (0.585291, 0.58, 0.59, False),
        (0.845997, 0.84, 0.85, False),
        (0.244652, 0.24, 0.24, True),
        (0.394280, 0.39, 0.39, True),
    ],
)
def test_truncated_updated_weights(key, as_truncated, as_rounded, truncation_right):
    assert truncated(key, 2) == as_truncated
    assert rounded(key, 2) == as_rounded
    assert DEFAULT_TOLERANCE.accepts(as_truncated, key, 2) is truncation_right
    assert DEFAULT_TOLERANCE.accepts(as_rounded, key, 2)
    assert truncated(-key, 2) == -as_truncated  # towards zero on both sides
    assert rounded(-key, 2) == -as_rounded


def test_non_finite_numbers():
    for rule in (DEFAULT_TOLERANCE, parse_tolerance("rel:1"), parse_tolerance("sigfig:3")):
        assert not rule.accepts(math.nan, KEY, 2)
        assert not rule.accepts(math.inf, KEY, 2)
        assert not rule.accepts(math.nan, math.nan, 2)


# --- truncated / rounded -----------------------------------------------------------------------


def test_truncated_and_rounded_work_on_the_decimal_a_person_reads():
    assert truncated(0.0981419, 2) == 0.09
    assert truncated(-0.585291, 2) == -0.58
    assert truncated(0.845997, 2) == 0.84
    assert truncated(-2.7, 0) == -2.0
    assert rounded(2.5, 0) == 3.0  # half away from zero, not Python's round() (2.0)
    assert rounded(-2.5, 0) == -3.0
    assert rounded(0.125, 2) == 0.13
    assert rounded(2.675, 2) == 2.68  # its repr, 2.675, not the float just below it
    # 0.29 is stored as 0.28999999999999998002, but a student truncating 0.29 writes 0.29.
    assert truncated(0.29, 2) == 0.29
    assert truncated(0.39999999999999997, 2) == 0.4  # H3 = 0.35*0.4 + 0.9*0.3, a 2-decimal value
    assert truncated(0.5, 2) == 0.5


def test_truncated_and_rounded_extremes():
    assert truncated(1e300, 2) == 1e300  # no precision overflow on a 301-digit integer part
    assert rounded(-1.7976931348623157e308, 3) == -1.7976931348623157e308
    assert truncated(5e-324, 2) == 0.0
    assert rounded(5e-324, 2) == 0.0
    assert truncated(math.inf, 2) == math.inf
    assert math.isnan(rounded(math.nan, 2))
    with pytest.raises(ValueError, match="decimals must be >= 0"):
        truncated(1.0, -1)


# --- describe and spec -------------------------------------------------------------------------


def test_describe():
    assert DEFAULT_TOLERANCE.describe(0.09814, 4) == "equals the key rounded to 4 decimals (0.0981) or within rel 1e-3"
    assert DEFAULT_TOLERANCE.describe(0.0981, 1) == "equals the key rounded to 2 decimals (0.10) or within rel 1e-3"
    assert DEFAULT_TOLERANCE.describe(-0.125, 2) == "equals the key rounded to 2 decimals (-0.13) or within rel 1e-3"
    assert parse_tolerance("rel:1e-3").describe(KEY, 4) == "within rel 1e-3"
    assert parse_tolerance("rel:5e-5").describe(KEY, 4) == "within rel 5e-5"
    assert parse_tolerance("abs:0.005").describe(KEY, 4) == "within abs 0.005"
    assert parse_tolerance("abs:2").describe(KEY, 4) == "within abs 2"
    assert parse_tolerance("sigfig:3").describe(KEY, 4) == "3 significant figures (±0.51 in the last place)"
    assert parse_tolerance("sigfig:1").describe(KEY, 4) == "1 significant figure (±0.51 in the last place)"
    assert parse_tolerance("decdig:2").describe(KEY, 4) == "2 decimals (±0.51 in the last place)"
    assert parse_tolerance("decdig:1").describe(KEY, 4) == "1 decimal (±0.51 in the last place)"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("default", "default"),
        (" Default ", "default"),
        ("rel:1e-3", "rel:0.001"),
        ("REL : 0.001 ", "rel:0.001"),
        ("abs:0.005", "abs:0.005"),
        ("abs:5e-5", "abs:5e-05"),
        ("sigfig:3", "sigfig:3"),
        ("SigFig: 15", "sigfig:15"),
        ("decdig:2", "decdig:2"),
        ("decdig:1", "decdig:1"),
    ],
)
def test_parse_and_spec_round_trip(text, spec):
    rule = parse_tolerance(text)
    assert rule.spec == spec
    assert parse_tolerance(spec) == rule


def test_parsed_values():
    assert parse_tolerance("rel:1e-3") == Tolerance("rel", 0.001)
    assert parse_tolerance("abs:0.005") == Tolerance("abs", 0.005)
    assert parse_tolerance("sigfig:3") == Tolerance("sigfig", 3.0) == SEPARATION_TOLERANCE
    assert parse_tolerance("decdig:2") == Tolerance("decdig", 2.0)
    assert parse_tolerance("default") == Tolerance("default", 0.001) == DEFAULT_TOLERANCE


USAGE = (
    "expected default, rel:R or abs:A (R, A finite and > 0), sigfig:N or decdig:N (N an integer 1..15), e.g. rel:1e-3"
)


@pytest.mark.parametrize(
    "text",
    [
        "rel:x",
        "rel:",
        "rel",
        "rel:0",
        "rel:-1e-3",
        "rel:nan",
        "rel:inf",
        "abs:1:2",
        "abs:-0.5",
        "sigfig:0",
        "sigfig:16",
        "sigfig:2.5",
        "sigfig:3.0",
        "sigfig:-3",
        "decdig:",
        "decdig:x",
        "pct:5",
        "",
        "default:1",
        "rel 1e-3",
        "rel:1e-3\nabs:1",
    ],
)
def test_parse_rejects(text):
    with pytest.raises(ValueError) as caught:
        parse_tolerance(text)
    assert str(caught.value) == f"tolerance {text!r}: {USAGE}"
    assert "\n" not in str(caught.value)


def test_the_example_message():
    with pytest.raises(ValueError, match=r"^tolerance 'rel:x': expected default, rel:R or abs:A .* e\.g\. rel:1e-3$"):
        parse_tolerance("rel:x")


@pytest.mark.parametrize(
    ("kind", "amount", "fragment"),
    [
        ("pct", 1.0, "tolerance kind 'pct'"),
        ("default", 0.5, "the default tolerance stores amount 0.001"),
        ("rel", 0.0, "finite and > 0"),
        ("abs", math.inf, "finite and > 0"),
        ("sigfig", math.nan, "finite and > 0"),
        ("sigfig", 2.5, "integer 1..15"),
        ("decdig", 16.0, "integer 1..15"),
    ],
)
def test_constructor_checks(kind, amount, fragment):
    with pytest.raises(ValueError, match=fragment):
        Tolerance(kind, amount)
