"""`hwsolve report`: options, graceful placeholders, missing data, and the PDF builder's errors."""

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hwsolve.cli import cli
from hwsolve.cli.report import parse_formats
from hwsolve.errors import DataNotFoundError
from hwsolve.render import pdf, report
from hwsolve.render.questions.q2 import Q2Hook
from hwsolve.render.questions.q3 import Q3Hook
from hwsolve.render.questions.q4 import Q4Hook

HWSOLVE = Path(sys.executable).parent / "hwsolve"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ((), ("md", "tex", "pdf")),
        (("md",), ("md",)),
        (("md,pdf",), ("md", "pdf")),
        (("tex", "MD", "tex"), ("tex", "md")),
    ],
)
def test_parse_formats(given, expected):
    assert parse_formats(given) == expected


@pytest.mark.parametrize("bad", [("html",), ("md,docx",), (",",)])
def test_parse_formats_rejects(bad):
    with pytest.raises(click.BadParameter):
        parse_formats(bad)


@pytest.mark.parametrize(
    "arguments",
    [["--format", "html"], ["--quick", "--epochs", "5"], ["--digits", "0"], ["--title", "  "], ["--epochs", "zero"]],
)
def test_bad_options_exit_2_with_one_line(arguments, tmp_path):
    completed = subprocess.run(
        [str(HWSOLVE), "report", "--out", str(tmp_path), *arguments], capture_output=True, text=True
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "Error" in completed.stderr
    assert not (tmp_path / "report.md").exists()


def _only(monkeypatch, *hooks):
    monkeypatch.setattr(report, "QUESTIONS", tuple(hooks))


class _NotWrittenYet:
    number = 7
    title = "A question not written yet"
    solver = "hwsolve.solutions.q7_absent.solve_q7"

    def solve(self, options):
        pytest.fail("a question whose module is missing is never solved")

    def option_notices(self, options):
        return []


def test_missing_question_module_is_a_placeholder(monkeypatch, tmp_path):
    _only(monkeypatch, _NotWrittenYet())
    result = CliRunner().invoke(cli, ["report", "--format", "md,tex", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "report.md").read_text()
    assert "## Question 7 — A question not written yet" in markdown
    assert (
        "*Question 7: not yet available (hwsolve.solutions.q7_absent.solve_q7 is not part of this installation).*"
        in markdown
    )
    assert "\\section{Question 7 --- A question not written yet}" in (tmp_path / "report.tex").read_text()


def test_missing_mnist_warns_and_exits_0(monkeypatch, tmp_path):
    def solver_without_data(**_):
        raise DataNotFoundError(
            "MNIST not found (looked in: /nowhere); set HWSOLVE_DATA to a folder holding the four MNIST IDX files"
        )

    _only(monkeypatch, Q4Hook())
    monkeypatch.setattr(Q4Hook, "solve", lambda self, options: solver_without_data())
    result = CliRunner().invoke(cli, ["report", "--format", "md", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == "Q4: The MNIST sweep..."  # progress, then the warning last
    assert result.stderr.splitlines()[-1].startswith(
        "Warning: Q4 is not in the report: not computed, because the MNIST data was not found."
    )
    markdown = (tmp_path / "report.md").read_text()
    assert "set HWSOLVE_DATA to a folder holding the four MNIST IDX files" in markdown
    assert "HWSOLVE_DATA=/path/to/mnist hwsolve report" in markdown
    assert "Not in this report: Question 4" in markdown


class _Q4WithoutData(Q4Hook):
    """Q4 as on a machine without MNIST: not solved, but the options' notices still apply."""

    def solve(self, options):
        raise DataNotFoundError("no MNIST here")


def test_quick_is_stated_in_the_report(monkeypatch, tmp_path):
    _only(monkeypatch, _Q4WithoutData())
    result = CliRunner().invoke(cli, ["report", "--format", "md", "--quick", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Quick mode: the Q4 sweep was trained for 3 epochs only" in (tmp_path / "report.md").read_text()


def _path_without_latex(monkeypatch, tmp_path) -> None:
    """PATH holds only an empty folder: latexmk and pdflatex are absent, as on a fresh machine."""
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))


def test_explicit_pdf_without_latex_is_one_line_and_exit_1(monkeypatch, tmp_path):
    _path_without_latex(monkeypatch, tmp_path)
    completed = subprocess.run(
        [str(HWSOLVE), "report", "--format", "pdf", "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        "Error: latexmk and pdflatex not found; to build the PDF run scripts/install-system-packages.sh or install the "
        "Debian packages: texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
        "texlive-science lmodern latexmk"
    ]
    assert not (tmp_path / "report.tex").exists()  # refused before any work


def test_default_formats_without_latex_write_md_and_tex_and_skip_the_pdf(monkeypatch, tmp_path):
    _path_without_latex(monkeypatch, tmp_path)
    _only(monkeypatch, Q3Hook())
    result = CliRunner().invoke(cli, ["report", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.md").read_text().count("w_{35}") > 0
    assert "\\begin{document}" in (tmp_path / "report.tex").read_text()
    assert (tmp_path / "figures" / "q3_network.png").exists()
    assert not (tmp_path / "report.pdf").exists()
    skipped = [line for line in result.stderr.splitlines() if "PDF" in line]
    assert len(skipped) == 1
    assert skipped[0].startswith("PDF skipped: latexmk and pdflatex not found")
    assert "texlive-latex-base" in skipped[0]


def test_persian_pdf_without_xelatex_names_the_persian_packages(monkeypatch, tmp_path):
    _path_without_latex(monkeypatch, tmp_path)
    completed = subprocess.run(
        [str(HWSOLVE), "report", "--lang", "fa", "--format", "pdf", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("Error: latexmk and xelatex and xepersian.sty and the Nazli font not found;")
    assert lines[0].endswith("texlive-science lmodern latexmk texlive-xetex texlive-lang-arabic fonts-farsiweb")


def test_persian_pdf_without_the_font_says_which_package_brings_it(monkeypatch):
    monkeypatch.setattr(pdf, "_font_installed", lambda family: False)
    monkeypatch.setattr(pdf, "_kpsewhich", lambda name: True)
    monkeypatch.setattr(pdf.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    missing = pdf.missing_latex_tools("xelatex")
    assert missing == ["the Nazli font"]
    assert pdf.latex_missing_message(missing, "xelatex").endswith("fonts-farsiweb")
    assert pdf.missing_latex_tools("pdflatex") == []  # English needs neither the font nor xepersian


def test_default_formats_in_persian_without_latex_write_md_and_tex(monkeypatch, tmp_path):
    _path_without_latex(monkeypatch, tmp_path)
    _only(monkeypatch, Q3Hook())
    result = CliRunner().invoke(cli, ["report", "--lang", "fa", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "report.fa.md").read_text()
    assert markdown.startswith('<div dir="rtl">') and "w_{35}" in markdown
    assert "\\usepackage{xepersian}" in (tmp_path / "report.fa.tex").read_text()
    assert (tmp_path / "figures" / "fa" / "q3_network.png").exists()
    assert not (tmp_path / "report.md").exists()  # the English report is another file, not written here
    assert [line for line in result.stderr.splitlines() if "PDF" in line][0].startswith(
        "PDF skipped: latexmk and xelatex"
    )


def test_error_excerpt_keeps_bang_lines_with_context():
    log = (
        "noise\n! Undefined control sequence.\nl.12 \\foo\n          bar\nmore\nafter\nlater\n"
        "! Emergency stop.\n<*> report.tex\n"
    )
    assert pdf.error_excerpt(log, context_after=2) == (
        "! Undefined control sequence.\nl.12 \\foo\n          bar\n! Emergency stop.\n<*> report.tex"
    )


@pytest.mark.latex
@pytest.mark.skipif(not pdf.shutil.which("latexmk"), reason="latexmk is not installed")
def test_latex_error_shows_the_failing_lines(tmp_path):
    source = tmp_path / "broken.tex"
    source.write_text("\\documentclass{article}\n\\begin{document}\nfine\n\\nosuchcommand\n\\end{document}\n")
    with pytest.raises(pdf.LatexBuildError) as raised:
        pdf.build_pdf(source)
    message = str(raised.value)
    assert "! Undefined control sequence." in message
    assert "l.4 \\nosuchcommand" in message
    assert (tmp_path / "broken.log").exists()  # the full log is kept


def test_figures_a_fragment_leaves_out_are_appended_once(monkeypatch, tmp_path):
    from hwsolve.render.options import ReportOptions
    from hwsolve.render.questions.q3 import Q3InReport
    from hwsolve.render.report import QuestionSection, render_section

    section = QuestionSection(3, "Q3", solved=Q3InReport(object()))
    section.figures = {"q3_network": tmp_path / "figures" / "q3_network", "extra": tmp_path / "figures" / "extra"}
    section.captions = {"q3_network": "The network.", "extra": "An extra figure."}
    monkeypatch.setattr(
        report,
        "render_template",
        lambda fmt, name, **ctx: (
            f"body with {ctx['figures']['q3_network']}\n"
            if name == "q3"
            else "".join(f"[{f['path']}|{f['caption']}]" for f in ctx["figures"])
        ),
    )
    text = render_section(section, "md", ReportOptions(out_dir=tmp_path))
    assert text == "body with figures/q3_network.png\n\n[figures/extra.png|An extra figure.]"


def test_without_mnist_the_real_q4_says_how_to_provide_it(monkeypatch, tmp_path):
    pytest.importorskip("hwsolve.solutions.q4")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(tmp_path)  # no ./data here
    monkeypatch.setenv("HWSOLVE_DATA", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _only(monkeypatch, Q4Hook())
    result = CliRunner().invoke(cli, ["report", "--format", "md,tex", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Warning: Q4 is not in the report" in result.stderr
    assert "Traceback" not in result.output
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert f"MNIST not found (looked in: {empty}" in markdown
    assert "hwsolve data fetch" in markdown and "HWSOLVE_DATA" in markdown
    assert "Q4 is not available (see its section)" in markdown


def test_a_crashing_question_is_a_bug_and_is_not_swallowed(monkeypatch, tmp_path):
    """Only HwsolveError becomes a placeholder; any other error propagates with its traceback, as in every command."""

    def broken(self, options):
        raise ValueError("Out of range float values are not JSON compliant: nan")

    _only(monkeypatch, Q2Hook())
    monkeypatch.setattr(Q2Hook, "solve", broken)
    result = CliRunner().invoke(cli, ["report", "--format", "md", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, ValueError)
    assert str(result.exception) == "Out of range float values are not JSON compliant: nan"
    assert not (tmp_path / "report.md").exists()  # nothing is written for a report with a bug in it
