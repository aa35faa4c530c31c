"""The front page's answers: rendered with the fragment's own context, skipped while a template is missing;
and the closing reproducibility note's facts."""

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pytest

from hwsolve.render import report
from hwsolve.render.options import ReportOptions
from hwsolve.render.questions.q1 import Q1InReport
from hwsolve.render.questions.q4 import Q4Modes
from hwsolve.render.report import QuestionSection, render_answer, render_section


@dataclass
class _Solution:
    seed: int = 3
    notes: list = field(default_factory=lambda: ["ran on 2 threads", "ran on 2 threads"])

    def reproducibility_notes(self):
        return self.notes


@dataclass
class _Solved:
    """A solved question as the report sees it, with one extra template variable."""

    solution: object

    def template_context(self):
        return {"solution": self.solution, "note": 1}


def _recording(monkeypatch, missing=None):
    """render_template replaced: it records each call; missing maps a template to the loader name it fails on."""
    calls, missing = [], missing or {}

    def render(fmt, name, **context):
        calls.append((name, context))
        if name in missing:
            raise jinja2.TemplateNotFound(missing[name])
        return f"<{name}>"

    monkeypatch.setattr(report, "render_template", render)
    return calls


def test_answer_gets_the_same_context_as_its_fragment(monkeypatch):
    calls = _recording(monkeypatch)
    section = QuestionSection(3, "Backprop", solved=_Solved(_Solution()))
    options = ReportOptions(out_dir=Path("build"), digits=4)
    assert render_section(section, "md", options) == "<q3>"
    assert render_answer(section, "md", options) == "<q3_answer>"
    (fragment, fragment_context), (answer, answer_context) = calls
    assert (fragment, answer) == ("q3", "q3_answer")
    assert answer_context == fragment_context and answer_context["digits"] == 4 and answer_context["note"] == 1


def test_missing_answer_template_is_skipped_but_a_missing_include_is_a_bug(monkeypatch):
    section = QuestionSection(2, "T/F", solved=_Solved(_Solution()))
    _recording(monkeypatch, missing={"q2_answer": "md/q2_answer.md.j2"})
    assert render_answer(section, "md", ReportOptions()) is None
    _recording(monkeypatch, missing={"q2_answer": "md/shared_table.md.j2"})
    with pytest.raises(jinja2.TemplateNotFound):
        render_answer(section, "md", ReportOptions())
    assert render_answer(QuestionSection(2, "T/F"), "md", ReportOptions()) is None  # not available: no answer


def test_tex_label_goes_right_after_the_fragments_heading():
    body = "\\#{ comment }\n\\section{Question 1 --- MLPs}\n\nText."
    assert (
        report._labelled(body, "question-1")
        == "\\#{ comment }\n\\section{Question 1 --- MLPs}\n\\label{question-1}\n\nText."
    )


def test_reproducibility_collects_seeds_epochs_and_each_solutions_notes():
    from hwsolve.render.reproducibility import reproducibility

    @dataclass
    class _Mode:
        seeds: list
        epochs: int
        limit_train: int | None
        seed: int = 0

    class _Modes(Q4Modes):
        def reproducibility_notes(self):
            return [
                f"{mode} mode: {one.epochs}-epoch sweep took 300 s on 2 threads" for mode, one in self.by_mode().items()
            ]

    solved = [
        (1, Q1InReport(_Solution())),  # its notes twice: listed once
        (4, _Modes(_Mode([0, 1, 2], 30, None), _Mode([], 30, 1024, seed=0), reused={})),  # no seeds: its seed
    ]
    note = reproducibility(solved, ReportOptions(out_dir=Path("out"), quick=True, seed=5), "9.9")
    assert note.command == "hwsolve report --out out --quick --seed 5"
    assert note.facts == [
        "Question 1: seed 3.",
        "Question 4, homework mode: seeds 0, 1, 2; 30 epochs configured.",
        "Question 4, corrected mode: seed 0; 30 epochs configured; the first 1,024 training images.",
    ]
    assert note.notes == [
        (1, "ran on 2 threads"),
        (4, "homework mode: 30-epoch sweep took 300 s on 2 threads"),
        (4, "corrected mode: 30-epoch sweep took 300 s on 2 threads"),
    ]
