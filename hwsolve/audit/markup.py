"""The audit's display strings: plain text with `code` and $math$ spans, as in Markdown.

Markdown shows such a string as it is; the LaTeX template (its rich() macro)
splits it the way segments() does and escapes only the text pieces; the tests
use segments() to read the Markdown the same way. One string per cell therefore
reads the same in both formats, with its mathematics typeset as mathematics.
"""

from __future__ import annotations

import re

TEXT, MATH, CODE = "text", "math", "code"

_SPAN = re.compile(r"`([^`]*)`|\$([^$]*)\$")
_NAME = re.compile(r"^([A-Za-z]+)(\d+)$")


def segments(text: str) -> list[tuple[str, str]]:
    """(kind, piece) in order: kind is TEXT, MATH (without the dollars) or CODE (without the backticks)."""
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _SPAN.finditer(text):
        if match.start() > position:
            pieces.append((TEXT, text[position : match.start()]))
        pieces.append((CODE, match.group(1)) if match.group(1) is not None else (MATH, match.group(2)))
        position = match.end()
    if position < len(text):
        pieces.append((TEXT, text[position:]))
    return pieces


def symbol(name: str) -> str:
    """A homework name as LaTeX math: w35 -> w_{35}, H3 -> H_{3}; other names unchanged."""
    match = _NAME.match(name)
    return f"{match.group(1)}_{{{match.group(2)}}}" if match else name


def math(latex: str) -> str:
    return f"${latex}$"


def code(identifier: str) -> str:
    return f"`{identifier}`"
