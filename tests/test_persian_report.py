"""`hwsolve report --lang fa`: a real XeLaTeX build of the Persian report, read back from the PDF.

- pdftotext finds the Persian headings, and the final answers computed here
  independently (Q1(b), Q3) are still on the first pages;
- pdffonts lists the Persian font, embedded; the log has no missing glyph;
- the first heading's text box lies against the right margin (pdftotext
  -bbox): the page reads right to left;
- report.fa.md is wrapped right to left, and its math survives GitHub's
  renderer (markdown-it-py with dollar math) exactly as the English one's;
- the figures' words are Persian, in figures/fa/, beside the English ones.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from html import unescape

import pytest
from report_build import built_persian_report, built_report, have_latex
from test_report_quality import _contains_run, _numbers, _q1b_training_outputs, _q3_loss_and_updated_weights, _shown

from hwsolve.render.pdf import PERSIAN_FONT, missing_latex_tools

pytestmark = [
    pytest.mark.slow,
    pytest.mark.latex,
    pytest.mark.skipif(
        not have_latex() or bool(missing_latex_tools("xelatex")),
        reason="needs xelatex, xepersian and the Nazli font (Debian: texlive-xetex texlive-lang-arabic fonts-farsiweb)",
    ),
]

BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u2066\u2067\u2068\u2069"))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return built_persian_report(tmp_path_factory)


def _readable(text: str) -> str:
    """pdftotext's Persian as letters: presentation forms back to letters (NFKC), bidi marks removed."""
    return unicodedata.normalize("NFKC", text).translate(BIDI_CONTROLS)


def test_the_persian_report_is_written_in_every_format(report):
    for name in ("report.fa.md", "report.fa.tex", "report.fa.pdf"):
        assert (report.out / name).is_file(), name
    assert (report.out / "report.pdf").is_file()  # the English report is still there, untouched
    assert sorted(path.name for path in (report.out / "figures" / "fa").glob("*.png"))


def test_pdf_holds_the_persian_headings(report):
    text = _readable(report.text)
    for heading in ("سوال ۱", "سوال ۲", "سوال ۳", "سوال ۴"):
        assert heading in text, heading


def test_pdf_embeds_the_persian_font_and_misses_no_glyph(report):
    fonts = subprocess.run(["pdffonts", str(report.pdf)], capture_output=True, text=True, check=True).stdout
    persian = [line for line in fonts.splitlines() if PERSIAN_FONT in line]
    assert persian, fonts
    # pdffonts columns: name type encoding emb sub uni object-id; "emb" is yes for an embedded font.
    assert all(line.split()[-5] == "yes" for line in persian), fonts
    log = (report.out / "report.fa.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log, [line for line in log.splitlines() if "Missing character" in line][:5]


def test_first_pages_hold_the_final_answers(report):
    numbers = _numbers(_readable(report.pages(1, 3)).replace("\u066b", "."))
    loss, updated = _q3_loss_and_updated_weights()
    missing = {name: value for name, value in {"loss": loss, **updated}.items() if not _shown(value, numbers)}
    assert not missing, f"Q3's answers not on the first pages of the Persian report: {missing}"
    absent = {rate: vector for rate, vector in _q1b_training_outputs().items() if not _contains_run(numbers, vector)}
    assert not absent, f"Q1(b)'s training outputs not on the first pages: {absent}"


def test_prose_numbers_read_in_order_in_the_pdf_as_in_the_markdown(report):
    """Every prose decimal of report.fa.md (written by the Markdown path, digit by digit) is in the PDF's text
    as it is: a number XeTeX had split into right-to-left runs would read 6608.0 for 0.6608."""
    markdown = (report.out / "report.fa.md").read_text(encoding="utf-8")
    decimals = set(re.findall("[۰-۹]+(?:[٫٬][۰-۹]+)+", markdown))
    assert len(decimals) > 5
    text = _readable(report.text)
    missing = sorted(number for number in decimals if number not in text)
    assert not missing, missing[:10]


def test_the_first_heading_is_set_against_the_right_margin(report):
    """pdftotext -bbox gives each word's box: the title's last word (read right to left) ends at the right margin."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext")
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(report.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    page = re.search(r'<page width="([\d.]+)"', html)
    words = [
        (float(x_min), float(x_max), unescape(word))
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)', html
        )
    ]
    assert page and words
    width = float(page.group(1))
    # The first line of body text after the title block: the first word whose script is Persian and whose box is
    # not centred. On an A4 page with 2.2 cm margins, text right-aligned ends within a point of width - 62.4 pt.
    right_margin = width - 2.2 / 2.54 * 72
    persian_words = [word for word in words if re.search("[\u0600-\u06ff\ufb50-\ufeff]", word[2])]
    assert persian_words
    ends = sorted({round(x_max, 1) for _, x_max, _ in persian_words})
    assert any(abs(end - right_margin) < 1.5 for end in ends), (right_margin, ends[-5:])


def test_markdown_is_right_to_left_and_its_math_survives(report, tmp_path_factory):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    persian = (report.out / "report.fa.md").read_text(encoding="utf-8")
    english = (built_report(tmp_path_factory).out / "report.md").read_text(encoding="utf-8")
    assert persian.startswith('<div dir="rtl">\n\n')
    parser = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, allow_space=False, double_inline=False)

    def math(text: str) -> list[str]:
        found, stack = [], list(parser.parse(text))
        while stack:
            token = stack.pop(0)
            if token.type in ("math_block", "math_inline"):
                found.append(token.content.strip())
            stack[:0] = token.children or []
        return found

    persian_math, english_math = math(persian), math(english)
    assert persian_math, "no math parsed in report.fa.md"
    # Every display equation of the English report is in the Persian one, character for character.
    english_displays = {formula for formula in english_math if "\\" in formula and len(formula) > 40}
    missing = english_displays - set(persian_math)
    assert not missing, sorted(missing)[:3]


def test_the_english_report_is_untouched_by_the_persian_one(tmp_path_factory):
    english = built_report(tmp_path_factory)
    built_persian_report(tmp_path_factory)  # built after it into the same folder
    for name, before in english.written.items():
        assert (english.out / name).read_bytes() == before, name
        assert not re.search("[\u0600-\u06ff]", before.decode("utf-8")), name
