"""Grading: every misconception planted by the independent oracle is diagnosed with its own id; error carried
forward earns its share; the tolerance modes decide as stated."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal

import pytest
from course_oracle import q1b_by_hand, q3_by_hand

from hwsolve.course.grades import MISSING, UNEXPLAINED
from hwsolve.course.grading import GradingOptions, grade_sheets
from hwsolve.course.keys import solve_keys
from hwsolve.course.misconceptions import MISCONCEPTIONS, Q1B_MODELS, Q3_MODELS
from hwsolve.course.sheet import parse_sheet
from hwsolve.course.tolerance import DEFAULT_TOLERANCE, parse_tolerance
from hwsolve.course.variant import draw_variant
from hwsolve.io import to_json

STUDENTS = [draw_variant(f"s{i:03d}", 104729 * i + 17) for i in range(40)]
KEYS = {key.variant.student: key for key in solve_keys(STUDENTS)}


def written(value, figures=6):
    return f"{value:.{figures}g}"


def sheet_text(student, values, figures=6):
    """A filled sheet, each number written with `figures` significant figures (as a student copies them)."""
    lines = [f'student = "{student}"', "[q1b]"]
    for path in ("q1b.train", "q1b.test"):
        lines.append(f"{path.split('.')[1]} = [{', '.join(written(v, figures) for v in values[path])}]")
    lines += ["[q3]", f"loss = {written(values['q3.loss'], figures)}"]
    for group in ("forward", "gradients", "updated"):
        lines.append(f"[q3.{group}]")
        lines += [
            f"{path.rsplit('.', 1)[1]} = {written(v, figures)}" for path, v in values.items() if f".{group}." in path
        ]
    return "\n".join(lines) + "\n"


def by_hand(variant, mistake=None):
    q3 = variant.q3
    values = q3_by_hand(q3.x[0], q3.x[1], q3.y[0], q3.lr, q3.weight_map, mistake if mistake in Q3_MODELS else None)
    values |= q1b_by_hand(
        variant.q1b_x, variant.q1b_mask, float(variant.q1b_p), mistake if mistake in Q1B_MODELS else None
    )
    return values


def grade(text, options=None):
    sheet = parse_sheet(text, "sheet.toml")
    return grade_sheets([sheet], KEYS, options or GradingOptions())[0]


def test_a_correct_sheet_earns_every_point():
    variant = STUDENTS[0]
    result = grade(sheet_text(variant.student, by_hand(variant)))
    assert result.total == result.max == 21 and all(a.correct and a.diagnosis is None for a in result.answers)


@pytest.mark.parametrize("mistake", [*Q3_MODELS, *Q1B_MODELS])
def test_each_planted_misconception_is_diagnosed_with_its_id(mistake):
    """On the first variant where the mistake shows, every wrong answer is explained by it, and it is chosen."""
    for variant in STUDENTS:
        result = grade(sheet_text(variant.student, by_hand(variant, mistake)))
        wrong = [a for a in result.answers if not a.correct]
        if wrong:
            break
    else:
        pytest.fail(f"{mistake} changed no answer on any of {len(STUDENTS)} variants")
    for answer in wrong:
        assert answer.diagnosis == mistake or mistake in answer.alternatives, (answer.path, answer.diagnosis)
        assert answer.diagnosis not in (UNEXPLAINED, MISSING)
    assert max({a.diagnosis for a in wrong}, key=[a.diagnosis for a in wrong].count) == mistake


def test_truncated_final_values_are_diagnosed():
    variant = STUDENTS[1]
    values = by_hand(variant)
    text = sheet_text(variant.student, values)
    cut = []
    for name in ("w13", "w23", "w14", "w24", "w35", "w45"):
        exact = Decimal(values[f"q3.updated.{name}"])
        down, nearest = exact.quantize(Decimal("0.01"), ROUND_DOWN), exact.quantize(Decimal("0.01"))
        if down != nearest:
            line = f"{name} = {written(values[f'q3.updated.{name}'])}"
            text = text.replace(line, f"{name} = {down}", 1) if line in text.split("[q3.updated]")[1] else text
            cut.append(name)
    assert cut, "no updated weight of this variant truncates differently from rounding"
    result = {a.path: a for a in grade(text).answers}
    for name in cut:
        answer = result[f"q3.updated.{name}"]
        assert not answer.correct and answer.diagnosis == "truncated", answer


def test_error_carried_forward_uses_the_student_s_own_numbers():
    variant = STUDENTS[2]
    values = by_hand(variant)
    wrong_gradient = values["q3.gradients.w35"] * 1.37  # a slip no misconception explains
    values["q3.gradients.w35"] = wrong_gradient
    values["q3.updated.w35"] = variant.q3.weight_map["w35"] - variant.q3.lr * wrong_gradient  # right on it
    result = {a.path: a for a in grade(sheet_text(variant.student, values)).answers}
    gradient, update = result["q3.gradients.w35"], result["q3.updated.w35"]
    assert not gradient.correct and gradient.diagnosis == UNEXPLAINED and gradient.points == 0
    assert not update.correct and update.ecf and update.points == 0.5 and update.ecf_from == ("q3.gradients.w35",)
    assert update.ecf_expected == pytest.approx(values["q3.updated.w35"], rel=1e-5)
    half = grade(sheet_text(variant.student, values), GradingOptions(ecf=0.25))
    assert {a.path: a.points for a in half.answers}["q3.updated.w35"] == 0.25


def test_error_carried_forward_through_the_forward_pass():
    variant = STUDENTS[3]
    values = by_hand(variant)
    values["q3.forward.H3"] += 0.2  # then y3 = sigma(that H3) is right on the student's own H3
    values["q3.forward.y3"] = 1 / (1 + pow(2.718281828459045, -values["q3.forward.H3"]))
    result = {a.path: a for a in grade(sheet_text(variant.student, values, figures=8)).answers}
    assert not result["q3.forward.H3"].correct and not result["q3.forward.H3"].ecf
    assert result["q3.forward.y3"].ecf and result["q3.forward.y3"].ecf_from == ("q3.forward.H3",)


def test_missing_answers_are_missing():
    variant = STUDENTS[4]
    before, after = sheet_text(variant.student, by_hand(variant)).split("[q3.gradients]")
    gradient_line = next(line for line in after.splitlines() if line.startswith("w13 = "))
    after = after.replace(gradient_line + "\n", "", 1)  # the gradient only; the updated w13 stays
    result = {a.path: a for a in grade(f"{before}[q3.gradients]{after}\n").answers}
    assert result["q3.gradients.w13"].diagnosis == MISSING and result["q3.gradients.w13"].points == 0
    assert result["q3.updated.w13"].correct  # the update itself is still there, and right


@pytest.mark.parametrize(
    ("spec", "given", "expected", "right"),
    [
        ("rel:1e-3", "0.09815", 0.0981419, True),
        ("rel:1e-6", "0.09815", 0.0981419, False),
        ("abs:0.005", "0.095", 0.0981419, True),
        ("sigfig:3", "0.0981", 0.0981419, True),
        ("sigfig:3", "0.0982", 0.0981419, False),
        ("decdig:2", "0.1", 0.0981419, True),
        ("decdig:3", "0.099", 0.0981419, False),
    ],
)
def test_tolerance_modes_decide_as_stated(spec, given, expected, right):
    tolerance = parse_tolerance(spec)
    assert tolerance.accepts(float(given), expected, len(given.split(".")[1])) is right


def test_the_default_tolerance_reads_the_decimals_written():
    assert DEFAULT_TOLERANCE.accepts(0.0981, 0.0981419, 4)
    assert DEFAULT_TOLERANCE.accepts(0.1, 0.0981419, 1)  # judged at 2 decimals: 0.10
    assert not DEFAULT_TOLERANCE.accepts(0.09, 0.0981419, 2)  # truncated, not rounded


def test_json_answers_hold_the_contract_keys():
    variant = STUDENTS[5]
    data = json.loads(to_json([grade(sheet_text(variant.student, by_hand(variant, "sign_flip")))]))
    student = data[0]
    assert {"student", "total", "max", "answers"} <= set(student)
    for answer in student["answers"]:
        assert {
            "path",
            "given",
            "expected",
            "correct",
            "points",
            "tolerance",
            "diagnosis",
            "alternatives",
            "ecf",
        } <= set(answer)
        assert answer["diagnosis"] is None or answer["diagnosis"] in (*MISCONCEPTIONS, UNEXPLAINED, MISSING)


@pytest.mark.parametrize("figures", [4, 6, 8])
def test_a_planted_sweep_is_diagnosed_with_the_planted_id(figures):
    """Every misconception planted on every variant, written to 4, 6 or 8 significant figures: each answer the
    grader marks wrong is explained by the planted id (chosen, or a listed alternative), never `unexplained`,
    and on every sheet the planted id is the diagnosis chosen most often."""
    sheets, planted = [], []
    for variant in STUDENTS:
        for mistake in (*Q3_MODELS, *Q1B_MODELS):
            sheets.append(parse_sheet(sheet_text(variant.student, by_hand(variant, mistake), figures), "s.toml"))
            planted.append(mistake)
    for mistake, result in zip(planted, grade_sheets(sheets, KEYS, GradingOptions())):
        wrong = [a for a in result.answers if not a.correct]
        for answer in wrong:
            assert answer.diagnosis == mistake or mistake in answer.alternatives, (mistake, answer)
        if wrong:
            chosen = [a.diagnosis for a in wrong]
            assert max(set(chosen), key=chosen.count) == mistake, (mistake, result.student, chosen)


def test_a_tie_goes_to_the_id_matching_at_the_student_s_own_precision():
    """lr_ignored written to 8 figures also lies within rel 1e-3 of another mistake's number on some update;
    the id the number matches to its last written digit wins over one it merely lies near."""
    for variant in STUDENTS:
        if variant.q3.lr == 1.0:
            continue
        result = grade(sheet_text(variant.student, by_hand(variant, "lr_ignored"), figures=8))
        updates = [a for a in result.answers if a.path.startswith("q3.updated.") and not a.correct]
        assert all(a.diagnosis == "lr_ignored" for a in updates), [(a.path, a.diagnosis) for a in updates]


def test_an_update_right_on_the_student_s_own_gradient_is_not_called_a_sign_flip():
    """Gradients of the wrong sign, then w - lr g from them: the update step was done right (ECF), so
    `sign_flip` (stepping with the gradient) would be wrong advice."""
    variant = next(v for v in STUDENTS if v.q3.lr == 1.0)
    values = by_hand(variant)
    for name in ("w13", "w23", "w14", "w24", "w35", "w45"):
        values[f"q3.gradients.{name}"] *= -1
        values[f"q3.updated.{name}"] = variant.q3.weight_map[name] - variant.q3.lr * values[f"q3.gradients.{name}"]
    result = {a.path: a for a in grade(sheet_text(variant.student, values, figures=8)).answers}
    for name in ("w13", "w23", "w14", "w24", "w35", "w45"):
        update = result[f"q3.updated.{name}"]
        if not update.correct:
            assert update.ecf and update.diagnosis != "sign_flip" and "sign_flip" not in update.alternatives
