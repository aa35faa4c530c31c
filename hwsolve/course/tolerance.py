"""How a graded number is accepted: the tolerance rules and exact decimal rounding.

A rule is written as an option value (``--tolerance``): ``default`` (what a
course uses), ``rel:R``, ``abs:A``, ``sigfig:N`` or ``decdig:N``.

- ``rel:R``: |given - expected| <= R * |expected| (so an expected 0 needs 0).
- ``abs:A``: |given - expected| <= A.
- ``sigfig:N``: within ±0.51 in the last place of the expected value written
  to N significant figures; an expected 0 needs 0.
- ``decdig:N``: within ±0.51 in the N-th decimal.
- ``default``: the given value, rounded to d decimals, equals the key rounded
  the same way; or it is within rel 1e-3 of the key. d is the decimals
  written, at least 2, and at least enough for the key's first significant
  figure: 0.00 is no answer for a gradient of 0.0047 (judged at 3 decimals:
  0.000 is not 0.005), though 2 decimals alone would let it through. So 0.1 for 0.0981 is
  right (both round to 0.10) but 0.09, the key truncated, is wrong. A key
  exactly half-way (3.125 at 2 decimals) accepts both neighbours, 3.13 and
  3.12: a tie is no mistake, whichever way it was broken.

Rounding and truncating work on the decimal a person sees, the float to 15
significant figures (0.29, not the 0.28999... it is stored as; 0.4, not the
0.39999999999999997 that 0.35 * 0.4 + 0.9 * 0.3 gives in float64): that is
the number they cut or round, so 0.29 truncated to 2 decimals is 0.29.

Public API: ``Tolerance`` (``accepts``, ``describe``, ``spec``),
``parse_tolerance(spec)``, ``DEFAULT_TOLERANCE``, ``SEPARATION_TOLERANCE``
(``sigfig:3``: what tells two candidate numbers apart), ``truncated(value,
decimals)`` and ``rounded(value, decimals)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal

KINDS = ("default", "rel", "abs", "sigfig", "decdig")
DEFAULT_REL = 1e-3  # the relative part of the default rule; a key rounded to 3-4 figures still passes
DEFAULT_MIN_DECIMALS = 2  # fewer decimals than 2 are judged at 2: 0.1 for 0.0981 is right, 0.0 for 0.04 is not
DEFAULT_MIN_FIGURES = 1  # and at least the key's first significant figure: 0.00 is no answer for 0.0047
LAST_PLACE = 0.51  # half a unit in the last place, and a little more so that an exact tie is never rejected
MAX_DIGITS = 15  # a float64 carries 15-17 significant digits; more asks for noise
_COUNT = re.compile(r"[0-9]+")
_USAGE = (
    "expected default, rel:R or abs:A (R, A finite and > 0), sigfig:N or decdig:N (N an integer 1..15), e.g. rel:1e-3"
)


def _quantize(value: float, decimals: int, rounding: str) -> Decimal:
    """A finite float, read as the decimal a person sees (15 significant figures), rounded to `decimals` decimals."""
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, not {decimals}")
    # 15 figures drop float64's representation noise: 0.35*0.4 + 0.9*0.3 is 0.39999999999999997 in float64
    # and 0.4 on paper, and a student who cuts it at 2 decimals writes 0.40, not 0.39.
    seen = format(float(value), ".15g")
    exact = Decimal(seen if math.isfinite(float(seen)) else repr(float(value)))  # near float64's maximum: as is
    # quantize refuses a result longer than the context's precision; a float
    # has at most 309 integer digits, so size the precision to this value.
    precision = max(exact.adjusted(), 0) + decimals + 2
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=rounding, context=Context(prec=precision))


def truncated(value: float, decimals: int) -> float:
    """`value` cut towards zero to `decimals` decimals: truncated(-0.585291, 2) == -0.58. inf and nan are kept."""
    if not math.isfinite(value):
        return value
    return float(_quantize(value, decimals, ROUND_DOWN))


def rounded(value: float, decimals: int) -> float:
    """`value` rounded half away from zero to `decimals` decimals: rounded(0.0981, 2) == 0.1. inf and nan are kept."""
    if not math.isfinite(value):
        return value
    return float(_quantize(value, decimals, ROUND_HALF_UP))


def _amount_text(amount: float) -> str:
    """1e-3 -> '1e-3' (as a person writes a power of ten), 0.005 -> '0.005', 5e-05 -> '5e-5'."""
    digits = Decimal(repr(amount)).normalize()
    if digits.as_tuple().digits == (1,) and digits.adjusted() <= -3:
        return f"1e{digits.adjusted()}"
    text = f"{amount:g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class Tolerance:
    """One acceptance rule; build it with parse_tolerance (the constructor checks the same things)."""

    kind: str  # one of KINDS
    amount: float  # R, A or N; the default rule stores its relative part, DEFAULT_REL

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"tolerance kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.kind == "default" and self.amount != DEFAULT_REL:
            # Two default rules must be equal and print the same spec.
            raise ValueError(f"the default tolerance stores amount {DEFAULT_REL}, not {self.amount!r}")
        if not (math.isfinite(self.amount) and self.amount > 0):
            raise ValueError(f"tolerance {self.kind}: the amount must be finite and > 0, not {self.amount!r}")
        if self.kind in ("sigfig", "decdig") and (self.amount != int(self.amount) or self.amount > MAX_DIGITS):
            raise ValueError(f"tolerance {self.kind}: N must be an integer 1..{MAX_DIGITS}, not {self.amount!r}")

    @property
    def spec(self) -> str:
        """The canonical option text, which parse_tolerance reads back: 'default', 'rel:0.001', 'sigfig:3'."""
        if self.kind == "default":
            return "default"
        if self.kind in ("sigfig", "decdig"):
            return f"{self.kind}:{int(self.amount)}"
        return f"{self.kind}:{self.amount!r}"

    def accepts(self, given: float, expected: float, decimals: int) -> bool:
        """Whether `given`, written with `decimals` decimals, is right for the key `expected`."""
        if not (math.isfinite(given) and math.isfinite(expected)):
            return given == expected  # no band around inf; nan is never right
        error = abs(given - expected)
        if self.kind == "rel":
            return error <= self.amount * abs(expected)
        if self.kind == "abs":
            return error <= self.amount
        if self.kind == "decdig":
            return error <= LAST_PLACE * 10.0 ** -int(self.amount)
        if self.kind == "sigfig":
            if expected == 0:
                return given == 0
            return error <= LAST_PLACE * 10.0 ** _last_place(expected, int(self.amount))
        places = default_places(expected, decimals)
        written = _quantize(given, places, ROUND_HALF_UP)
        # A key exactly half-way may be rounded either way: both neighbours are right.
        same = written in (_quantize(expected, places, ROUND_HALF_UP), _quantize(expected, places, ROUND_HALF_DOWN))
        return same or error <= DEFAULT_REL * abs(expected)

    def describe(self, expected: float, decimals: int) -> str:
        """The rule as it applied to this answer, in words (the gradebook's and the feedback's 'tolerance')."""
        if self.kind in ("rel", "abs"):
            return f"within {self.kind} {_amount_text(self.amount)}"
        if self.kind == "sigfig":
            return f"{_plural(int(self.amount), 'significant figure')} (±0.51 in the last place)"
        if self.kind == "decdig":
            return f"{_plural(int(self.amount), 'decimal')} (±0.51 in the last place)"
        places = default_places(expected, decimals)
        key = f"{_quantize(expected, places, ROUND_HALF_UP):f}" if math.isfinite(expected) else repr(expected)
        return f"equals the key rounded to {places} decimals ({key}) or within rel {_amount_text(DEFAULT_REL)}"


def default_places(expected: float, decimals: int) -> int:
    """The decimals the default rule judges at: those written, at least 2, at least the key's first figure."""
    if expected == 0 or not math.isfinite(expected):
        return max(decimals, DEFAULT_MIN_DECIMALS)
    figures = -_last_place(expected, DEFAULT_MIN_FIGURES)  # the decimal place of the key's first figure
    return max(decimals, DEFAULT_MIN_DECIMALS, figures)


def _last_place(expected: float, figures: int) -> int:
    """The power of ten of the last of `figures` significant figures of a non-zero finite `expected`."""
    # Decimal's adjusted() is floor(log10|x|) exactly; math.log10 can round
    # 999.9999999999999 up to 3.0 and shift the band tenfold.
    return Decimal(expected).adjusted() - figures + 1


def parse_tolerance(spec: str) -> Tolerance:
    """'rel:1e-3', 'abs:0.005', 'sigfig:3', 'decdig:2' or 'default' -> Tolerance; anything else is a ValueError."""
    kind, colon, amount_text = spec.partition(":")
    kind = kind.strip().lower()
    amount_text = amount_text.strip()
    if kind == "default" and not colon:
        return Tolerance("default", DEFAULT_REL)
    amount = _parse_amount(kind, amount_text)
    if amount is None:
        raise ValueError(f"tolerance {spec!r}: {_USAGE}")
    return Tolerance(kind, amount)


def _parse_amount(kind: str, text: str) -> float | None:
    """The amount of a `kind:text` spec, or None when it is not one parse_tolerance accepts."""
    if kind in ("sigfig", "decdig"):
        if not _COUNT.fullmatch(text) or not 1 <= int(text) <= MAX_DIGITS:
            return None
        return float(int(text))
    if kind not in ("rel", "abs"):
        return None
    try:
        amount = float(text)
    except ValueError:
        return None
    return amount if math.isfinite(amount) and amount > 0 else None


DEFAULT_TOLERANCE = parse_tolerance("default")
SEPARATION_TOLERANCE = parse_tolerance("sigfig:3")
