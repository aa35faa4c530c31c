"""Escaping of plain text for LaTeX.

Every plain string inserted into a LaTeX template goes through `escape_latex`;
math produced by SymPy's latex() is wrapped in markupsafe.Markup upstream and
passes through untouched.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_REPLACEMENTS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "`": r"\textasciigrave{}",  # `` and !` ?` are ligatures (quotes, inverted marks)
}
_PATTERN = re.compile("|".join(re.escape(char) for char in _REPLACEMENTS))


# TeX fonts join these pairs into one glyph: -- and --- into dashes, '' into a
# closing double quote, ,, into a low double quote. {} between the two keeps
# each character as typed.
_LIGATURE_PAIR = re.compile(r"([-',])(?=\1)")


def escape_latex(text: object) -> Markup:
    """Escape a plain string so LaTeX typesets it literally, ligatures included."""
    if isinstance(text, Markup):
        return text
    escaped = _PATTERN.sub(lambda match: _REPLACEMENTS[match.group(0)], str(text))
    return Markup(_LIGATURE_PAIR.sub(r"\1{}", escaped))


# What the report's pdflatex set-up (T1 fonts, utf8 input) can print: Latin
# letters with their accents, and the usual dashes, quotes and dots. Persian,
# CJK or emoji stop the build with "Unicode character not set up".
_SETTABLE_EXTRA = set("\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u20ac")


def unsettable_characters(text: str) -> list[str]:
    """The distinct characters of `text` that pdflatex cannot print, in order of appearance."""
    bad = [char for char in text if not _settable(char)]
    return list(dict.fromkeys(bad))


def _settable(char: str) -> bool:
    code = ord(char)
    if char in "\t\n" or char in _SETTABLE_EXTRA:
        return True
    return 0x20 <= code < 0x7F or 0xA0 <= code < 0x180
