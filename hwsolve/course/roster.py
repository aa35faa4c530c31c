"""Reading a course roster CSV: one student per row, found by an id column.

The id column is the first of ``ID_COLUMNS`` in the header (matched
case-insensitively, surrounding spaces ignored), or the one named by
``--id-column``. A student's id names that student's folder, so it must be
usable as a folder name. Everything else in the row is carried along as
text (names, emails) for the gradebook.

The file is read as UTF-8 with an optional BOM (Excel's "CSV UTF-8"). A
Canvas gradebook export is read as it is: its "Points Possible" row (the
first row after the header) is skipped, and so is every entirely empty row.
Line numbers in messages count lines as an editor shows them.

Public API: ``Student`` (``id``, ``fields``: every column of the row, the id
column holding the stripped id), ``Roster`` (``path``, ``id_column``,
``columns``, ``students``, ``by_id()``), ``RosterError``, ``ID_COLUMNS`` and
``read_roster(path, id_column=None)``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hwsolve.digits import normalise_digits
from hwsolve.errors import HwsolveError

ID_COLUMNS = ("id", "student_id", "SIS User ID", "username")
POINTS_POSSIBLE = "Points Possible"  # the first cell of a Canvas export's second row


class RosterError(HwsolveError):
    """A roster that cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Student:
    id: str  # stripped of surrounding spaces; a folder name
    fields: dict[str, str]  # column -> cell, every column of the row (the id column holds `id`)


@dataclass(frozen=True)
class Roster:
    path: str  # as given
    id_column: str  # as the header writes it
    columns: tuple[str, ...]  # the header, in order
    students: tuple[Student, ...]  # in file order

    def by_id(self) -> dict[str, Student]:
        return {student.id: student for student in self.students}


def _shown(path: str) -> str:
    """A file name for a one-line message: as it is, quoted and escaped when it holds a newline or the like."""
    return path if path.isprintable() else repr(path)


def _read_text(path: Path, name: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RosterError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise RosterError(f"{name}: is a folder, not a CSV file") from None
    except PermissionError:
        raise RosterError(f"{name}: cannot read it (permission denied)") from None
    except OSError as error:
        raise RosterError(f"{name}: cannot read it ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RosterError(
            f"{name}: line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the roster as CSV UTF-8"
        ) from None


def _rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for every row that is not entirely empty."""
    # newline="" hands the csv module the line endings untouched, so a quoted
    # cell may span lines and line_num counts lines as an editor does.
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise RosterError(f"{name}: line {start}: not valid CSV ({error})") from None
        if any(cell.strip() for cell in row):
            yield start, row


def _header(cells: list[str], name: str) -> tuple[str, ...]:
    # A trailing comma gives an unnamed column; name it by position rather
    # than drop what a row may hold there.
    columns = tuple(cell.strip() or f"column {index}" for index, cell in enumerate(cells, start=1))
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise RosterError(f"{name}: the header names column {column!r} twice")
        seen.add(column)
    return columns


def _id_column(columns: tuple[str, ...], wanted: str | None, name: str) -> str:
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(column.strip().casefold(), column)
    found = ", ".join(repr(column) for column in columns)
    if wanted is not None:
        if not wanted.strip():
            raise ValueError("--id-column must not be empty")
        if wanted in columns:
            return wanted
        if wanted.strip().casefold() in by_key:
            return by_key[wanted.strip().casefold()]
        raise RosterError(f"{name}: no column {wanted!r} (--id-column); the header has {found}")
    # A Canvas export has both "ID" (Canvas's own number, which students never see) and "SIS User ID" (the
    # school's id): the school's is the student's id here.
    if "sis user id" in by_key:
        return by_key["sis user id"]
    for candidate in ID_COLUMNS:
        if candidate.casefold() in by_key:
            return by_key[candidate.casefold()]
    accepted = ", ".join(repr(column) for column in ID_COLUMNS)
    raise RosterError(f"{name}: no id column: expected one of {accepted} (or --id-column); the header has {found}")


def _folder_problem(student_id: str) -> str | None:
    """Why `student_id` cannot name a folder, or None when it can."""
    if student_id in (".", ".."):
        return "is . or .."
    if student_id.startswith("."):
        return "starts with '.' (a hidden folder)"
    for char in student_id:
        if char in "/\\":
            return f"contains {char!r}"
        if unicodedata.category(char) == "Cc":
            return f"contains the control character {char!r}"
    return None


def _student(line: int, cells: list[str], columns: tuple[str, ...], id_column: str, name: str) -> Student:
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        raise RosterError(f"{name}: line {line}: {len(cells)} cells but the header has {len(columns)} columns")
    # A short row (Excel drops trailing empty cells) reads as empty cells.
    fields = {column: cells[index] if index < len(cells) else "" for index, column in enumerate(columns)}
    student_id = normalise_digits(fields[id_column])  # Persian digits in an id are the same id in Latin ones
    if not student_id:
        raise RosterError(f"{name}: line {line}: empty id in column {id_column!r}")
    problem = _folder_problem(student_id)
    if problem is not None:
        raise RosterError(f"{name}: line {line}: id {student_id!r} cannot be a folder name: it {problem}")
    fields[id_column] = student_id
    return Student(id=student_id, fields=fields)


def read_roster(path: Path | str, id_column: str | None = None) -> Roster:
    """The students of the roster CSV at `path`; RosterError (one line) when it cannot be used."""
    name = _shown(str(path))
    rows = _rows(_read_text(Path(path), name), name)
    first = next(rows, None)
    if first is None:
        raise RosterError(f"{name}: no header: the file is empty")
    columns = _header(first[1], name)
    column = _id_column(columns, id_column, name)
    students: list[Student] = []
    lines: dict[str, int] = {}
    for index, (line, cells) in enumerate(rows):
        if index == 0 and cells and cells[0].strip() == POINTS_POSSIBLE:
            continue
        student = _student(line, cells, columns, column, name)
        if student.id in lines:
            raise RosterError(f"{name}: id {student.id!r} appears twice, on line {lines[student.id]} and line {line}")
        lines[student.id] = line
        students.append(student)
    if not students:
        raise RosterError(f"{name}: no students: the header has no rows under it")
    return Roster(path=str(path), id_column=column, columns=columns, students=tuple(students))
