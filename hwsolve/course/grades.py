"""What grading produces: one AnswerGrade per graded path, one StudentGrade per sheet, and the rejected sheets.

These are plain data, read by the gradebook writers, the feedback and
summary templates, and `hwsolve grade --format json` (through
hwsolve.io.to_jsonable: every field below is a JSON key, a contract).

Public API: ``AnswerGrade``, ``StudentGrade``, ``RejectedSheet``,
``MISSING`` and ``UNEXPLAINED`` (the two diagnoses that are not a
misconception).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MISSING = "missing"  # no answer on the sheet
UNEXPLAINED = "unexplained"  # wrong, and no misconception gives the student's number

Number = float | tuple[float, ...]  # a vector answer (Q1b's outputs) is a tuple


@dataclass(frozen=True)
class AnswerGrade:
    """One answer of one student, graded against that student's key."""

    path: str  # q3.gradients.w13 (hwsolve.course.answers)
    given: Number | None  # None: missing
    expected: Number  # the key's value, full float64
    correct: bool
    points: float  # max_points when correct, the ECF share when ecf, else 0
    max_points: float
    tolerance: str  # the rule that decided, in words: "rounds to 0.0981 (4 decimals as written) or within rel 1e-3"
    diagnosis: str | None  # a misconception id, "unexplained" or "missing"; None when correct
    alternatives: tuple[str, ...] = ()  # other ids that explain the answer equally
    ecf: bool = False  # right given the student's own earlier numbers (error carried forward)
    ecf_from: tuple[str, ...] = ()  # the paths of those numbers, e.g. ("q3.gradients.w13",)
    ecf_expected: Number | None = None  # what the student's own numbers give
    given_text: str | tuple[str, ...] | None = None  # as written on the sheet (its decimals count)
    explained_value: Number | None = None  # what the diagnosed misconception gives on this variant
    expected_rounded: str | None = None  # the key rounded to the decimals the student wrote: "0.10" (a scalar answer)


@dataclass(frozen=True)
class StudentGrade:
    """One student's graded sheet."""

    student: str
    sheet: str  # the sheet's path as given
    answers: tuple[AnswerGrade, ...]
    seed: int
    roster: dict[str, str] = field(default_factory=dict)  # the roster's other columns (name, email, ...)
    submitted: bool = True  # False: a student with a key and no graded sheet (a gradebook row with no grade)

    @property
    def total(self) -> float:
        return sum(answer.points for answer in self.answers)

    @property
    def max(self) -> float:
        return sum(answer.max_points for answer in self.answers)

    def json_fields(self) -> dict[str, object]:
        """`hwsolve grade --format json`'s object for this student (hwsolve.io.to_jsonable)."""
        return {
            "student": self.student,
            "total": self.total,
            "max": self.max,
            "sheet": self.sheet,
            "seed": self.seed,
            "answers": self.answers,
        }

    def question_total(self, question: str) -> float:
        return sum(answer.points for answer in self.answers if answer.path.split(".", 1)[0] == question)

    def question_max(self, question: str) -> float:
        return sum(answer.max_points for answer in self.answers if answer.path.split(".", 1)[0] == question)


@dataclass(frozen=True)
class RejectedSheet:
    """A sheet that could not be graded: one line naming it and the problem."""

    sheet: str
    reason: str

    def line(self) -> str:
        return f"{self.sheet}: {self.reason}"
