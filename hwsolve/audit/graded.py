"""The submitted solution's numbers, graded by the course grader as one more answer sheet.

The audit and `hwsolve grade` are one mechanism: the submission's Q1(b) and
Q3 numbers (hwsolve.audit.submitted, each kept as the text written) become an
answer sheet, graded against the homework's own key with the default
tolerance (the key rounded to the decimals written, or within rel 1e-3),
and each wrong number is diagnosed by re-solving the homework under every
misconception. Its four truncated weights come out as ``truncated``. The key's
values are ours, as the caller computed them (the report's Solution objects,
or an independent computation in the tests), so the audit compares the
submission with what the report shows.

Q1(b)'s second rate, p = 0.4 (the class's), is graded as a second sheet
against the homework with that rate.

Public API: ``submitted_sheet(rate)`` and ``grade_submission(q3, q1b)`` ->
the graded answers by the sheet's paths ("q1b.train:0.4" for the second rate).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from hwsolve.audit import submitted as sub
from hwsolve.course.grades import AnswerGrade
from hwsolve.course.grading import GradingOptions, grade_sheets
from hwsolve.course.keys import Key, Value, solve_keys
from hwsolve.course.sheet import GivenNumber, Sheet
from hwsolve.course.variant import homework_variant

SUBMITTED = "submitted"
QUESTION_RATE = "0.5"  # the question's p; the class later used 0.4
_FORWARD = {value.key: value for value in sub.Q3_FORWARD}


def _number(shown: str) -> GivenNumber:
    return GivenNumber(float(shown), shown)


def submitted_sheet(rate: str = QUESTION_RATE) -> Sheet:
    """The submission's numbers under the answer sheet's paths; Q1(b)'s training output at `rate`."""
    answers: dict[str, GivenNumber | tuple[GivenNumber, ...]] = {}
    for vector in sub.Q1B_OUTPUTS:
        if vector.key == f"train:{float(rate):g}":
            answers["q1b.train"] = tuple(_number(shown) for shown in vector.shown)
        elif vector.key == "test" and rate == QUESTION_RATE:
            answers["q1b.test"] = tuple(_number(shown) for shown in vector.shown)
    if rate == QUESTION_RATE:
        answers |= {f"q3.forward.{value.key}": _number(value.shown) for value in sub.Q3_FORWARD}
        answers |= {f"q3.gradients.{value.key.split(':')[1]}": _number(value.shown) for value in sub.Q3_GRADIENTS}
        answers |= {f"q3.updated.{value.key.split(':')[1]}": _number(value.shown) for value in sub.Q3_UPDATED}
    return Sheet("hw2-submitted-solution.fa.md", SUBMITTED, answers)


def _key(rate: str, q3: Mapping[str, float] | None, q1b: Mapping[str, Sequence[float]] | None) -> Key:
    """The homework's key at `rate`, with our computed values where the caller gives them."""
    variant = dataclasses.replace(homework_variant(SUBMITTED), q1b_p=rate)
    values: dict[str, Value] = dict(solve_keys([variant])[0].values)
    if q3 is not None:
        values |= {f"q3.forward.{name}": q3[name] for name in _FORWARD}
        values |= {f"q3.gradients.{value.key.split(':')[1]}": q3[value.key] for value in sub.Q3_GRADIENTS}
        values |= {f"q3.updated.{value.key.split(':')[1]}": q3[value.key] for value in sub.Q3_UPDATED}
    if q1b is not None:
        train = q1b.get(f"train:{float(rate):g}")
        if train is not None:
            values["q1b.train"] = tuple(float(v) for v in train)
        if "test" in q1b:
            values["q1b.test"] = tuple(float(v) for v in q1b["test"])
    return Key(variant, values, 0.0)


def grade_submission(
    q3: Mapping[str, float] | None, q1b: Mapping[str, Sequence[float]] | None
) -> dict[str, AnswerGrade]:
    """The submission's answers graded against our values: by path, the second rate's as "q1b.train:0.4".

    ``q3`` maps H3 ... y5, grad:wIJ and updated:wIJ to our values, ``q1b`` maps train:<p> and test; a question
    given as None keeps the homework key's own values (computed here by the same solver).
    """
    graded: dict[str, AnswerGrade] = {}
    for rate in (QUESTION_RATE, "0.4"):
        sheet = submitted_sheet(rate)
        key = _key(rate, q3, q1b)
        grade = grade_sheets([sheet], {SUBMITTED: key}, GradingOptions())[0]
        suffix = "" if rate == QUESTION_RATE else f":{rate}"
        graded |= {f"{answer.path}{suffix}": answer for answer in grade.answers if answer.given is not None}
    return graded
