"""The front page's answers: rendered with the fragment's own context, skipped while a template is missing;
and the closing reproducibility note's facts."""

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pytest

from hwsolve.render import report
from hwsolve.render.report import QuestionSection, ReportOptions, render_answer, render_section


@dataclass
class _Solution:
    seed: int = 3
    notes: list = field(default_factory=lambda: ["ran on 2 threads"])

    def reproducibility_notes(self):
        return self.notes


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
    section = QuestionSection(3, "Backprop", solution=_Solution(), extra={"note": 1})
    options = ReportOptions(out_dir=Path("build"), digits=4)
    assert render_section(section, "md", options) == "<q3>"
    assert render_answer(section, "md", options) == "<q3_answer>"
    (fragment, fragment_context), (answer, answer_context) = calls
    assert (fragment, answer) == ("q3", "q3_answer")
    assert answer_context == fragment_context and answer_context["digits"] == 4 and answer_context["note"] == 1


def test_missing_answer_template_is_skipped_but_a_missing_include_is_a_bug(monkeypatch):
    section = QuestionSection(2, "T/F", solution=_Solution())
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
    from hwsolve.render.report_questions import reproducibility

    @dataclass
    class _Mode:
        seeds: list
        epochs: int
        limit_train: int | None
        seed: int = 0

        def reproducibility_notes(self):
            return [f"{self.epochs}-epoch sweep took 300 s on 2 threads"]

    class _Modes:
        def by_mode(self):
            return {"homework": _Mode([0, 1, 2], 30, None), "corrected": _Mode([0], 30, 1024)}

    sections = [
        QuestionSection(1, "MLP", solution=_Solution()),
        QuestionSection(2, "T/F", placeholder="missing"),
        QuestionSection(4, "MNIST", solution=_Modes()),
    ]
    note = reproducibility(sections, ReportOptions(out_dir=Path("out"), quick=True, seed=5), "9.9")
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
