"""The variants folder: each student's verified key and blank sheet on disk, and reading the keys back to grade.

    DIR/<id>/problem.md    the student's problem sheet (rendered by hwsolve.render.course)
    DIR/<id>/sheet.toml    a blank answer sheet (hwsolve.course.sheet.blank_sheet)
    DIR/<id>/key.json      the verified key (hwsolve.course.keys.key_json)
    DIR/<id>/student.json  the student's roster row (name, email, section ...), for the gradebooks
    DIR/index.csv          id, seed, redraws and the paths, one row per student in the folder

Every file is written atomically (hwsolve.io.write_atomic): an interrupted run
leaves each file whole, old or new. A rerun skips a student whose key.json
already holds exactly this key (same salt, same ranges: same bytes), so
re-running after adding students to the roster writes only theirs. Each
student's roster row lives in their own folder, so a later run with part of
the roster loses nobody's columns, and the index lists every student there.
key.json is the answer key: hand out problem.md and sheet.toml only.

Public API: ``make_variants(roster, salt, ranges)`` -> ``VariantSet``;
``write_student(folder, key, problem, student, id_column)`` -> whether it
wrote; ``write_index(folder, keys)``; ``read_keys(folder)`` -> keys by student
id; ``read_key(folder)`` (one student's); ``read_roster_rows(folder)`` (the
roster as the students' folders hold it); ``verified(keys)`` (each key re-solved
from its variant and compared); ``key_text(key)``; ``RESERVED_NAMES``;
``KeyFileError``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hwsolve.course.keys import Key, Value, key_from_json, key_json, solve_keys
from hwsolve.course.roster import Roster, Student
from hwsolve.course.seeds import ASSIGNMENT, variant_seed
from hwsolve.course.separability import separable_variants
from hwsolve.course.sheet import blank_sheet
from hwsolve.course.variant import VariantRanges
from hwsolve.errors import HwsolveError
from hwsolve.io import to_json, write_atomic

PROBLEM, SHEET, KEY, INDEX, STUDENT = "problem.md", "sheet.toml", "key.json", "index.csv", "student.json"
# The variants folder's own files: a student id spelled like one would clash with its folder.
RESERVED_NAMES = frozenset({INDEX, "problems.tex", "problems.pdf", "problems.log", "problems.aux", "problems.fls"})


class KeyFileError(HwsolveError):
    """A variants folder or key.json that cannot be read: one line naming it."""


@dataclass(frozen=True)
class VariantSet:
    keys: list[Key]  # in the roster's order
    redraws: int  # draws rejected as not separable, over every student


def make_variants(roster: Roster, salt: str, ranges: VariantRanges | None = None) -> VariantSet:
    """Every student's separable variant, drawn from their own seed, and its verified key."""
    clashing = [student.id for student in roster.students if student.id in RESERVED_NAMES]
    if clashing:
        raise KeyFileError(f"{roster.path}: id {clashing[0]!r} is the name of one of the variants folder's own files")
    students = [(student.id, variant_seed(salt, ASSIGNMENT, student.id)) for student in roster.students]
    drawn = separable_variants(students, ranges)
    return VariantSet(solve_keys(drawn.variants), drawn.redraws)


def key_text(key: Key) -> str:
    return to_json(key_json(key)) + "\n"


def _same(path: Path, text: str) -> bool:
    try:
        return path.is_file() and path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False  # unreadable: written anew


def write_student(folder: Path, key: Key, problem: str | None, student: Student, id_column: str) -> bool:
    """The student's problem sheet (None: not asked for), blank answer sheet, roster row and key; False when the
    key was already there, unchanged (then only a changed roster row is rewritten)."""
    own = folder / key.variant.student
    row = json.dumps({"id_column": id_column, "fields": student.fields}, ensure_ascii=False, indent=2) + "\n"
    if not _same(own / STUDENT, row):
        write_atomic(own / STUDENT, row)
    text = key_text(key)
    if _same(own / KEY, text) and (problem is None or _same(own / PROBLEM, problem)) and (own / SHEET).is_file():
        return False
    if problem is not None:
        write_atomic(own / PROBLEM, problem)
    if not (own / SHEET).is_file():  # never overwrite a sheet a student may have started filling in
        write_atomic(own / SHEET, blank_sheet(key.variant.student))
    write_atomic(own / KEY, text)  # last: a key present means its student's files are complete
    return True


def write_index(folder: Path, keys: Sequence[Key]) -> Path:
    """index.csv: the id, the seed, the redraws and the paths of each student's files, relative to the folder."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "seed", "redraws", "problem", "sheet", "key"])
    for key in keys:
        student = key.variant.student
        writer.writerow(
            [student, key.variant.seed, key.variant.attempt] + [f"{student}/{name}" for name in (PROBLEM, SHEET, KEY)]
        )
    return write_atomic(folder / INDEX, buffer.getvalue())


def _load_key(path: Path) -> Key:
    try:
        key = key_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise KeyFileError(f"{path}: not a key hwsolve wrote ({type(error).__name__}: {error})") from None
    if key.variant.student != path.parent.name:
        raise KeyFileError(f"{path}: the key is for student {key.variant.student!r}, not {path.parent.name!r}")
    return key


def read_key(student_folder: Path | str) -> Key:
    """One student's key, DIR/<id>/key.json, read alone (a broken neighbour does not matter)."""
    path = Path(student_folder) / KEY
    if not path.is_file():
        raise KeyFileError(f"{student_folder}: no {KEY} in it (the folder of one student, e.g. build/variants/s001)")
    return _load_key(path.resolve())


def read_keys(folder: Path | str) -> dict[str, Key]:
    """Every DIR/<id>/key.json, by student id; KeyFileError naming the first that cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KeyFileError(f"{folder}: no such variants folder (write one with `hwsolve variants`)")
    keys = {key.variant.student: key for key in (_load_key(path) for path in sorted(folder.glob(f"*/{KEY}")))}
    if not keys:
        raise KeyFileError(f"{folder}: no */{KEY} in it (write them with `hwsolve variants`)")
    return keys


def verified(keys: dict[str, Key]) -> dict[str, Key]:
    """The keys, each re-solved from its own given values and compared: an edited key.json is refused."""
    solved = solve_keys([key.variant for key in keys.values()])
    for key, fresh in zip(keys.values(), solved):
        if any(not _equal(key.values[path], fresh.values[path]) for path in fresh.values):
            raise KeyFileError(
                f"{key.variant.student}/{KEY} does not match its own variant (edited by hand?): solve it again "
                "with `hwsolve variants`"
            )
    return keys


def _equal(a: Value, b: Value) -> bool:
    first, second = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return len(first) == len(second) and all(abs(x - y) <= 1e-12 * max(1.0, abs(y)) for x, y in zip(first, second))


def read_roster_rows(folder: Path | str) -> Roster | None:
    """The roster as the students' folders keep it (DIR/<id>/student.json); None when none has one."""
    students: list[Student] = []
    columns: dict[str, None] = {}
    id_column = "id"
    for path in sorted(Path(folder).glob(f"*/{STUDENT}")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            fields = {str(name): str(value) for name, value in data["fields"].items()}
            id_column = str(data["id_column"])
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
            continue  # a damaged row costs that student's columns in the gradebook, not the grading
        columns.update(dict.fromkeys(fields))
        students.append(Student(path.parent.name, fields))
    return Roster(str(folder), id_column, tuple(columns), tuple(students)) if students else None
