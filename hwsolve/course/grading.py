"""Grading answer sheets against their keys: tolerance, error carried forward, and a computed diagnosis.

Each answer of a sheet is graded against that student's key:
1. right when the tolerance accepts it (hwsolve.course.tolerance; the
   student's own decimals count), for its full points;
2. else, right given the student's own earlier numbers (hwsolve.course.ecf)
   for the ECF share of the points;
3. and, wrong or ECF, diagnosed: the student's variant is re-solved under each
   misconception (hwsolve.course.misconceptions, all variants in one pass) and
   the student's number matched against each, with the same tolerance;
   ``truncated`` when it is the key cut off, not rounded, at the decimals the
   student wrote. When several ids explain one answer, the one that explains
   the most of the student's answers is chosen, the others listed as
   alternatives. An answer no model explains is ``unexplained``; a missing one
   ``missing``.

Public API: ``GradingOptions`` (tolerance, ecf share) and ``grade_sheets(sheets,
keys, options)`` -> one StudentGrade per sheet, in the sheets' order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hwsolve.course.answers import ANSWER_PATHS, POINTS, is_vector
from hwsolve.course.ecf import ecf_value
from hwsolve.course.grades import MISSING, UNEXPLAINED, AnswerGrade, Number, StudentGrade
from hwsolve.course.keys import Key
from hwsolve.course.misconceptions import MISCONCEPTIONS, TRUNCATED
from hwsolve.course.separability import EQUAL, candidate_answers
from hwsolve.course.sheet import GivenNumber, Sheet
from hwsolve.course.tolerance import DEFAULT_TOLERANCE, Tolerance, rounded, truncated

Given = GivenNumber | tuple[GivenNumber, ...]
DEFAULT_ECF = 0.5
# Mistakes made in an answer's own last step (rounding it, or the update itself). An answer that follows
# correctly from the student's own earlier numbers did that step right, so these cannot be its diagnosis;
# a mistake upstream (no_output_derivative, ...) still can: it is what the carried numbers show.
LAST_STEP_MISTAKES = (TRUNCATED, "sign_flip", "lr_ignored")


@dataclass(frozen=True)
class GradingOptions:
    tolerance: Tolerance = DEFAULT_TOLERANCE
    ecf: float = DEFAULT_ECF  # the share of an answer's points that error carried forward earns

    def __post_init__(self) -> None:
        if not 0.0 <= self.ecf <= 1.0:
            raise ValueError(f"--ecf must be a share of the points between 0 and 1, got {self.ecf!r}")


def _value(given: Given) -> Number:
    return tuple(item.value for item in given) if isinstance(given, tuple) else given.value


def _text(given: Given) -> str | tuple[str, ...]:
    return tuple(item.text for item in given) if isinstance(given, tuple) else given.text


def _accepts(tolerance: Tolerance, given: Given, expected: Number) -> bool:
    """The tolerance, element by element for a vector (whose length must match)."""
    if isinstance(given, tuple):
        if not isinstance(expected, tuple) or len(given) != len(expected):
            return False
        return all(tolerance.accepts(item.value, value, item.decimals) for item, value in zip(given, expected))
    return not isinstance(expected, tuple) and tolerance.accepts(given.value, expected, given.decimals)


def _same(a: Number, b: Number) -> bool:
    """Exactly the same number, up to float64 rounding (a misconception that changes nothing here)."""
    first = a if isinstance(a, tuple) else (a,)
    second = b if isinstance(b, tuple) else (b,)
    return len(first) == len(second) and all(abs(x - y) <= EQUAL * max(1.0, abs(y)) for x, y in zip(first, second))


def _cut_not_rounded(given: GivenNumber, expected: float) -> bool:
    """The key cut off at the decimals written (0.09 for 0.0981), where rounding would have given another text."""
    if given.decimals < 1:
        return False
    cut = truncated(expected, given.decimals)
    return cut != rounded(expected, given.decimals) and rounded(given.value, given.decimals) == cut


def _is_truncated(given: Given, expected: Number, tolerance: Tolerance) -> bool:
    """Truncated: a number cut off at its decimals; a vector with at least one entry cut and the rest right."""
    if isinstance(given, GivenNumber):
        return isinstance(expected, float) and _cut_not_rounded(given, expected)
    if not isinstance(expected, tuple) or len(given) != len(expected):
        return False
    cut = [_cut_not_rounded(item, value) for item, value in zip(given, expected)]
    right = [tolerance.accepts(item.value, value, item.decimals) for item, value in zip(given, expected)]
    return any(cut) and all(c or r for c, r in zip(cut, right))


def _matches_as_written(judged: _Judged, name: str) -> bool:
    """The answer is that id's value rounded to the decimals the student wrote (every element of a vector)."""
    if name == TRUNCATED or judged.given is None:
        return True  # truncated is defined at the decimals written
    value = judged.models[name]
    given = judged.given if isinstance(judged.given, tuple) else (judged.given,)
    values = value if isinstance(value, tuple) else (value,)
    return len(given) == len(values) and all(
        rounded(item.value, item.decimals) == rounded(v, item.decimals) for item, v in zip(given, values)
    )


@dataclass(frozen=True)
class _Judged:
    """One answer before the diagnosis is chosen among its candidates."""

    path: str
    given: Given | None
    expected: Number
    correct: bool
    ecf: tuple[float, tuple[str, ...]] | None  # (the student's own numbers' value, their paths) when ECF applies
    candidates: tuple[str, ...]  # the ids whose value the answer matches
    models: Mapping[str, Number]  # every id's value at this path


def _judge(
    path: str,
    given: Given | None,
    key: Key,
    models: Mapping[str, Number],
    own: Mapping[str, GivenNumber],
    options: GradingOptions,
) -> _Judged:
    expected = key.values[path]
    if given is None:
        return _Judged(path, None, expected, False, None, (), models)
    if _accepts(options.tolerance, given, expected):
        return _Judged(path, given, expected, True, None, (), models)
    scalar_key = {p: v for p, v in key.values.items() if isinstance(v, float)}
    carried = ecf_value(path, {source: number.value for source, number in own.items()}, scalar_key, key.variant)
    # Right on the student's own earlier numbers, wrong or merely rounded (0.68 for y3 carried on), is the
    # step done right: error carried forward.
    ecf = carried if carried is not None and _accepts(options.tolerance, given, carried[0]) else None
    candidates = [TRUNCATED] if _is_truncated(given, expected, options.tolerance) else []
    candidates += [
        name
        for name, value in models.items()
        if not _same(value, expected) and _accepts(options.tolerance, given, value)
    ]
    if ecf is not None:  # this last step was done right on the student's own numbers: no mistake of its own
        candidates = [name for name in candidates if name not in LAST_STEP_MISTAKES]
    return _Judged(path, given, expected, False, ecf, tuple(candidates), models)


def _described(judged: _Judged, tolerance: Tolerance) -> str:
    """The rule as it applied: a vector's at its entry with the most decimals written, said of each entry."""
    if isinstance(judged.expected, float):
        decimals = judged.given.decimals if isinstance(judged.given, GivenNumber) else 0
        return tolerance.describe(judged.expected, decimals)
    given = judged.given if isinstance(judged.given, tuple) else ()
    decimals = max((item.decimals for item in given), default=0)
    widest = max(judged.expected, key=abs, default=0.0)
    return f"each entry: {tolerance.describe(widest, decimals)}"


def _grade(judged: _Judged, counts: Counter[str], options: GradingOptions) -> AnswerGrade:
    """The AnswerGrade of one judged answer; ``counts``: how many of the student's answers each id explains."""
    tolerance = _described(judged, options.tolerance)
    if judged.given is None or judged.correct:
        return AnswerGrade(
            path=judged.path,
            given=None if judged.given is None else _value(judged.given),
            expected=judged.expected,
            correct=judged.correct,
            points=POINTS if judged.correct else 0.0,
            max_points=POINTS,
            tolerance=tolerance,
            diagnosis=None if judged.correct else MISSING,
            given_text=None if judged.given is None else _text(judged.given),
        )
    # Several ids fit: first the one the number matches at the student's own precision (not merely within
    # rel 1e-3), then the one that explains most of the student's answers, then the contract's order.
    ranked = sorted(
        judged.candidates,
        key=lambda name: (not _matches_as_written(judged, name), -counts[name], MISCONCEPTIONS.index(name)),
    )
    diagnosis = ranked[0] if ranked else (None if judged.ecf else UNEXPLAINED)
    explained: Number | None = None
    if ranked and ranked[0] != TRUNCATED:
        explained = judged.models[ranked[0]]
    elif ranked and isinstance(judged.given, GivenNumber) and isinstance(judged.expected, float):
        explained = truncated(judged.expected, judged.given.decimals)
    return AnswerGrade(
        path=judged.path,
        given=_value(judged.given),
        expected=judged.expected,
        correct=False,
        points=options.ecf * POINTS if judged.ecf else 0.0,
        max_points=POINTS,
        tolerance=tolerance,
        diagnosis=diagnosis,
        alternatives=tuple(ranked[1:]),
        ecf=judged.ecf is not None,
        ecf_from=judged.ecf[1] if judged.ecf else (),
        ecf_expected=judged.ecf[0] if judged.ecf else None,
        given_text=_text(judged.given),
        explained_value=explained,
        expected_rounded=(
            f"{rounded(judged.expected, judged.given.decimals):.{judged.given.decimals}f}"
            if isinstance(judged.given, GivenNumber) and isinstance(judged.expected, float)
            else None
        ),
    )


def _models_of(index: int, candidates: Mapping[str, Mapping[str, np.ndarray]], path: str) -> dict[str, Number]:
    models: dict[str, Number] = {}
    for name, values in candidates.items():
        if name == "key" or path not in values:
            continue
        row = values[path][index]
        models[name] = tuple(float(v) for v in row) if is_vector(path) else float(row)
    return models


def grade_sheets(sheets: Sequence[Sheet], keys: Mapping[str, Key], options: GradingOptions) -> list[StudentGrade]:
    """Every sheet graded against its student's key (``keys`` by student id; every sheet's student must be there)."""
    ordered = [keys[sheet.student] for sheet in sheets]
    candidates = candidate_answers([key.variant for key in ordered])
    grades = []
    for index, (sheet, key) in enumerate(zip(sheets, ordered)):
        own = {path: given for path, given in sheet.answers.items() if isinstance(given, GivenNumber)}
        judged = [
            _judge(path, sheet.answers.get(path), key, _models_of(index, candidates, path), own, options)
            for path in ANSWER_PATHS
        ]
        counts = Counter(name for answer in judged for name in answer.candidates)
        answers = tuple(_grade(answer, counts, options) for answer in judged)
        grades.append(StudentGrade(sheet.student, sheet.path, answers, key.variant.seed))
    return grades
