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
}
_PATTERN = re.compile("|".join(re.escape(char) for char in _REPLACEMENTS))


def escape_latex(text: object) -> Markup:
    """Escape a plain string so LaTeX typesets it literally."""
    if isinstance(text, Markup):
        return text
    return Markup(_PATTERN.sub(lambda match: _REPLACEMENTS[match.group(0)], str(text)))
