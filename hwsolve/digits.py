"""Numbers as a person types them: Persian and Arabic-Indic digits, and how many decimals were written.

Students type answers on Persian keyboards as often as on Latin ones, so
"۰٫۶۸" must mean exactly the float64 0.68. Grading also looks at how many
decimals a student wrote (0.0980 claims four), so the written text matters,
not only its value.

Public API:

- ``normalise_digits(text)``: Persian (U+06F0-U+06F9) and Arabic-Indic
  (U+0660-U+0669) digits to ASCII 0-9, the Arabic decimal separator '٫'
  (U+066B) to '.', the minus sign '−' (U+2212) to '-', surrounding
  whitespace stripped; anything else left as is.
- ``parse_number(text)``: a plain, finite decimal literal (optional sign,
  digits with at most one decimal point, optional exponent) as a float;
  anything else raises ValueError with one line quoting the text.
- ``decimals_written(text)``: the digits after the decimal point as written,
  or for an exponent form the decimals the value has when written out
  ("1.5e-3" -> 4).
- ``to_persian_digits(text)``: the other way, ASCII digits to Persian ones,
  for the prose of a Persian document.
"""

from __future__ import annotations

import math
import re

_PERSIAN_ZERO = 0x06F0
_ARABIC_INDIC_ZERO = 0x0660

_TRANSLATION: dict[int, str] = {
    **{_PERSIAN_ZERO + digit: str(digit) for digit in range(10)},
    **{_ARABIC_INDIC_ZERO + digit: str(digit) for digit in range(10)},
    0x066B: ".",  # ARABIC DECIMAL SEPARATOR
    0x2212: "-",  # MINUS SIGN, what word processors put in place of a hyphen
}

# [0-9], not \d: \d also matches Devanagari, Thai, ... digits, which float() would accept silently.
# No underscores, no "inf"/"nan", no hex: what a person writes as a number, nothing Python merely accepts.
_DECIMAL = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:\.(?P<fraction>[0-9]*))?(?:[eE](?P<exponent>[+-]?[0-9]+))?")

_EXPONENT_DIGITS = 18  # beyond 10**18 every exponent means the same: 0 decimals, or more than any float has
_QUOTE_LIMIT = 40  # a pasted paragraph is quoted by its start: the message stays one readable line


def normalise_digits(text: str) -> str:
    """Persian and Arabic-Indic digits, '٫' and '−' to ASCII, surrounding whitespace stripped."""
    return text.translate(_TRANSLATION).strip()


def parse_number(text: str) -> float:
    """The float a person meant by `text`, e.g. "۰٫۶۸" -> 0.68; ValueError (one line) if it is not a finite number."""
    normalised = normalise_digits(text)
    _match(text, normalised)
    value = float(normalised)
    if not math.isfinite(value):
        raise ValueError(f"{_quote(text)} is not a finite number")
    return value


def decimals_written(text: str) -> int:
    """Digits after the decimal point as written: "0.0980" -> 4, "3" -> 0, "1.5e-3" -> 4, "2.50e1" -> 1."""
    match = _match(text, normalise_digits(text))
    fraction = match.group("fraction") or ""
    exponent = _exponent(match.group("exponent") or "0")
    # Written out, each power of ten moves the point one place: 1.5e-3 is 0.0015, 2.50e1 is 25.0.
    return max(len(fraction) - exponent, 0)


def _exponent(text: str) -> int:
    """The exponent as an int, clamped: int() refuses strings over 4300 digits, and no float needs more than 400."""
    digits = text.lstrip("+-").lstrip("0") or "0"
    magnitude = int(digits) if len(digits) <= _EXPONENT_DIGITS else 10**_EXPONENT_DIGITS
    return -magnitude if text.startswith("-") else magnitude


def _match(original: str, normalised: str) -> re.Match[str]:
    """The decimal literal's parts; ValueError quoting the text as the person typed it when it is not one."""
    match = _DECIMAL.fullmatch(normalised)
    if match is None or not (match.group("whole") or match.group("fraction")):
        raise ValueError(f"{_quote(original)} is not a number")
    return match


def _quote(text: str) -> str:
    """`text` in quotes on one line: repr escapes newlines and control characters, keeps Persian digits readable."""
    if len(text) > _QUOTE_LIMIT:
        return repr(text[:_QUOTE_LIMIT]) + "..."
    return repr(text)


_TO_PERSIAN: dict[int, str] = {ord(str(digit)): chr(_PERSIAN_ZERO + digit) for digit in range(10)}


def to_persian_digits(text: str) -> str:
    """ASCII digits 0-9 as Persian ones (U+06F0-U+06F9); everything else as it is."""
    return text.translate(_TO_PERSIAN)
