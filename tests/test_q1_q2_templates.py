"""The md/tex fragments the report includes: figures placed when given, and the LaTeX compiles."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest

from hwsolve.experiments.width import WidthSubstitution
from hwsolve.problem.q1 import WidthProblem
from hwsolve.render.environment import render_template
from hwsolve.solutions.q1 import solve_q1
from hwsolve.solutions.q2 import solve_q2

FIGURES = {
    "q1_width": "figures/q1_width.png",
    "q1_gradient_flow": "figures/q1_gradient_flow.png",
    "q2_regularisation": "figures/q2_regularisation.png",
}


@pytest.fixture(scope="module")
def solutions(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    small = WidthProblem(widths=(2, 8), n_train=60, n_test=60, steps=20, seed_count=3, long_steps=30, long_widths=(8,))
    q1 = solve_q1(seed=0, width=small, build_dir=build)
    return q1, solve_q2(seed=0)


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_figures_are_placed_when_given(solutions, fmt):
    q1, q2 = solutions
    text = render_template(fmt, "q1", solution=q1, digits=6, figures=FIGURES) + render_template(
        fmt, "q2", solution=q2, digits=6, figures=FIGURES
    )
    for path in FIGURES.values():
        assert path in text
    bare = render_template(fmt, "q1", solution=q1, digits=6, figures={})
    assert "figures/" not in bare


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_substitution_reason_goes_to_the_reproducibility_notes_not_the_answer(solutions, fmt):
    q1, _ = solutions
    substitution = WidthSubstitution(8, 4, 4, 0.5, 150.0, 60.0, "too slow on this machine")
    c = dataclasses.replace(q1.c, problem=dataclasses.replace(q1.c.problem, threads=2), substitutions=[substitution])
    solution = dataclasses.replace(q1, c=c)
    text = render_template(fmt, "q1", solution=solution, digits=6, figures={})
    assert "too slow on this machine" not in text and "thread" not in text
    notes = solution.reproducibility_notes()
    assert any("too slow on this machine" in note for note in notes) and any(
        "2 torch threads" in note for note in notes
    )


def test_md_headings_and_reconstructed_marks(solutions):
    q1, q2 = solutions
    md = render_template("md", "q1", solution=q1, digits=6, figures={})
    assert md.startswith("## Question 1 — ") and md.count("\n### (") == 4
    assert "reconstructed" in md
    md2 = render_template("md", "q2", solution=q2, digits=6, figures={})
    assert md2.startswith("## Question 2 — ") and md2.count("(reconstructed)") >= 3


@pytest.mark.latex
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_tex_fragments_compile(solutions, tmp_path):
    q1, q2 = solutions
    (tmp_path / "q1.tex").write_text(render_template("tex", "q1", solution=q1, digits=6, figures={}))
    (tmp_path / "q2.tex").write_text(render_template("tex", "q2", solution=q2, digits=6, figures={}))
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage{amsmath,amssymb,booktabs,graphicx,float,hyperref,siunitx}"
        "\\usepackage[most]{tcolorbox}\\newtcolorbox{answerbox}[1]{breakable, title={#1}}"
        "\\begin{document}\\input{q1.tex}\\input{q2.tex}\\end{document}\n"
    )
    completed = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0
