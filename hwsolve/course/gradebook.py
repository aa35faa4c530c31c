"""The CSV files `hwsolve grade` writes: the gradebook (generic, Canvas or Moodle), the answers table, rejects.

The gradebook has one row per graded student, in the order given, header
first. ``generic`` holds the student id, the roster's other columns, the
points per question, the total and the maximum; ``canvas`` follows Canvas's
gradebook import format (its "Points Possible" row included) and ``moodle``
Moodle's grade import (users matched by ID number or email address). Points
in the gradebook are written short (``format(x, "g")``: 1.0 -> "1"); the long
answers table keeps every number in full precision (repr), for analysis.

Files are UTF-8 with a BOM and "\\r\\n" line ends, written atomically.

Public API: ``LMS_FORMATS``, ``ASSIGNMENT_COLUMN``,
``gradebook_rows(grades, roster, lms)``, ``answers_rows(grades)``,
``write_csv(path, rows)`` and ``write_gradebooks(folder, grades, roster, lms, rejected)``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from hwsolve.course.answers import ANSWER_PATHS, POINTS, QUESTIONS, question_of
from hwsolve.course.grades import Number, RejectedSheet, StudentGrade
from hwsolve.course.roster import Roster, Student
from hwsolve.io import write_atomic

LMS_FORMATS = ("generic", "canvas", "moodle")
ASSIGNMENT_COLUMN = "HW2"  # the assignment's name in LMS gradebooks

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Canvas's own export writes this cell with four leading spaces; its importer recognises the row by it.
CANVAS_POINTS_POSSIBLE = "    Points Possible"
MOODLE_COLUMNS = ("ID number", "Email address")

ANSWERS_HEADER = (
    "student",
    "path",
    "question",
    "given",
    "expected",
    "correct",
    "points",
    "max_points",
    "tolerance",
    "diagnosis",
    "alternatives",
    "ecf",
    "ecf_from",
)
REJECTED_HEADER = ("sheet", "reason")

GRADEBOOK_FILE = "gradebook.csv"
ANSWERS_FILE = "answers.csv"
REJECTED_FILE = "rejected.csv"


def _points(value: float) -> str:
    """Short points for a gradebook cell: 1.0 -> "1", 0.5 -> "0.5" (an LMS reads either; people read this)."""
    return format(value, "g")


def _full(value: Number | None) -> str:
    """Full precision for the analysis table: repr round-trips a float64; a vector's values joined with ";"."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ";".join(repr(float(item)) for item in value)
    return repr(float(value))


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _column(roster: Roster | None, *names: str) -> str | None:
    """The roster's column named by the first of `names` it has (case-insensitive, surrounding spaces ignored)."""
    if roster is None:
        return None
    by_key: dict[str, str] = {}
    for column in roster.columns:
        by_key.setdefault(column.strip().casefold(), column)
    for name in names:
        if name.casefold() in by_key:
            return by_key[name.casefold()]
    return None


def _cell(student: Student | None, column: str | None) -> str:
    """The student's cell in `column`, stripped: these cells are identifiers an LMS matches on exactly."""
    if student is None or column is None:
        return ""
    return student.fields.get(column, "").strip()


def _students(roster: Roster | None) -> dict[str, Student]:
    return {} if roster is None else roster.by_id()


def _generic_rows(grades: Sequence[StudentGrade], roster: Roster | None) -> list[list[str]]:
    others = [] if roster is None else [column for column in roster.columns if column != roster.id_column]
    students = _students(roster)
    rows = [["student", *others, *QUESTIONS, "total", "max"]]
    for grade in grades:
        student = students.get(grade.student)
        # Written as the roster has them: this table is for people, not for an importer that matches cells.
        cells = ["" if student is None else student.fields.get(column, "") for column in others]
        points = [_points(grade.question_total(question)) if grade.submitted else "" for question in QUESTIONS]
        rows.append([grade.student, *cells, *points, _total(grade), _points(grade.max) if grade.submitted else ""])
    return rows


def _total(grade: StudentGrade) -> str:
    """The grade's cell: empty for a student with no graded sheet, so an LMS records nothing, not a zero."""
    return _points(grade.total) if grade.submitted else ""


def _maximum(grades: Sequence[StudentGrade]) -> float:
    """The assignment's points possible: every student's key has the same paths, so any grade's max."""
    submitted = [grade for grade in grades if grade.submitted]
    if submitted:
        return submitted[0].max
    # No sheet graded: Canvas still needs the row, and every path is worth POINTS.
    return len(ANSWER_PATHS) * POINTS


def _canvas_rows(grades: Sequence[StudentGrade], roster: Roster | None) -> list[list[str]]:
    students = _students(roster)
    name = _column(roster, "Student", "name")
    # Canvas's own numeric user ID: only a column spelled exactly "ID" (a Canvas export) is one; a roster's
    # lower-case "id" holds the course's ids, which belong under SIS User ID.
    canvas_id = "ID" if roster is not None and "ID" in roster.columns else None
    sis_user = _column(roster, "SIS User ID")
    login = _column(roster, "SIS Login ID", "username", "email")
    section = _column(roster, "Section")
    rows = [
        [*CANVAS_COLUMNS, ASSIGNMENT_COLUMN],
        [CANVAS_POINTS_POSSIBLE, "", "", "", "", _points(_maximum(grades))],
    ]
    for grade in grades:
        student = students.get(grade.student)
        # Without a roster's SIS User ID, hwsolve's id is the course's own id: Canvas matches on it.
        sis = _cell(student, sis_user) if student is not None and sis_user is not None else grade.student
        rows.append(
            [
                _cell(student, name) or grade.student,  # Canvas shows this name but does not match on it
                _cell(student, canvas_id),
                sis,
                _cell(student, login),
                _cell(student, section),
                _total(grade),
            ]
        )
    return rows


def _moodle_rows(grades: Sequence[StudentGrade], roster: Roster | None) -> list[list[str]]:
    students = _students(roster)
    email = _column(roster, "email", "Email address", "mail")
    rows = [[*MOODLE_COLUMNS, ASSIGNMENT_COLUMN]]
    for grade in grades:
        # The column stays even when empty: the import maps columns by header, and ID number alone is enough.
        rows.append([grade.student, _cell(students.get(grade.student), email), _total(grade)])
    return rows


def gradebook_rows(grades: Sequence[StudentGrade], roster: Roster | None, lms: str) -> list[list[str]]:
    """The wide gradebook for `lms` (one of LMS_FORMATS), header first; ValueError for another `lms`."""
    if lms == "generic":
        return _generic_rows(grades, roster)
    if lms == "canvas":
        return _canvas_rows(grades, roster)
    if lms == "moodle":
        return _moodle_rows(grades, roster)
    accepted = ", ".join(repr(name) for name in LMS_FORMATS)
    raise ValueError(f"unknown LMS format {lms!r}: expected one of {accepted}")


def answers_rows(grades: Sequence[StudentGrade]) -> list[list[str]]:
    """The long table, header first: one row per (student, answer), in order, numbers in full precision."""
    rows = [list(ANSWERS_HEADER)]
    for grade in grades:
        for answer in grade.answers:
            rows.append(
                [
                    grade.student,
                    answer.path,
                    question_of(answer.path),
                    _full(answer.given),
                    _full(answer.expected),
                    _flag(answer.correct),
                    _full(answer.points),
                    _full(answer.max_points),
                    answer.tolerance,
                    answer.diagnosis or "",
                    ";".join(answer.alternatives),
                    _flag(answer.ecf),
                    ";".join(answer.ecf_from),
                ]
            )
    return rows


def write_csv(path: Path | str, rows: Sequence[Sequence[str]]) -> Path:
    """Write `rows` as CSV (excel dialect, "\\r\\n" as Canvas expects) in UTF-8 with a BOM, atomically."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, dialect="excel", lineterminator="\r\n").writerows(rows)
    # The BOM tells Excel the file is UTF-8; without it Persian names open as mojibake.
    return write_atomic(path, buffer.getvalue().encode("utf-8-sig"))


def write_gradebooks(
    folder: Path | str,
    grades: Sequence[StudentGrade],
    roster: Roster | None,
    lms: str,
    rejected: Sequence[RejectedSheet],
) -> list[Path]:
    """Write gradebook.csv, answers.csv and (when a sheet was rejected) rejected.csv in `folder`; the paths written.

    Without rejected sheets a rejected.csv left by an earlier run is removed,
    so the folder never lists sheets that this run graded.
    """
    folder = Path(folder)
    # Every table is built before any file is written: an unknown `lms` leaves the folder as it was.
    gradebook = gradebook_rows(grades, roster, lms)
    answers = answers_rows(grades)
    written = [write_csv(folder / GRADEBOOK_FILE, gradebook), write_csv(folder / ANSWERS_FILE, answers)]
    if rejected:
        rows = [list(REJECTED_HEADER), *([sheet.sheet, sheet.reason] for sheet in rejected)]
        written.append(write_csv(folder / REJECTED_FILE, rows))
    else:
        (folder / REJECTED_FILE).unlink(missing_ok=True)
    return written
