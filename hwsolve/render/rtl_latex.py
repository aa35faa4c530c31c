r"""A Persian LaTeX body made ready for xepersian: Latin runs in \lr{}, tables left to right, Persian punctuation.

XeTeX lays a paragraph out in one direction. In a right-to-left (Persian)
paragraph a run of Latin words must be marked, \lr{learning rate}, or its
words come out in reverse order and in the Persian font; in a
left-to-right place (a table of numbers, in xepersian's `latin`
environment) a Persian phrase needs \rl{...} for the same reason. Writing
those marks by hand in every translated sentence would tie the catalog to
LaTeX (a message is shared with the Markdown) and miss the English that
reaches the page from elsewhere: names (ReLU, Adam), code, units. So the
document body is scanned once, after rendering:

- mathematics ($...$, \[...\], the math environments) and the arguments that
  are names, not words (\ref, \label, \includegraphics, \texttt, \num, ...)
  are left as they are;
- tabular and longtable go in a `latin` environment: tables of numbers read
  left to right, with their Persian headers in \rl{};
- in right-to-left text a number takes the Persian decimal and thousands
  separators and percent sign (٫ ٬ ٪), which keep it in one piece;
- in right-to-left text each Latin run goes in \lr{}; so do what the Persian
  font has no glyph for (TeX's --- and --, Unicode dashes, curly quotes,
  arrows, Greek), and ``quotes'' become «guillemets».

Digits need nothing here: xepersian sets a digit in Persian text with the
Persian font's digits, and one in mathematics or in \lr{} as a Latin digit.

Public API: ``rtl_latex(body)``, ``rtl_latex_document(document)``.
"""

from __future__ import annotations

import re

_BRACES = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"  # a brace group, nested up to three deep
_BRACKETS = r"\[[^\]]*\]"

# Commands whose arguments are names, paths, lengths or code: every argument kept as it is.
_NAME_COMMANDS = [
    "ref",
    "eqref",
    "pageref",
    "autoref",
    "nameref",
    "label",
    "cite",
    "bibitem",
    "citep",
    "citet",
    "url",
    "includegraphics",
    "texttt",
    "origtexttt",
    "num",
    "SI",
    "si",
    "hspace",
    "vspace",
    "setlength",
    "addtolength",
    "setcounter",
    "addtocounter",
    "newcommand",
    "renewcommand",
    "providecommand",
    "definecolor",
    "color",
    "hypersetup",
    "graphicspath",
    "lr",
    "rl",
    "input",
    "include",
    "bibliographystyle",
    "bibliography",
    "rule",
    "needspace",
    "pdfbookmark",
    "phantomsection",
    "thispagestyle",
    "pagestyle",
    "pagenumbering",
    "numberwithin",
    "newtcolorbox",
    "tcbset",
    "sisetup",
    "settextfont",
    "setlatintextfont",
    "setmonofont",
]
# Commands whose first argument is a name and whose next one is text: \textcolor{red}{...}, \href{url}{...}.
_FIRST_NAME_COMMANDS = [
    "textcolor",
    "colorbox",
    "href",
    "parbox",
    "raisebox",
    "resizebox",
    "scalebox",
]
# Environments read left to right whose first argument is a column specification: tables of numbers.
_TABLE_ENVIRONMENTS = {"tabular", "longtable", "tabular*", "tabularx"}
# Environments whose whole content is mathematics or verbatim text.
_SKIPPED_ENVIRONMENTS = [
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "flalign",
    "flalign*",
    "displaymath",
    "math",
    "verbatim",
    "verbatim*",
    "lstlisting",
    "thebibliography",  # its entries are marked whole by _references
]

# How many brace groups each of those commands takes (1 unless named here): a command takes only its own,
# never the next line's group ({\small ...} after \vspace{...} is text).
_ARGUMENT_COUNTS = {
    "setlength": 2,
    "addtolength": 2,
    "setcounter": 2,
    "addtocounter": 2,
    "rule": 2,
    "SI": 2,
    "newcommand": 2,
    "renewcommand": 2,
    "providecommand": 2,
    "newtcolorbox": 2,
    "definecolor": 3,
}
_NAMES_WITH_ARGUMENTS = "|".join(
    rf"\\(?:{'|'.join(names)})\b\*?(?:[ \t]*(?:{_BRACKETS})*[ \t]*{_BRACES}){{0,{count}}}"
    for count, names in sorted(
        {
            count: [name for name in _NAME_COMMANDS if _ARGUMENT_COUNTS.get(name, 1) == count]
            for count in set(_ARGUMENT_COUNTS.values()) | {1}
        }.items(),
        reverse=True,
    )
)

_TOKEN = re.compile(
    r"(?P<math>\$\$.*?\$\$|\$(?:\\.|[^$\\])+\$|\\\[.*?\\\]|\\\(.*?\\\))"
    rf"|(?P<skipped>\\begin\{{(?P<skipped_name>{'|'.join(re.escape(name) for name in _SKIPPED_ENVIRONMENTS)})\}}"
    r".*?\\end\{(?P=skipped_name)\})"
    rf"|(?P<begin>\\begin\{{(?P<begin_name>[A-Za-z*]+)\}}(?:{_BRACKETS})*)"
    r"|(?P<end>\\end\{(?P<end_name>[A-Za-z*]+)\})"
    rf"|(?P<names>{_NAMES_WITH_ARGUMENTS})"
    rf"|(?P<first_name>\\(?:{'|'.join(_FIRST_NAME_COMMANDS)})\b\*?(?:{_BRACKETS})?(?:{_BRACES})?)"
    rf"|(?P<bracketed>\\(?:hyperref|makebox|item)\b\*?{_BRACKETS})"
    rf"|(?P<linebreak>\\\\\*?(?:{_BRACKETS})?)"
    r"|(?P<command>\\(?:[A-Za-z@]+\*?|[^_&%#{}$ ]))"
    r"|(?P<comment>%[^\n]*)"  # an escaped \% is inside a text token: a % that starts a token is a comment
    r"|(?P<text>(?:[^\\$%]|\\[_&%#{}$ ])+)"
    r"|(?P<other>.)",  # a lone $ or %, a trailing backslash: kept as they are, never dropped
    re.DOTALL,
)

# A Latin word, or a number that belongs to one (2-class, 1e-3): they read left to right, in Latin digits.
_LATIN_WORD = (
    r"(?:[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+(?![A-Za-z0-9])"
    r"|(?:[0-9]+-)?[A-Za-z][A-Za-z0-9]*(?:(?:[-'./+:]|\\[_&%#])[A-Za-z0-9]+)*)"
)
# Latin words and the numbers among them (lr 0.001, hwsolve 0.1.0): a number after a Latin word is part of it.
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[ ]+(?:{_LATIN_WORD}|[0-9]+(?:\.[0-9]+)*(?![A-Za-z])))*")
# A number in Persian text: digits with a decimal point or thousands commas (10{,}000 in LaTeX), a percent sign.
# Not a dimension (0.5\linewidth) or part of a word (2-class, 1e-3), which are names, not prose.
_NUMBER = (
    r"(?<![A-Za-z0-9_\\/^.])[0-9]+(?:(?:[.,]|\{,\})[0-9]+)*(?:\\%)?"
    r"(?![A-Za-z0-9_/\\]|[.,][0-9]|-[A-Za-z]|[eE][-+]?[0-9])"
)
_PERSIAN_WORD = r"[\u0600-\u06FF\u200c]+"
# In a left-to-right place (a table cell), Persian words and the numbers among them ("3 از 5") read as one.
_PERSIAN_RUN = re.compile(
    rf"(?:{_NUMBER}[ ]+)*{_PERSIAN_WORD}(?:[ ]+(?:{_PERSIAN_WORD}|{_NUMBER}(?=[ ]+{_PERSIAN_WORD}|[ ]*(?:&|$))))*",
    re.MULTILINE,
)
# What the Persian font has no glyph for, set in the Latin font: TeX's dashes (--, ---) and the Unicode ones,
# an apostrophe (TeX makes it a curly quote), curly quotes, arrows, mathematical operators and Greek letters.
_NOT_IN_PERSIAN_FONT = r"-{2,3}|['\"]+|[\u2013\u2014\u2018\u2019\u201c\u201d\u2032\u0370-\u03ff\u2190-\u22ff]+"
# One pass, so that a mark is never put inside another: a Latin run, a number, or what the Persian font lacks.
_LEFT_TO_RIGHT_RUN = re.compile(f"{_LATIN_RUN.pattern}|{_NUMBER}|{_NOT_IN_PERSIAN_FONT}")
_NUMBER_ONLY = re.compile(_NUMBER)
# A Latin run and the formula right after it ("lr $0.1$") are one left-to-right phrase, or they swap places.
_RUN_THEN_MATH = re.compile(r"\\lr\{((?:[^{}]|\{[^{}]*\})*)\}([ ]+)(\$[^$\n]+\$)")


def _right_to_left_text(text: str) -> str:
    text = text.replace("``", "«").replace("''", "»")
    return _LEFT_TO_RIGHT_RUN.sub(_left_to_right, text)


def _left_to_right(match: re.Match[str]) -> str:
    run = match.group(0)
    if _NUMBER_ONLY.fullmatch(run):
        return _persian_number(run)
    # A line may break after a slash (ReLU/CE/SGD): a run of names is otherwise one unbreakable word.
    return rf"\lr{{{run.replace('/', '/' + chr(92) + 'allowbreak ')}}}"


def _persian_number(number: str) -> str:
    """A number in Persian text with the Persian decimal separator, thousands separator and percent sign.

    XeTeX sets a right-to-left paragraph run by run: with a '.' between them, 0 and 6608 are two runs and
    0.6608 would read 6608.0. The Persian decimal separator '٫' keeps the number one run of the Persian font,
    read in order (and it is the Persian way to write it); the Markdown writes the same.
    """
    return number.replace("{,}", ",").replace(".", "\u066b").replace(",", "\u066c").replace("\\%", "\u066a")


def _left_to_right_text(text: str) -> str:
    return _PERSIAN_RUN.sub(
        lambda match: rf"\rl{{{_NUMBER_ONLY.sub(lambda n: _persian_number(n.group(0)), match.group(0))}}}", text
    )


_ENTRY = re.compile(r"(\\bibitem(?:\[[^\]]*\])?\{[^}]*\})\s*(.*?)\s*(?=\\bibitem|\\end\{thebibliography\})", re.DOTALL)
_REFERENCES = re.compile(r"\\begin\{thebibliography\}.*?\\end\{thebibliography\}", re.DOTALL)


def _references(body: str) -> str:
    """Each reference, cited as published in English, is one left-to-right run: the list and its heading
    (\\refname, «مراجع» in right-to-left text) stay right to left, each entry reads left to right."""
    return _REFERENCES.sub(lambda block: _ENTRY.sub(r"\1 \\lr{\2}\n", block.group(0)), body)


_LONGTABLE = re.compile(r"\\begin\{longtable\}.*?\\end\{longtable\}", re.DOTALL)
_CAPTION = re.compile(rf"\\caption(\*?(?:{_BRACKETS})?)\{{((?:[^{{}}]|\{{(?:[^{{}}]|\{{[^{{}}]*\}})*\}})*)\}}")


def _longtable_captions(body: str) -> str:
    """A longtable's caption is inside the table, which reads left to right: the caption itself is Persian
    text, so it is marked right to left as a whole (\\rl, whose argument the scan then leaves alone)."""

    def caption(found: re.Match[str]) -> str:
        return rf"\caption{found.group(1)}{{\rl{{{rtl_latex(found.group(2))}}}}}"

    return _LONGTABLE.sub(lambda table: _CAPTION.sub(caption, table.group(0)), body)


def rtl_latex(body: str) -> str:
    """The body of a Persian document (after \\begin{document}) with its directions marked for xepersian."""
    body = _longtable_captions(_references(body))
    out: list[str] = []
    in_table = 0  # depth of tables: their cells read left to right
    pending_table_spec = False
    for match in _TOKEN.finditer(body):
        kind, token = match.lastgroup, match.group(0)
        if kind == "begin" and match.group("begin_name") in _TABLE_ENVIRONMENTS:
            spec = re.match(rf"\s*(?:{_BRACKETS})?{_BRACES}", body[match.end() :])
            out.append(r"\begin{latin}" + token if in_table == 0 else token)
            in_table += 1
            pending_table_spec = spec is not None
            continue
        if kind == "end" and match.group("end_name") in _TABLE_ENVIRONMENTS:
            in_table -= 1
            out.append(token + (r"\end{latin}" if in_table == 0 else ""))
            continue
        if kind == "text":
            if pending_table_spec:
                # The column specification (S[table-format=1.4] ...) is a name, not words.
                spec = re.match(rf"\s*(?:{_BRACKETS})?{_BRACES}", token)
                if spec:
                    out.append(spec.group(0))
                    token = token[spec.end() :]
                pending_table_spec = False
            # A number right before a command is a dimension (0.45\textwidth): a name, left as it is.
            dimension = re.search(r"[0-9][0-9.,]*$", token) if body.startswith("\\", match.end()) else None
            head, tail = (token[: dimension.start()], dimension.group(0)) if dimension else (token, "")
            out.append((_left_to_right_text(head) if in_table else _right_to_left_text(head)) + tail)
            continue
        out.append(token)
    return _RUN_THEN_MATH.sub(r"\\lr{\1\2\3}", "".join(out))


def rtl_latex_document(document: str) -> str:
    """A whole Persian document: the preamble as it is, the body through rtl_latex."""
    head, marker, body = document.partition(r"\begin{document}")
    return head + marker + rtl_latex(body) if marker else rtl_latex(document)
