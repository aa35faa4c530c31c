"""hwsolve.course.roster: the id column, Excel's BOM, Canvas exports, Unicode names and every rejection."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwsolve.course.roster import ID_COLUMNS, Roster, RosterError, Student, read_roster
from hwsolve.errors import HwsolveError


def _write(tmp_path: Path, text: str, name: str = "roster.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rejected(path: Path | str, *fragments: str, id_column: str | None = None) -> str:
    with pytest.raises(RosterError) as caught:
        read_roster(path, id_column=id_column)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_plain_roster(tmp_path):
    path = _write(tmp_path, "id,name,email\ns1,Ada,ada@example.com\ns2,Alan,alan@example.com\n")
    roster = read_roster(path)
    assert roster == Roster(
        path=str(path),
        id_column="id",
        columns=("id", "name", "email"),
        students=(
            Student("s1", {"id": "s1", "name": "Ada", "email": "ada@example.com"}),
            Student("s2", {"id": "s2", "name": "Alan", "email": "alan@example.com"}),
        ),
    )
    assert roster.by_id() == {"s1": roster.students[0], "s2": roster.students[1]}
    assert read_roster(str(path)).path == str(path)
    assert issubclass(RosterError, HwsolveError)


def test_the_accepted_id_columns():
    assert ID_COLUMNS == ("id", "student_id", "SIS User ID", "username")


@pytest.mark.parametrize(
    "header",
    ["id", "student_id", "SIS User ID", "username", " ID ", "Student_ID", "sis user id", "USERNAME"],
)
def test_each_id_column_name(tmp_path, header):
    path = _write(tmp_path, f"name,{header}\nAda, s1 \n")
    roster = read_roster(path)
    assert roster.id_column == header.strip()
    assert [student.id for student in roster.students] == ["s1"]
    assert roster.students[0].fields == {"name": "Ada", header.strip(): "s1"}  # the id stripped


def test_the_first_accepted_name_wins_not_the_first_column(tmp_path):
    path = _write(tmp_path, "username,student_id,id\nada,1001,s1\n")
    assert read_roster(path).id_column == "id"
    path = _write(tmp_path, "name,username,SIS User ID\nAda,ada,1001\n")
    assert read_roster(path).id_column == "SIS User ID"


def test_id_column_option(tmp_path):
    path = _write(tmp_path, "id,email\ns1,ada@example.com\ns2,alan@example.com\n")
    roster = read_roster(path, id_column="email")
    assert roster.id_column == "email"
    assert [student.id for student in roster.students] == ["ada@example.com", "alan@example.com"]
    assert read_roster(path, id_column=" EMAIL ").id_column == "email"


def test_id_column_option_must_exist(tmp_path):
    path = _write(tmp_path, "id,email\ns1,ada@example.com\n")
    _rejected(path, "no column 'login'", "--id-column", "'id', 'email'", id_column="login")
    with pytest.raises(ValueError, match="--id-column must not be empty"):
        read_roster(path, id_column=" ")


def test_excel_bom(tmp_path):
    path = _write(tmp_path, "\ufeffid,name\r\ns1,Ada\r\n")
    roster = read_roster(path)
    assert roster.columns == ("id", "name")
    assert roster.students == (Student("s1", {"id": "s1", "name": "Ada"}),)


CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,HW2 (1234)\r\n"
    "    Points Possible,,,,,10.00\r\n"
    '"Rezaei, Ali",1001,s1001,ali,Section 1,\r\n'
    '"Lovelace, Ada",1002,s1002,ada,Section 1,8.5\r\n'
)


def test_canvas_export(tmp_path):
    roster = read_roster(_write(tmp_path, CANVAS))
    assert roster.id_column == "SIS User ID"  # the school's id, not Canvas's own "ID" number
    assert [student.id for student in roster.students] == ["s1001", "s1002"]
    assert roster.students[0].fields["Student"] == "Rezaei, Ali"
    assert roster.students[1].fields["HW2 (1234)"] == "8.5"
    assert read_roster(_write(tmp_path, CANVAS), id_column="SIS Login ID").by_id()["ada"].fields["ID"] == "1002"


def test_points_possible_is_only_skipped_as_the_second_row(tmp_path):
    text = "Student,ID\nAda,1001\nPoints Possible,\n"
    _rejected(_write(tmp_path, text), "line 3", "empty id in column 'ID'")


def test_empty_rows_are_skipped_and_lines_still_count(tmp_path):
    path = _write(tmp_path, "\nid,name\n\ns1,Ada\n , \n,,\ns2,Alan\n\n")
    assert [student.id for student in read_roster(path).students] == ["s1", "s2"]
    path = _write(tmp_path, "id,name\n\ns1,Ada\n\n,Alan\n")
    _rejected(path, "line 5", "empty id")


def test_a_quoted_cell_across_lines_keeps_the_line_count(tmp_path):
    path = _write(tmp_path, 'id,note\ns1,"two\nlines"\ns1,again\n')
    _rejected(path, "id 's1' appears twice, on line 2 and line 4")


def test_short_rows_and_trailing_empty_cells(tmp_path):
    path = _write(tmp_path, "id,name,email\ns1\ns2,Alan,,,\n")
    roster = read_roster(path)
    assert roster.students[0].fields == {"id": "s1", "name": "", "email": ""}
    assert roster.students[1].fields == {"id": "s2", "name": "Alan", "email": ""}


def test_unnamed_header_cells_are_named_by_position(tmp_path):
    roster = read_roster(_write(tmp_path, "id,,name\ns1,x,Ada\n"))
    assert roster.columns == ("id", "column 2", "name")
    assert roster.students[0].fields["column 2"] == "x"


def test_persian_names_and_ids(tmp_path):
    text = "id,name,email\ns1,علی رضایی,ali@example.com\nرضا۱۲,زهرا احمدی,zahra@example.com\n"
    roster = read_roster(_write(tmp_path, text))
    assert roster.by_id()["s1"].fields["name"] == "علی رضایی"
    # Persian digits in an id are the same id in Latin digits (as a sheet's student = "رضا۱۲" reads).
    assert roster.by_id()["رضا12"].fields == {"id": "رضا12", "name": "زهرا احمدی", "email": "zahra@example.com"}


# --- rejections --------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    _rejected(tmp_path / "nope.csv", "no such file")


def test_a_folder(tmp_path):
    _rejected(tmp_path, "is a folder")


def test_not_utf8(tmp_path):
    path = _write(tmp_path, "id,name\ns1,José\n", encoding="latin-1")
    _rejected(path, "line 2", "not UTF-8", "0xe9", "CSV UTF-8")


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", " , \n"])
def test_no_header(tmp_path, text):
    _rejected(_write(tmp_path, text), "no header")


def test_no_id_column(tmp_path):
    path = _write(tmp_path, "name,email\nAda,ada@example.com\n")
    _rejected(path, "no id column", "'id', 'student_id', 'SIS User ID', 'username'", "--id-column", "'name', 'email'")


def test_empty_id(tmp_path):
    _rejected(_write(tmp_path, "id,name\ns1,Ada\n  ,Alan\n"), "line 3", "empty id in column 'id'")


def test_duplicate_ids(tmp_path):
    path = _write(tmp_path, "id,name\ns1,Ada\ns2,Alan\n s1 ,Grace\n")
    _rejected(path, "'s1'", "line 2", "line 4")


@pytest.mark.parametrize(
    ("student_id", "fragment"),
    [
        ("a/b", "contains '/'"),
        ("a\\b", "contains '\\\\'"),
        ("a\x00b", "control character '\\x00'"),
        ("a\x07b", "control character '\\x07'"),
        ("a\tb", "control character '\\t'"),
        (".", "is . or .."),
        ("..", "is . or .."),
        (".hidden", "starts with '.'"),
    ],
)
def test_ids_that_cannot_be_folder_names(tmp_path, student_id, fragment):
    path = _write(tmp_path, f'id,name\ns1,Ada\n"{student_id}",Alan\n')
    _rejected(path, "line 3", "cannot be a folder name", fragment)


@pytest.mark.parametrize("text", ["id,name\n", "id,name\n\n\n", "Student,ID\nPoints Possible,\n"])
def test_no_students(tmp_path, text):
    _rejected(_write(tmp_path, text), "no students")


def test_extra_cells(tmp_path):
    _rejected(_write(tmp_path, "id,name\ns1,Ada,extra\n"), "line 2", "3 cells but the header has 2 columns")


def test_duplicate_columns(tmp_path):
    _rejected(_write(tmp_path, "id,name,Name,name\ns1,Ada,A,B\n"), "names column 'name' twice")


def test_invalid_csv(tmp_path):
    path = _write(tmp_path, 'id,name\ns1,"' + "x" * 200_000 + '"\n')
    _rejected(path, "line 2", "not valid CSV")


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path):
    path = tmp_path / "a\nb.csv"
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert "\n" not in str(caught.value)
    assert "no such file" in str(caught.value)
