"""Words on a figure in the active language: translated, and for Persian shaped and laid out right to left.

matplotlib's text engine shapes and orders Persian itself when it is built
with libraqm (the wheels are, from 3.10). mathtext, which draws any label
holding $...$, does not: it places glyphs one by one, left to right, so
Persian letters would stand apart in their isolated forms and a sentence
would read backwards. Such a label is prepared the way a text engine would:
arabic_reshaper picks each letter's joined form (initial, medial, final,
isolated), and the Unicode bidi algorithm (python-bidi) puts the sentence in
visual order, mirroring brackets; the mathematics keeps its own layout.
(figures.common sets mathtext's text font to the Persian one for Persian.)
Numbers in the words take Persian digits, as in the document's prose.

Public API: ``words(message, **values)`` (translate with _(), fill the
named fields, shape), ``shaped(text)`` (shape an already translated text),
``has_persian(text)``, ``visual_line(line)`` (a line shaped and in visual order, for
mathtext), ``matplotlib_shapes()``.
"""

from __future__ import annotations

import re

from hwsolve.i18n import _, is_rtl, language
from hwsolve.render.rtl_markdown import persian_prose_digits

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_MATH = re.compile(r"(\$[^$]*\$)")  # mathtext keeps its own left-to-right layout
_ZERO_WIDTH_NON_JOINER = "\u200c"


def has_persian(text: str) -> bool:
    return _ARABIC_SCRIPT.search(text) is not None


def words(message: str, **values: object) -> str:
    """`message` in the active language, its {named} fields filled, ready for matplotlib."""
    translated = _(message)
    return shaped(translated.format(**values) if values else translated)


def shaped(text: str) -> str:
    """A translated text ready for matplotlib: unchanged in a left-to-right language or without Persian letters.

    Plain text is laid out by matplotlib itself where its text engine has libraqm (shaping and bidi): it gets
    the text in logical order, its prose digits Persian. A text with mathematics is drawn by mathtext, which
    places glyphs one by one: it gets the letters shaped and in visual order (see the module's docstring).
    """
    if not is_rtl(language()) or not has_persian(text):
        return text
    if "$" not in text and matplotlib_shapes():
        return persian_prose_digits(text)
    return "\n".join(visual_line(line) for line in text.split("\n"))


def matplotlib_shapes() -> bool:
    """Whether matplotlib's text engine shapes and orders complex scripts (built with libraqm, 3.10 on)."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", ""))


def visual_line(line: str) -> str:
    """One right-to-left line in visual order: the pieces between $...$ shaped and reordered, the math kept whole.

    In a right-to-left line the first piece is drawn rightmost, so the pieces are joined in reverse.
    """
    from arabic_reshaper import reshape
    from bidi.algorithm import get_display  # the pure-Python algorithm: it mirrors brackets, the compiled one does not

    pieces = []
    for piece in _MATH.split(line):
        if not piece:
            continue
        if _MATH.fullmatch(piece):
            pieces.append(piece)
            continue
        # Joining is decided by reshape; the non-joiner has done its work then and has no glyph to draw.
        joined = reshape(persian_prose_digits(piece)).replace(_ZERO_WIDTH_NON_JOINER, "")
        pieces.append(get_display(joined, base_dir="R"))
    return "".join(reversed(pieces))
