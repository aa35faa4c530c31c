"""Q2's fragments: reconstructed statements marked, lambda printed one way, the table thinned, no plain-text
mathematics, the boxed final answer last, and LaTeX that compiles without an Overfull box."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from hwsolve.audit.markup import TEXT, segments
from hwsolve.cli import cli
from hwsolve.render.environment import render_template
from hwsolve.solutions.q2 import solve_q2

FIGURES = {"q2_regularisation": "figures/q2_regularisation.png"}


@pytest.fixture(scope="module")
def solution():
    return solve_q2(seed=0)


def _md(solution, figures=FIGURES):
    return render_template("md", "q2", solution=solution, digits=6, figures=figures)


def _tex(solution, figures=None):
    return render_template("tex", "q2", solution=solution, digits=6, figures=figures or {})


def _outside_math(markdown: str) -> list[str]:
    markdown = re.sub(r"```math.*?```", "", markdown, flags=re.S)
    return [piece for line in markdown.splitlines() for kind, piece in segments(line) if kind == TEXT]


# "lambda = 0", "1e-10", "||w||", "->", sigma, powers and indices written as plain text.
PLAIN_MATH = [
    re.compile(pattern)
    for pattern in (
        r"\blambda\b",
        r"\d(\.\d+)?e[-+]?\d",
        r"\|\|",
        r"->",
        r"\bsigma\b",
        r"\^",
        r"\b[a-zA-Z]\s*=\s*[\d-]",
        r"\bw_",
        r"\bR2\b",
    )
]


def test_no_plain_text_math_in_the_markdown(solution):
    for text in (_md(solution), render_template("md", "q2_answer", solution=solution, digits=6, figures=FIGURES)):
        for piece in _outside_math(text):
            for pattern in PLAIN_MATH:
                assert not pattern.search(piece), (pattern.pattern, piece)


def test_no_plain_text_math_in_the_latex(solution):
    text = _tex(solution) + render_template("tex", "q2_answer", solution=solution, digits=6, figures={})
    text = re.sub(r"\\\[.*?\\\]", "", text, flags=re.S)
    outside = re.sub(r"\$[^$]*\$", "", text)
    for pattern in (r"\blambda\b", r"\d(\.\d+)?e[-+]?\d", r"\|\|", r"->"):
        assert not re.search(pattern, outside), pattern
    assert r"$\lambda = 0$" in text and "[H]" not in text


def test_every_statement_is_marked_reconstructed(solution):
    md, tex = _md(solution), _tex(solution)
    assert md.count("> *(reconstructed)*") == 3 and tex.count(r"\emph{(reconstructed)}") == 3
    for text in (md, tex):
        assert "right by construction" in text and "no evidence" in text
    text_output = CliRunner().invoke(cli, ["q2"]).output
    assert text_output.count("[reconstructed]") == 3 and "RECONSTRUCTED" in text_output
    data = json.loads(CliRunner().invoke(cli, ["q2", "--format", "json"]).output)
    assert all(statement["reconstructed"] for statement in data["statements"])
    assert "reconstructed" in data["reconstruction_note"] and "not evidence" in data["reconstruction_note"]


def test_lambda_is_a_power_of_ten_everywhere(solution):
    """Every lambda in md and tex is 10^{k} with k the grid exponent, or lambda = 0; never 0.316228 or 0.3162."""
    md, tex = _md(solution), _tex(solution)
    exponents = {f"{k:g}" for k in solution.experiment.lambda_sweep.log10_lambdas}
    for text in (md, tex):
        for value in re.findall(r"\\lambda = ([^$]*)\$", text):
            assert value == "0" or re.fullmatch(r"10\^\{(-?[\d.]+)\}", value) and value[4:-1] in exponents, value
        best = solution.experiment.lambda_sweep.best_index
        assert f"10^{{{solution.experiment.lambda_sweep.log10_lambdas[best]:g}}}" in text
        assert "0.316228" not in text and "0.3162$" not in text  # the best lambda, 10^{-0.5}, as printed before


def test_the_lambda_table_is_thinned_and_json_keeps_all(solution):
    sweep = solution.experiment.lambda_sweep
    shown = solution.shown_lambda_rows()
    # Whole powers of ten from 10^-10 to 10^3, plus the best (10^-0.5 for seed 0): 14 + 1 rows of 27.
    assert len(sweep.lambdas) == 27
    decades = [i for i, k in enumerate(sweep.log10_lambdas) if k == round(k)]
    assert decades == list(range(0, 27, 2))
    assert shown == sorted(set(decades) | {sweep.best_index})
    md = _md(solution)
    table = md[md.index("| $\\lambda$ (L2) |") :].split("\n\n")[0].splitlines()
    assert len(table) == 2 + len(shown)
    data = json.loads(CliRunner().invoke(cli, ["q2", "--format", "json"]).output)
    assert (
        len(data["experiment"]["lambda_sweep"]["lambdas"]) == 27
        and len(data["experiment"]["lasso_sweep"]["lambdas"]) == 27
    )


def test_one_rule_of_significant_figures_per_column(solution):
    md = _md(solution)
    cells = re.findall(r"\| \$([0-9.]+)\$", md)
    assert cells
    for cell in cells:  # six significant figures, zeros kept: 0.394280, never 0.39428
        assert len(cell.replace(".", "").lstrip("0")) == 6, cell


def test_fragments_end_with_the_boxed_final_answer(solution):
    md, tex = _md(solution), _tex(solution)
    answer_md = render_template("md", "q2_answer", solution=solution, digits=6, figures=FIGURES)
    assert md.rstrip().endswith(answer_md.rstrip()) and "**Final answer.**" in md
    assert tex.rstrip().endswith("\\end{answerbox}") and "\\begin{answerbox}{Final answer --- Question 2}" in tex
    for label in "abc":
        assert f"({label}) **False**:" in answer_md  # every answer is computed false for seed 0
    assert "reconstructed" in answer_md
    assert "L2 and L1 both lower" in answer_md


def test_figure_caption_says_what_is_plotted(solution):
    md = _md(solution)
    caption = next(line for line in md.splitlines() if line.startswith("*Figure:"))
    assert "training and validation MSE" in caption and "$\\lambda$" in caption and "noise variance" in caption


@pytest.mark.latex
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_tex_fragment_compiles_without_overfull_boxes(solution, tmp_path):
    from hwsolve.render.figures.q2_regularisation import draw_regularisation

    draw_regularisation(solution, tmp_path / "q2_regularisation")
    (tmp_path / "q2.tex").write_text(_tex(solution, {"q2_regularisation": "q2_regularisation.pdf"}))
    (tmp_path / "doc.tex").write_text(
        "\\documentclass[11pt,a4paper]{article}\\usepackage[T1]{fontenc}\\usepackage{lmodern}"
        "\\usepackage{amsmath,amssymb,booktabs,graphicx,siunitx}\\sisetup{group-digits=integer}"
        "\\usepackage[most]{tcolorbox}\\newtcolorbox{answerbox}[1]{breakable, title={#1}}"
        "\\usepackage[margin=2.2cm]{geometry}\\usepackage{hyperref}"
        "\\begin{document}\\input{q2.tex}\\end{document}\n"
    )
    for _ in range(2):
        completed = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Overfull" not in log
    assert "undefined" not in log.lower().replace("undefined references", "")
