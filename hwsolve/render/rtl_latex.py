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
- in right-to-left text each Latin run goes in \lr{}; so do what the Persian
  font has no glyph for (TeX's --- and --, Unicode dashes, curly quotes,
  arrows, Greek), and ``quotes'' become «guillemets».

Numbers need nothing here: xepersian sets a digit in Persian text with the
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
    "makebox",
    "raisebox",
    "resizebox",
    "scalebox",
    "hyperref",
]
# Environments read left to right whose first argument is a column specification.
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
]

_TOKEN = re.compile(
    r"(?P<math>\$\$.*?\$\$|\$(?:\\.|[^$\\])+\$|\\\[.*?\\\]|\\\(.*?\\\))"
    rf"|(?P<skipped>\\begin\{{(?P<skipped_name>{'|'.join(re.escape(name) for name in _SKIPPED_ENVIRONMENTS)})\}}"
    r".*?\\end\{(?P=skipped_name)\})"
    rf"|(?P<begin>\\begin\{{(?P<begin_name>[A-Za-z*]+)\}}(?:{_BRACKETS})*)"
    r"|(?P<end>\\end\{(?P<end_name>[A-Za-z*]+)\})"
    rf"|(?P<names>\\(?:{'|'.join(_NAME_COMMANDS)})\b\*?(?:\s*(?:{_BRACKETS}|{_BRACES}))*)"
    rf"|(?P<first_name>\\(?:{'|'.join(_FIRST_NAME_COMMANDS)})\b\*?(?:{_BRACKETS})?(?:{_BRACES})?)"
    rf"|(?P<linebreak>\\\\\*?(?:{_BRACKETS})?)"
    r"|(?P<command>\\(?:[A-Za-z@]+\*?|[^_&%#{}$ ]))"
    r"|(?P<comment>(?<!\\)%[^\n]*)"
    r"|(?P<text>(?:[^\\$%]|\\[_&%#{}$ ])+)",
    re.DOTALL,
)

_LATIN_WORD = r"[A-Za-z][A-Za-z0-9]*(?:(?:[-'./+:]|\\[_&%#])[A-Za-z0-9]+)*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[ ]+(?:{_LATIN_WORD}|[0-9]+(?:\.[0-9]+)?(?![A-Za-z])))*")
_PERSIAN_RUN = re.compile(r"[\u0600-\u06FF\u200c]+(?:[ ]+[\u0600-\u06FF\u200c]+)*")
# What the Persian font has no glyph for, set in the Latin font: TeX's dashes (--, ---) and the Unicode ones,
# an apostrophe (TeX makes it a curly quote), curly quotes, arrows, mathematical operators and Greek letters.
_NOT_IN_PERSIAN_FONT = r"-{2,3}|['\"]+|[\u2013\u2014\u2018\u2019\u201c\u201d\u2032\u0370-\u03ff\u2190-\u22ff]+"
# One pass, so that a mark is never put inside another: a Latin run, or what the Persian font lacks.
_LEFT_TO_RIGHT_RUN = re.compile(f"{_LATIN_RUN.pattern}|{_NOT_IN_PERSIAN_FONT}")


def _right_to_left_text(text: str) -> str:
    text = text.replace("``", "«").replace("''", "»")
    return _LEFT_TO_RIGHT_RUN.sub(lambda match: rf"\lr{{{match.group(0)}}}", text)


def _left_to_right_text(text: str) -> str:
    return _PERSIAN_RUN.sub(lambda match: rf"\rl{{{match.group(0)}}}", text)


def rtl_latex(body: str) -> str:
    """The body of a Persian document (after \\begin{document}) with its directions marked for xepersian."""
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
            out.append(_left_to_right_text(token) if in_table else _right_to_left_text(token))
            continue
        out.append(token)
    return "".join(out)


def rtl_latex_document(document: str) -> str:
    """A whole Persian document: the preamble as it is, the body through rtl_latex."""
    head, marker, body = document.partition(r"\begin{document}")
    return head + marker + rtl_latex(body) if marker else rtl_latex(document)
