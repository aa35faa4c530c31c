"""The audit's readers of real Solutions give the same numbers as an independent closed form."""

import math

import pytest

from hwsolve.audit.from_solutions import build_audit, q1b_values, q3_values


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_q3_values_match_the_closed_form():
    from hwsolve.solutions.q3 import solve_q3

    values = q3_values(solve_q3())
    y3, y4 = _sigmoid(0.35 * 0.1 + 0.9 * 0.8), _sigmoid(0.35 * 0.4 + 0.9 * 0.6)
    o5 = 0.3 * y3 + 0.9 * y4
    y5 = _sigmoid(o5)
    delta5 = -2 * (0.5 - y5) * y5 * (1 - y5)
    expected = {
        "H3": 0.755,
        "H4": 0.68,
        "y3": y3,
        "y4": y4,
        "O5": o5,
        "y5": y5,
        "w35": 0.3,
        "w45": 0.9,
        "grad:w35": delta5 * y3,
        "grad:w13": delta5 * 0.3 * y3 * (1 - y3) * 0.35,
        "updated:w45": 0.9 - delta5 * y4,
        "updated:w24": 0.6 - delta5 * 0.9 * y4 * (1 - y4) * 0.9,
    }
    for key, value in expected.items():
        assert values[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_q1b_values_from_the_q1_solution():
    from hwsolve.solutions.q1 import solve_q1

    values = q1b_values(solve_q1(part="b"))
    x, mask = [-4.5, -0.75, 3, 6, 1.5], [1, 0, 1, 0, 1]
    assert values["test"] == x
    for p in (0.5, 0.4):
        assert values[f"train:{p:g}"] == pytest.approx([xi * mi / (1 - p) for xi, mi in zip(x, mask)], rel=1e-15)
    assert q1b_values(solve_q1(part="a")) is None


def test_build_audit_marks_missing_questions():
    from hwsolve.solutions.q3 import solve_q3

    audit = build_audit({3: solve_q3()})
    titles = [section.title for section in audit.sections]
    assert titles[0].startswith("Q1(b)") and audit.sections[0].missing
    q3 = next(section for section in audit.sections if section.title.startswith("Q3"))
    assert len(q3.rows) == 6 + 6 + 6  # forward, gradients, updates; the O5 substitution is a note
    assert any("rounded_intermediates" in note for note in q3.notes)
    assert sorted(row.quantity for row in audit.differing) == sorted(
        [
            "w45 after one step",
            "w13 after one step",
            "w23 after one step",
            "w24 after one step",
        ]
    )
    assert audit.sections[-1].missing.startswith("Q4 is not available")
