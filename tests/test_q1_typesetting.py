"""Q1's md and tex fragments: mathematics typeset as mathematics, no machine facts in the answer, relu'(0) = 0 stated,
and figures labelled in words."""

from __future__ import annotations

import re

import pytest

import hwsolve.experiments.width as width_module
from hwsolve.problem.q1 import WidthProblem
from hwsolve.render.environment import render_template
from hwsolve.solutions.q1 import solve_q1

# The homework's widths with a tiny recipe; a fake clock (1 microsecond per unit and step) makes the
# 1,000,000-unit network be replaced, as it is on a real machine, without timing anything.
PROBLEM = WidthProblem(n_train=60, n_test=100, steps=20, seed_count=3, long_steps=40, time_budget_s=0.5)


@pytest.fixture(scope="module")
def solution(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(width_module, "seconds_per_step", lambda width, *args: 1e-6 * width)
        solved = solve_q1(seed=0, width=PROBLEM, build_dir=tmp_path_factory.mktemp("build"))
    assert solved.c.substitutions and solved.c.summaries[-1].substituted
    return solved


def _rendered(solution, fmt):
    figures = {"q1_width": "figures/q1_width", "q1_gradient_flow": "figures/q1_gradient_flow"}
    return render_template(fmt, "q1", solution=solution, digits=6, figures=figures), render_template(
        fmt, "q1_answer", solution=solution, digits=6, figures=figures
    )


def _md_prose(text: str) -> str:
    """Markdown without its math and code: what is left must not contain mathematics."""
    text = re.sub(r"```math\n.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$[^$]+\$", " ", text)
    return re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)  # image paths


def _tex_prose(text: str) -> str:
    text = re.sub(r"\\begin\{(align\*|tabular)\}.*?\\end\{\1\}", " ", text, flags=re.S)  # S cells hold siunitx input
    text = re.sub(r"\\\[.*?\\\]", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]+\$", " ", text)
    text = re.sub(r"\\(texttt|cite|includegraphics|label|ref)(\[[^\]]*\])?\{[^}]*\}", " ", text)
    return text


PLAIN_MATH = {
    "a power written with ^": r"\^",
    "a norm written with ||": r"\|\|",
    "sigma' in words": r"sigma'",
    "a derivative mark outside math": r"\b[a-z]+'\(",
    "e-notation": r"\b\d+(\.\d+)?e[-+]?\d+\b",
    "an arrow written ->": r"->",
    "<= or >=": r"<=|>=",
    "R^2 in words": r"\bR2\b|R\^2",
    "a subscript outside math": r"\b[a-zA-Z]_\{?[0-9a-z]",
}


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_no_plain_text_mathematics(solution, fmt):
    prose = _md_prose if fmt == "md" else _tex_prose
    for text in _rendered(solution, fmt):
        remaining = prose(text)
        for what, pattern in PLAIN_MATH.items():
            found = re.search(pattern, remaining)
            assert found is None, f"{what}: ...{remaining[max(0, found.start() - 60) : found.end() + 60]}..."


def test_md_math_uses_fences_and_no_escapes_github_eats(solution):
    for text in _rendered(solution, "md"):
        assert "$$" not in text
        math = " ".join(re.findall(r"```math\n(.*?)```", text, flags=re.S) + re.findall(r"\$([^$]+)\$", text))
        for escape in (r"\;", r"\,", r"\{", r"\}"):
            assert escape not in math


def test_tex_has_no_forced_float_positions(solution):
    for text in _rendered(solution, "tex"):
        assert "[H]" not in text


MACHINE_FACTS = [
    r"budget",
    r"thread",
    r"shared CPU",
    r"this machine",
    r"wall",
    r"\bseconds?\b",
    r"\b\d+(\.\d+)? ?m?s\b",
]


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_no_machine_facts_in_the_answer(solution, fmt):
    for text in _rendered(solution, fmt):
        for pattern in MACHINE_FACTS:
            assert re.search(pattern, text, flags=re.I) is None, pattern
    notes = " ".join(solution.reproducibility_notes())
    assert "budget" in notes and "thread" in notes and "1,000,000" in notes


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_the_million_is_answered_and_what_was_trained_is_said(solution, fmt):
    body, answer = _rendered(solution, fmt)
    trained = f"{solution.c.summaries[-1].width:,}"
    assert "1,000,000" in answer and trained in answer
    assert "was not trained" in body and "5,000,002 parameters" in body
    assert (
        ("cite{cybenko1989" in body and "hornik1989" in body)
        if fmt == "tex"
        else ("[Cybenko 1989]" in body and "[Hornik et al. 1989]" in body)
    )


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_relu_derivative_at_zero_is_stated_as_zero(solution, fmt):
    body, _ = _rendered(solution, fmt)
    assert r"\mathrm{relu}'(0) = 0" in body
    assert r"0\ \text{if } z \leq 0" in body  # the derivative's table row: 0 at z = 0 too


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_fragment_ends_with_the_boxed_final_answer(solution, fmt):
    body, answer = _rendered(solution, fmt)
    assert body.rstrip().endswith(answer.rstrip() + ("\n\\end{answerbox}" if fmt == "tex" else ""))
    for part in ("(a)", "(b)", "(c)", "(d)"):
        assert part in answer
    assert "[-9, 0, 6, 0, 3]" in answer and "[-7.5, 0, 5, 0, 2.5]" in answer and "unchanged" in answer


def _figure_texts(monkeypatch, module, draw, part):
    texts = []

    def capture(figure, base):
        for axis in figure.axes:
            texts.extend([axis.get_title(), axis.get_xlabel(), axis.get_ylabel()])
            texts.extend(label.get_text() for label in axis.get_xticklabels())
            legend = axis.get_legend()
            if legend is not None:
                texts.extend(text.get_text() for text in legend.get_texts())
        if figure._suptitle is not None:
            texts.append(figure._suptitle.get_text())
        return base, base

    monkeypatch.setattr(module, "save_figure", capture)
    draw(part, "unused")
    return [text for text in texts if text]


def test_figures_say_things_in_words(solution, monkeypatch):
    from hwsolve.render.figures import q1_gradient_flow, q1_width

    texts = _figure_texts(monkeypatch, q1_width, q1_width.draw_width_accuracy, solution.c)
    texts += _figure_texts(monkeypatch, q1_gradient_flow, q1_gradient_flow.draw_gradient_norms, solution.d)
    assert any("Xavier" in text for text in texts) and any("train" in text for text in texts)
    for text in texts:
        assert "xavier_he" not in text and "default initialisation" not in text.replace(
            "torch's default initialisation", ""
        )
        assert re.search(r"\b[a-z]+_[a-z]+\b", text) is None, text
