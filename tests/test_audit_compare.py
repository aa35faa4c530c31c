"""Audit verdicts, computed against values derived independently in this file."""

import math

import pytest

from hwsolve.audit import submitted as sub
from hwsolve.audit.compare import audit_q1b, audit_q3


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def homework_q3_closed_form(lr=1.0, target=0.5):
    """The homework network by hand: no hwsolve code involved."""
    x1, x2 = 0.35, 0.9
    w = {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}
    h3 = x1 * w["w13"] + x2 * w["w23"]
    h4 = x1 * w["w14"] + x2 * w["w24"]
    y3, y4 = _sigmoid(h3), _sigmoid(h4)
    o5 = y3 * w["w35"] + y4 * w["w45"]
    y5 = _sigmoid(o5)
    delta5 = -2.0 * (target - y5) * y5 * (1.0 - y5)
    delta3 = delta5 * w["w35"] * y3 * (1.0 - y3)
    delta4 = delta5 * w["w45"] * y4 * (1.0 - y4)
    grads = {
        "w35": delta5 * y3,
        "w45": delta5 * y4,
        "w13": delta3 * x1,
        "w23": delta3 * x2,
        "w14": delta4 * x1,
        "w24": delta4 * x2,
    }
    values = {"H3": h3, "H4": h4, "y3": y3, "y4": y4, "O5": o5, "y5": y5, **w}
    values.update({f"grad:{name}": g for name, g in grads.items()})
    values.update({f"updated:{name}": w[name] - lr * g for name, g in grads.items()})
    return values


def _by_quantity(section):
    return {row.quantity: row for row in section.rows}


def test_q3_forward_and_gradients_agree_at_the_decimals_written():
    rows = _by_quantity(audit_q3(homework_q3_closed_form()))
    for name in ("H3", "H4", "y3", "y4", "O5", "y5"):
        assert rows[name].agrees, rows[name]
    assert rows["H4"].tolerance == "at 2 decimals"  # "0.68": judged at 2 decimals
    assert rows["y3"].tolerance == "at 16 decimals"  # "0.6802671966986485"
    for name in ("w35", "w45", "w13", "w23", "w14", "w24"):
        assert rows[f"dL/d{name}"].agrees


def test_q3_updated_weights_verdicts_follow_rounding():
    values = homework_q3_closed_form()
    rows = _by_quantity(audit_q3(values))
    for name in ("w35", "w45", "w13", "w23", "w14", "w24"):
        row = rows[f"{name} after one step"]
        ours = values[f"updated:{name}"]
        # Independent rule: the submitted 2-decimal text is right iff ours is within 0.005 of it.
        expected = abs(ours - float(row.submitted)) <= 0.005
        assert row.agrees is expected
        assert row.tolerance == "at 2 decimals"
        if not expected:  # every wrong one is ours cut after 2 decimals, which the grader diagnoses
            assert math.floor(ours * 100) / 100 == pytest.approx(float(row.submitted))
            assert row.note == (
                f"ours rounds to ${round(ours, 2):.2f}$; ${row.submitted}$ is ours truncated, not rounded"
            )
    # w35 0.2446 -> 0.24 and w14 0.3943 -> 0.39 are right; the other four are truncations.
    assert [
        name for name in ("w35", "w45", "w13", "w23", "w14", "w24") if not rows[f"{name} after one step"].agrees
    ] == ["w45", "w13", "w23", "w24"]


def test_q3_o5_substitution_is_a_note_that_names_rounded_intermediates():
    section = audit_q3(homework_q3_closed_form())
    assert "O5 from its displayed substitution" not in _by_quantity(section)  # not a graded number
    note = next(note for note in section.notes if "substitutes" in note)
    evaluated = 0.68 * 0.3 + 0.66 * 0.9
    assert f"evaluates to ${evaluated:.6g}$" in note and "`rounded_intermediates`" in note
    assert r"$0.68 \times 0.3 + 0.66 \times 0.9$" in note


def test_a_wrong_gradient_is_caught():
    values = homework_q3_closed_form(target=0.4)  # another target: every gradient changes
    rows = _by_quantity(audit_q3(values))
    assert not rows["dL/dw35"].agrees
    assert rows["dL/dw35"].note  # the grader says why


def test_q1b_outputs_against_direct_arithmetic():
    x, mask = [-4.5, -0.75, 3, 6, 1.5], [1, 0, 1, 0, 1]
    computed = {f"train:{p}": [xi * mi / (1 - p) for xi, mi in zip(x, mask)] for p in (0.5, 0.4)}
    computed["test"] = x
    section = audit_q1b(computed)
    assert [row.agrees for row in section.rows] == [True, True, True]
    computed["train:0.4"] = [xi * mi / 0.5 for xi, mi in zip(x, mask)]
    assert [row.agrees for row in audit_q1b(computed).rows] == [True, False, True]


def test_q1b_missing_rate_is_a_note_not_a_crash():
    section = audit_q1b({"test": [-4.5, -0.75, 3, 6, 1.5]})
    assert len(section.rows) == 1 and sum("not compared" in note for note in section.notes) == 2


def test_transcription_keeps_the_submitted_text():
    assert [value.shown for value in sub.Q3_UPDATED] == ["0.24", "0.84", "0.09", "0.79", "0.39", "0.58"]
    assert all(value.decimals == 2 for value in sub.Q3_UPDATED)


def test_the_grader_diagnoses_the_submission_as_the_audit_found_it():
    """Its four truncated weights are `truncated`; every other number it wrote is right; no loss was given."""
    from hwsolve.audit.graded import grade_submission

    graded = grade_submission(homework_q3_closed_form(), None)
    wrong = {path: answer.diagnosis for path, answer in graded.items() if not answer.correct}
    assert wrong == {f"q3.updated.{name}": "truncated" for name in ("w13", "w23", "w24", "w45")}
    assert "q3.loss" not in graded


def test_q2_verdicts_compare_truth_values():
    from hwsolve.audit.compare import audit_q2

    section = audit_q2({"a": False, "b": True})
    rows = {row.quantity: row for row in section.rows}
    assert rows["(a) true or false"].agrees and rows["(a) true or false"].computed_text == "false"
    assert not rows["(b) true or false"].agrees and rows["(b) true or false"].computed_text == "true"
    assert section.notes == ["(c): hwsolve did not judge it, so it is not compared."]


def test_q4_table_verdicts_by_side_of_the_threshold():
    from q4_fakes import fake_finding

    from hwsolve.audit.q4 import audit_q4_table
    from hwsolve.problem.q4 import SUBMITTED_BELOW_THRESHOLD

    listed = sorted(SUBMITTED_BELOW_THRESHOLD)[0]
    entries = [  # one seed each
        fake_finding(listed, 0.05),  # listed and below: agrees
        fake_finding("relu/nll/adam", 0.5),  # not listed, not below: agrees
        fake_finding("relu/nll/sgd", 0.02),  # not listed but below: differs
        fake_finding("leaky_relu/nll/adam", None),  # diverged (NaN): not below
    ]
    rows = {row.quantity: row for row in audit_q4_table(entries, 3).rows}
    assert [rows[name].agrees for name in (listed, "relu/nll/adam", "relu/nll/sgd", "leaky_relu/nll/adam")] == [
        True,
        True,
        False,
        True,
    ]
    assert rows["relu/nll/sgd"].note == "test error $0.0200$ is below $0.1$; the submission does not list it"
    assert rows["leaky_relu/nll/adam"].computed_text == "NaN"
    assert rows[listed].label == f"`{listed}`" and rows[listed].submitted_text == "$< 0.1$"
    assert rows["relu/nll/adam"].submitted_text == r"$\geq 0.1$" and rows["relu/nll/adam"].computed_text == "$0.5000$"
