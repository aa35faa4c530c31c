"""A Persian Markdown document as GitHub shows it: prose right to left, mathematics, code and tables left to right.

GitHub honours `dir` on an HTML block, and Markdown inside a `<div>` is still
Markdown when blank lines separate it from the tags. So the whole document
goes in `<div dir="rtl">`, and each code block, table and display equation in
a `<div dir="ltr">` of its own: a right-to-left code block would be
right-aligned with its brackets mirrored, and a table of numbers would run
its columns from the right.

Numbers in the prose take Persian digits, as the course's own solution writes
them (سوال ۳), and as the PDF sets them (hwsolve.render.rtl_latex), with the
Persian decimal separator, thousands separator and percent sign: ۰٫۵،
۶۰٬۰۰۰، ۹۳٪ (the PDF needs '٫' to keep a number in one piece). Numbers in
mathematics, code, tables of numbers, link targets and HTML stay Latin, and
so does one that is part of a Latin name or phrase (L2, w13, 2-class, 1e-3,
hwsolve 0.1.0) or that numbers a list item (Markdown's marker must stay
"1."). A table cell of Persian words ("3 از 5") is prose: its digits are
Persian, and it is isolated right to left (U+2067 ... U+2069) so its words
and numbers keep their order in the left-to-right table. A link to a heading
in the same document (`](#...)`) has its digits converted like the
heading's, so the anchor still matches.

Public API: ``rtl_markdown(text)``, ``persian_prose_digits(line)``.
"""

from __future__ import annotations

import re

from hwsolve.digits import to_persian_digits

RTL_OPEN = '<div dir="rtl">'
LTR_OPEN = '<div dir="ltr">'
CLOSE = "</div>"

_FENCE = re.compile(r"^\s*(```+|~~~+)")
_TABLE_ROW = re.compile(r"^\s*\|")
_DISPLAY_MATH = re.compile(r"^\s*\$\$")
# Inline pieces that keep Latin digits: math, code, HTML tags, link targets other than #anchors, {#id}s.
_PROTECTED = re.compile(r"(\$[^$\n]+\$|`[^`\n]*`|<[^>\n]*>|\]\((?!#)[^)\n]*\)|\{#[^}\n]*\})")
# A number standing alone: not part of a Latin name (L2, w13, 2-class, 1e-3), a path or a LaTeX command.
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_\\/^.])(?<![eE]-)[0-9]+(?:[.,][0-9]+)*%?(?![A-Za-z0-9_/]|[.,][0-9]|-[A-Za-z]|[eE][-+]?[0-9])"
)
_AFTER_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]* +$")
_LIST_MARKER = re.compile(r"^\s*[0-9]+[.)]\s")
_RIGHT_TO_LEFT_ISOLATE, _POP_ISOLATE = "\u2067", "\u2069"
_PERSIAN = re.compile(r"[\u0600-\u06ff]")
_CELL_BORDER = re.compile(r"(?<!\\)\|")  # \| is a pipe inside a cell (GFM)


def _persian_number(match: re.Match[str]) -> str:
    if _AFTER_LATIN_WORD.search(match.string, 0, match.start()):
        return match.group(0)  # part of a Latin phrase (lr 0.001, hwsolve 0.1.0), as the PDF keeps it
    # The Persian decimal separator, thousands separator and percent sign, as in the PDF.
    return to_persian_digits(match.group(0)).replace(".", "\u066b").replace(",", "\u066c").replace("%", "\u066a")


def persian_prose_digits(line: str) -> str:
    """One line of prose with its stand-alone numbers in Persian digits; math, code, tags, links and a list
    item's number as they are."""
    marker = _LIST_MARKER.match(line)
    start = marker.end() if marker else 0
    pieces = _PROTECTED.split(line[start:])
    digits = (piece if index % 2 else _NUMBER.sub(_persian_number, piece) for index, piece in enumerate(pieces))
    return line[:start] + "".join(digits)


def _table_row(line: str) -> str:
    """A table row with each cell of Persian words isolated right to left and its digits Persian."""
    return "|".join(
        f" {_RIGHT_TO_LEFT_ISOLATE}{persian_prose_digits(cell.strip())}{_POP_ISOLATE} "
        if _PERSIAN.search(cell)
        else cell
        for cell in _CELL_BORDER.split(line)
    )


def rtl_markdown(text: str) -> str:
    """The document wrapped right to left, its code, tables and display math left to right, its prose digits Persian."""
    out: list[str] = [RTL_OPEN, ""]
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        block_end = _ltr_block_end(lines, index)
        if block_end > index:
            block = lines[index:block_end]
            if _TABLE_ROW.match(line):
                block = [_table_row(row) for row in block]
            out += [LTR_OPEN, "", *block, "", CLOSE]
            index = block_end
            continue
        out.append(persian_prose_digits(line))
        index += 1
    out += ["", CLOSE]
    return "\n".join(out) + "\n"


def _ltr_block_end(lines: list[str], start: int) -> int:
    """The end (exclusive) of a code block, table or display equation starting at `start`; `start` if none does."""
    line = lines[start]
    fence = _FENCE.match(line)
    if fence:
        marker = fence.group(1)
        for end in range(start + 1, len(lines)):
            if lines[end].strip().startswith(marker[:3]) and not lines[end].strip()[len(marker) :].strip():
                return end + 1
        return len(lines)
    if _TABLE_ROW.match(line):
        end = start
        while end < len(lines) and _TABLE_ROW.match(lines[end]):
            end += 1
        return end
    if _DISPLAY_MATH.match(line):
        if line.strip() != "$$" and line.strip().endswith("$$") and len(line.strip()) > 4:
            return start + 1  # $$ ... $$ on one line
        for end in range(start + 1, len(lines)):
            if lines[end].strip().endswith("$$"):
                return end + 1
        return len(lines)
    return start
