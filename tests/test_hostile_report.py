"""Issue 11 §4: report titles print literally (TeX ligatures, Markdown), a title pdflatex cannot set is
refused before any work, and a failed build keeps the previous report.pdf."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hostile import assert_one_line_failure, run_cli, snapshot
from markdown_it import MarkdownIt

from hwsolve.render import pdf
from hwsolve.render.environment import escape_markdown
from hwsolve.render.latex_escape import escape_latex

has_latex = pytest.mark.skipif(
    not shutil.which("latexmk") or not shutil.which("pdftotext"), reason="latexmk or pdftotext is not installed"
)


@pytest.mark.parametrize("title", ["Persian سلام", "CJK 深度学习", "emoji 🎓"])
def test_title_pdflatex_cannot_set_is_refused_before_work(tmp_path, title):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.pdf").write_bytes(b"%PDF-1.5 the previous good one")
    before = snapshot(tmp_path)
    result = run_cli("report", "--title", title, "--out", str(tmp_path / "out"))
    stderr = assert_one_line_failure(result, exit_code=2)
    assert "--title" in stderr and f"U+{ord(title[-1]):04X}" in stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "title",
    [
        "two\nlines",
        "<b>bold</b> <script>x</script>",
        "# not a heading",
        "a *b* _c_ [d](e) `f` &amp; !x",
        "line\r\n\r\nbreak",
    ],
)
def test_markdown_title_is_one_heading_with_the_literal_text(title):
    tokens = MarkdownIt("commonmark").parse(f"# {escape_markdown(title)}\n")
    assert [token.type for token in tokens] == ["heading_open", "inline", "heading_close"]
    inline = tokens[1].children
    assert all(token.type == "text" for token in inline), [token.type for token in inline]
    expected = " ".join(title.split()) if "\n" in title else title
    assert "".join(token.content for token in inline) == expected


@has_latex
def test_tex_title_prints_literally(tmp_path):
    title = "a--b---c ``quoted'' ,,low !`x ?`y <<z>>"
    source = tmp_path / "title.tex"
    source.write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n\\usepackage{lmodern}\n\\pagestyle{empty}\n"
        f"\\begin{{document}}\n{escape_latex(title)}\n\\end{{document}}\n"
    )
    built = pdf.build_pdf(source)
    text = subprocess.run(["pdftotext", str(built), "-"], capture_output=True, text=True, check=True).stdout
    assert " ".join(text.split()) == title.replace("'", "’")  # an apostrophe is typeset curly, the pair stays two


@has_latex
def test_failed_build_keeps_the_previous_pdf(tmp_path):
    source = tmp_path / "report.tex"
    source.write_text("\\documentclass{article}\n\\begin{document}\ngood\n\\end{document}\n")
    good = pdf.build_pdf(source).read_bytes()
    source.write_text("\\documentclass{article}\n\\begin{document}\nbroken\n\\nosuchcommand\n\\end{document}\n")
    with pytest.raises(pdf.LatexBuildError, match="previous PDF is kept"):
        pdf.build_pdf(source)
    assert (tmp_path / "report.pdf").read_bytes() == good
    assert "Undefined control sequence" in (tmp_path / "report.log").read_text(errors="replace")
