"""The feedback documents: one bullet per mistake under its own heading, and the same feedback in Persian.

The homework's own variant is graded from a sheet written here with known
mistakes; the feedback is read back as a student would read it.
"""

from __future__ import annotations

import dataclasses
import re

from click.testing import CliRunner

from hwsolve.cli import cli
from hwsolve.course.grading import GradingOptions, grade_sheets
from hwsolve.course.keys import solve_keys
from hwsolve.course.sheet import read_sheet
from hwsolve.course.variant import homework_variant
from hwsolve.i18n import using
from hwsolve.render.course import feedback_markdown

# Q3's loss right, one gradient with its sign flipped (a diagnosable mistake), one weight truncated, the rest missing.
SHEET = """student = "s1"
[q3]
loss = 0.0362078
[q3.gradients]
w35 = 0.00728324
[q3.updated]
w13 = 0.0999
"""


def _graded(tmp_path):
    path = tmp_path / "s1.toml"
    path.write_text(SHEET, encoding="utf-8")
    key = solve_keys([homework_variant("s1")])[0]
    return grade_sheets([read_sheet(path)], {"s1": key}, GradingOptions())[0], key


def test_a_mistake_carried_forward_without_a_diagnosis_beside_diagnosed_ones_is_listed(tmp_path):
    grade, key = _graded(tmp_path)
    wrong = [answer for answer in grade.answers if not answer.correct]
    assert any(answer.diagnosis for answer in wrong)
    # One wrong answer carried forward with no diagnosis of its own, next to diagnosed ones: grouping must not
    # compare None with a diagnosis (it raised TypeError before).
    changed = dataclasses.replace(wrong[0], ecf=True, diagnosis=None)
    grade = dataclasses.replace(grade, answers=tuple(changed if a is wrong[0] else a for a in grade.answers))
    text = feedback_markdown(grade, key, GradingOptions())
    assert "\n## What went wrong\n\n- **" in text  # the heading on its own line, the bullets after it
    assert f"**carried forward**, `{changed.path}`" in text


def test_feedback_in_persian_is_right_to_left_with_persian_headings(tmp_path):
    grade, key = _graded(tmp_path)
    with using("fa"):
        text = feedback_markdown(grade, key, GradingOptions())
    assert text.startswith('<div dir="rtl">')
    assert re.search("[\u0600-\u06ff]", text)
    assert "What went wrong" not in text
    assert "`q3.gradients.w35`" in text  # answer paths are code, left as they are


def test_check_prints_persian_feedback(tmp_path):
    path = tmp_path / "s1.toml"
    path.write_text(SHEET, encoding="utf-8")
    english = CliRunner().invoke(cli, ["check", str(path)])
    persian = CliRunner().invoke(cli, ["check", str(path), "--lang", "fa"])
    assert english.exit_code == persian.exit_code == 0, persian.output
    assert re.search("[\u0600-\u06ff]", persian.output) and not re.search("[\u0600-\u06ff]", english.output)
    # The same answers and scores: every number the English feedback shows is in the Persian one.
    numbers = set(re.findall(r"-?\d+\.\d+(?:e-?\d+)?", english.output))
    assert numbers and numbers <= set(re.findall(r"-?\d+\.\d+(?:e-?\d+)?", persian.output))
    assert CliRunner().invoke(cli, ["check", str(path), "--lang", "fa", "--format", "json"]).exit_code == 2
