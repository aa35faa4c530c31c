"""hwsolve.course.gradebook: each LMS format's exact rows, the long answers table, the CSV bytes, the files written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from hwsolve.course.gradebook import (
    ASSIGNMENT_COLUMN,
    LMS_FORMATS,
    answers_rows,
    gradebook_rows,
    write_csv,
    write_gradebooks,
)
from hwsolve.course.grades import AnswerGrade, RejectedSheet, StudentGrade
from hwsolve.course.roster import Roster, Student, read_roster

PERSIAN = "سارا احمدی"


def _answer(path: str, given, expected, points: float, **extra) -> AnswerGrade:
    return AnswerGrade(
        path=path,
        given=given,
        expected=expected,
        correct=extra.pop("correct", points == 1.0),
        points=points,
        max_points=1.0,
        tolerance=extra.pop("tolerance", "within rel 1e-3"),
        diagnosis=extra.pop("diagnosis", None),
        **extra,
    )


# s1: a correct vector, a missing vector, a correct loss and half an ECF gradient -> q1b 1, q3 1.5, total 2.5 of 4.
S1 = StudentGrade(
    student="s1",
    sheet="sheets/s1.toml",
    seed=11,
    answers=(
        _answer("q1b.train", (-9.0, 0.0, 6.0, 0.0, 3.0), (-9.0, 0.0, 6.0, 0.0, 3.0), 1.0, tolerance="exact"),
        _answer("q1b.test", None, (-4.5, 0.0, 3.0), 0.0, diagnosis="missing"),
        _answer("q3.loss", 0.1, 0.1, 1.0),
        _answer(
            "q3.gradients.w13",
            0.0981,
            0.09812345678901234,
            0.5,
            correct=False,
            diagnosis="unexplained",
            alternatives=("sign_flip", "no_derivative"),
            ecf=True,
            ecf_from=("q3.forward.y5", "q3.loss"),
        ),
    ),
)
# s2: not in the roster; 0.5 and 0 on q1b, 1 on q3 -> total 1.5 of 4.
S2 = StudentGrade(
    student="s2",
    sheet="sheets/s2.toml",
    seed=12,
    answers=(
        _answer("q1b.train", (1.0, 2.0), (1.0, 2.5), 0.5, correct=False, diagnosis="scale_at_train"),
        _answer("q1b.test", (3.0,), (3.5,), 0.0, correct=False, diagnosis="unexplained"),
        _answer("q3.loss", 0.2, 0.2, 1.0),
        _answer("q3.gradients.w13", 0.7, -0.7, 0.0, correct=False, diagnosis="sign_flip"),
    ),
)
GRADES = (S1, S2)


def _roster(columns: tuple[str, ...], id_column: str, *rows: dict[str, str]) -> Roster:
    students = tuple(Student(id=row[id_column], fields=row) for row in rows)
    return Roster(path="roster.csv", id_column=id_column, columns=columns, students=students)


# A course's own roster: an id column, a Persian name, an email column, a lower-case section; s2 is not in it.
ROSTER = _roster(
    ("student_id", "name", "Email", "section"),
    "student_id",
    {"student_id": "s1", "name": PERSIAN, "Email": " sara@example.com ", "section": "A"},
    {"student_id": "s9", "name": "Nobody", "Email": "s9@example.com", "section": "B"},
)


def _parsed(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_the_public_constants():
    assert LMS_FORMATS == ("generic", "canvas", "moodle")
    assert ASSIGNMENT_COLUMN == "HW2"


def test_generic_with_a_roster():
    assert gradebook_rows(GRADES, ROSTER, "generic") == [
        ["student", "name", "Email", "section", "q1b", "q3", "total", "max"],
        ["s1", PERSIAN, " sara@example.com ", "A", "1", "1.5", "2.5", "4"],
        ["s2", "", "", "", "0.5", "1", "1.5", "4"],
    ]


def test_generic_without_a_roster():
    assert gradebook_rows(GRADES, None, "generic") == [
        ["student", "q1b", "q3", "total", "max"],
        ["s1", "1", "1.5", "2.5", "4"],
        ["s2", "0.5", "1", "1.5", "4"],
    ]


def test_generic_keeps_the_given_order_and_short_numbers():
    big = StudentGrade("s3", "s3.toml", (_answer("q3.loss", 1.0, 1.0, 16.5),), seed=0)
    assert gradebook_rows((S2, big, S1), None, "generic") == [
        ["student", "q1b", "q3", "total", "max"],
        ["s2", "0.5", "1", "1.5", "4"],
        ["s3", "0", "16.5", "16.5", "1"],
        ["s1", "1", "1.5", "2.5", "4"],
    ]


def test_canvas_with_a_course_roster():
    assert gradebook_rows(GRADES, ROSTER, "canvas") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW2"],
        ["    Points Possible", "", "", "", "", "4"],
        # No ID or SIS User ID column: ID empty, SIS User ID the id; the login from "Email", stripped.
        [PERSIAN, "", "s1", "sara@example.com", "A", "2.5"],
        # Not in the roster: the id as name and SIS User ID, every other roster cell empty.
        ["s2", "", "s2", "", "", "1.5"],
    ]


def test_canvas_from_a_canvas_export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,HW1\n"
        "    Points Possible,,,,,10\n"
        f'"{PERSIAN}",1001,s1,sara,Sec 1,7\n'
        '"Turing, Alan",1002,s2,alan,Sec 2,9\n',
        encoding="utf-8-sig",
    )
    # The sheets are named by SIS User ID; by default the roster would take Canvas's own "ID" as the id.
    roster = read_roster(path, id_column="SIS User ID")
    assert gradebook_rows(GRADES, roster, "canvas") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW2"],
        ["    Points Possible", "", "", "", "", "4"],
        [PERSIAN, "1001", "s1", "sara", "Sec 1", "2.5"],
        ["Turing, Alan", "1002", "s2", "alan", "Sec 2", "1.5"],
    ]


def test_canvas_column_lookups_ignore_case_and_prefer_the_documented_names():
    roster = _roster(
        ("username", "NAME", "student", "sis user id", "EMAIL", "SECTION"),
        "username",
        {"username": "s1", "NAME": "n", "student": "Sara", "sis user id": "900", "EMAIL": "e@x", "SECTION": "S"},
    )
    # "Student" wins over "name", "username" over "email" for the login.
    assert gradebook_rows((S1,), roster, "canvas")[2] == ["Sara", "", "900", "s1", "S", "2.5"]


def test_canvas_without_a_roster_and_without_grades():
    assert gradebook_rows(GRADES, None, "canvas")[2:] == [
        ["s1", "", "s1", "", "", "2.5"],
        ["s2", "", "s2", "", "", "1.5"],
    ]
    # No sheet graded: the points possible are the 21 answer paths (2 vectors, the loss, 6 forward
    # quantities, 6 gradients, 6 updated weights) at one point each.
    assert gradebook_rows((), None, "canvas") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW2"],
        ["    Points Possible", "", "", "", "", "21"],
    ]


def test_moodle():
    assert gradebook_rows(GRADES, ROSTER, "moodle") == [
        ["ID number", "Email address", "HW2"],
        ["s1", "sara@example.com", "2.5"],
        ["s2", "", "1.5"],
    ]


@pytest.mark.parametrize("column", ["Email address", "MAIL", "email"])
def test_moodle_email_column_names(column):
    roster = _roster(("id", column), "id", {"id": "s1", column: "a@b.c"})
    assert gradebook_rows((S1,), roster, "moodle")[1] == ["s1", "a@b.c", "2.5"]


def test_moodle_keeps_the_email_column_when_there_is_none():
    roster = _roster(("id", "name"), "id", {"id": "s1", "name": PERSIAN})
    expected = [["ID number", "Email address", "HW2"], ["s1", "", "2.5"], ["s2", "", "1.5"]]
    assert gradebook_rows(GRADES, roster, "moodle") == expected
    assert gradebook_rows(GRADES, None, "moodle") == expected


@pytest.mark.parametrize("lms", ["blackboard", "Canvas", ""])
def test_an_unknown_lms(lms, tmp_path):
    with pytest.raises(ValueError) as caught:
        gradebook_rows(GRADES, None, lms)
    for name in ("generic", "canvas", "moodle"):
        assert name in str(caught.value)
    with pytest.raises(ValueError):
        write_gradebooks(tmp_path / "out", GRADES, None, lms, ())
    assert not (tmp_path / "out").exists()  # nothing written


def test_the_answers_table():
    rows = answers_rows(GRADES)
    assert rows[0] == [
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
    ]
    assert rows[1:5] == [
        ["s1", "q1b.train", "q1b", "-9.0;0.0;6.0;0.0;3.0", "-9.0;0.0;6.0;0.0;3.0", "true", "1.0", "1.0"]
        + ["exact", "", "", "false", ""],
        ["s1", "q1b.test", "q1b", "", "-4.5;0.0;3.0", "false", "0.0", "1.0"]
        + ["within rel 1e-3", "missing", "", "false", ""],
        ["s1", "q3.loss", "q3", "0.1", "0.1", "true", "1.0", "1.0", "within rel 1e-3", "", "", "false", ""],
        ["s1", "q3.gradients.w13", "q3", "0.0981", "0.09812345678901234", "false", "0.5", "1.0"]
        + ["within rel 1e-3", "unexplained", "sign_flip;no_derivative", "true", "q3.forward.y5;q3.loss"],
    ]
    assert [row[:2] for row in rows[5:]] == [
        ["s2", "q1b.train"],
        ["s2", "q1b.test"],
        ["s2", "q3.loss"],
        ["s2", "q3.gradients.w13"],
    ]
    assert rows[6][3:5] == ["3.0", "3.5"]  # a one-value vector has no separator
    assert rows[8][3:5] == ["0.7", "-0.7"]


def test_write_csv_bytes(tmp_path):
    rows = [["a", "b,c"], [PERSIAN, 'say "hi"'], ["line\nbreak", ""]]
    path = write_csv(tmp_path / "sub" / "t.csv", rows)
    assert path == tmp_path / "sub" / "t.csv"
    expected = 'a,"b,c"\r\n' + PERSIAN + ',"say ""hi"""\r\n' + '"line\nbreak",\r\n'
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")
    assert _parsed(path) == rows
    assert list(tmp_path.joinpath("sub").iterdir()) == [path]  # no temporary left beside it


def test_write_gradebooks(tmp_path):
    folder = tmp_path / "grades"
    rejected = (RejectedSheet("sheets/x.toml", "no [student] table"), RejectedSheet("y.toml", "not TOML, line 3"))
    written = write_gradebooks(folder, GRADES, ROSTER, "canvas", rejected)
    assert written == [folder / "gradebook.csv", folder / "answers.csv", folder / "rejected.csv"]
    assert _parsed(folder / "gradebook.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW2"],
        ["    Points Possible", "", "", "", "", "4"],
        [PERSIAN, "", "s1", "sara@example.com", "A", "2.5"],
        ["s2", "", "s2", "", "", "1.5"],
    ]
    assert (folder / "gradebook.csv").read_bytes().startswith(b"\xef\xbb\xbfStudent,ID,SIS User ID,")
    answers = _parsed(folder / "answers.csv")
    assert len(answers) == 9
    assert answers[4][-2:] == ["true", "q3.forward.y5;q3.loss"]
    assert (folder / "rejected.csv").read_bytes() == (
        b'\xef\xbb\xbfsheet,reason\r\nsheets/x.toml,no [student] table\r\ny.toml,"not TOML, line 3"\r\n'
    )


def test_write_gradebooks_removes_a_stale_rejected_csv(tmp_path):
    (tmp_path / "rejected.csv").write_text("sheet,reason\nold.toml,old problem\n", encoding="utf-8")
    written = write_gradebooks(str(tmp_path), GRADES, None, "moodle", ())
    assert written == [tmp_path / "gradebook.csv", tmp_path / "answers.csv"]
    assert not (tmp_path / "rejected.csv").exists()
    assert _parsed(tmp_path / "gradebook.csv") == [
        ["ID number", "Email address", "HW2"],
        ["s1", "", "2.5"],
        ["s2", "", "1.5"],
    ]
    # And with no stale file to remove, nothing fails.
    assert write_gradebooks(tmp_path, (), None, "generic", ()) == [tmp_path / "gradebook.csv", tmp_path / "answers.csv"]
    assert _parsed(tmp_path / "gradebook.csv") == [["student", "q1b", "q3", "total", "max"]]
