"""The variants folder: each student's verified key and blank sheet on disk, and reading the keys back to grade.

    DIR/<id>/problem.md   the student's problem sheet (rendered by hwsolve.render.course)
    DIR/<id>/sheet.toml   a blank answer sheet (hwsolve.course.sheet.blank_sheet)
    DIR/<id>/key.json     the verified key (hwsolve.course.keys.key_json)
    DIR/index.csv         id, seed, redraws and the three paths, one row per student

Every file is written atomically (hwsolve.io.write_atomic): an interrupted run
leaves each file whole, old or new. A rerun skips a student whose key.json
already holds exactly this key (same salt, same ranges: same bytes), so
re-running after adding students to the roster writes only theirs.

Public API: ``make_variants(roster, salt, ranges)`` -> ``VariantSet``;
``write_student(folder, key, problem)`` -> whether it wrote;
``write_index(folder, keys)``; ``read_keys(folder)`` -> keys by student id;
``key_text(key)``; ``KeyFileError``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hwsolve.course.keys import Key, key_from_json, key_json, solve_keys
from hwsolve.course.roster import Roster
from hwsolve.course.seeds import ASSIGNMENT, variant_seed
from hwsolve.course.separability import separable_variants
from hwsolve.course.sheet import blank_sheet
from hwsolve.course.variant import VariantRanges
from hwsolve.errors import HwsolveError
from hwsolve.io import to_json, write_atomic

PROBLEM, SHEET, KEY, INDEX = "problem.md", "sheet.toml", "key.json", "index.csv"


class KeyFileError(HwsolveError):
    """A variants folder or key.json that cannot be read: one line naming it."""


@dataclass(frozen=True)
class VariantSet:
    keys: list[Key]  # in the roster's order
    redraws: int  # draws rejected as not separable, over every student


def make_variants(roster: Roster, salt: str, ranges: VariantRanges | None = None) -> VariantSet:
    """Every student's separable variant, drawn from their own seed, and its verified key."""
    students = [(student.id, variant_seed(salt, ASSIGNMENT, student.id)) for student in roster.students]
    drawn = separable_variants(students, ranges)
    return VariantSet(solve_keys(drawn.variants), drawn.redraws)


def key_text(key: Key) -> str:
    return to_json(key_json(key)) + "\n"


def write_student(folder: Path, key: Key, problem: str) -> bool:
    """The student's problem sheet, blank answer sheet and key; False (nothing written) when the key is unchanged."""
    own = folder / key.variant.student
    text = key_text(key)
    key_path = own / KEY
    if key_path.is_file() and (own / PROBLEM).is_file() and (own / SHEET).is_file():
        try:
            if key_path.read_text(encoding="utf-8") == text:
                return False
        except (OSError, UnicodeDecodeError):
            pass  # unreadable: written anew below
    write_atomic(own / PROBLEM, problem)
    if not (own / SHEET).is_file():  # never overwrite a sheet a student may have started filling in
        write_atomic(own / SHEET, blank_sheet(key.variant.student))
    write_atomic(key_path, text)  # last: a key present means its student's files are complete
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


def read_keys(folder: Path | str) -> dict[str, Key]:
    """Every DIR/<id>/key.json, by student id; KeyFileError naming the first that cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KeyFileError(f"{folder}: no such variants folder (write one with `hwsolve variants`)")
    keys: dict[str, Key] = {}
    for path in sorted(folder.glob(f"*/{KEY}")):
        try:
            key = key_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise KeyFileError(f"{path}: not a key hwsolve wrote ({type(error).__name__}: {error})") from None
        if key.variant.student != path.parent.name:
            raise KeyFileError(f"{path}: the key is for student {key.variant.student!r}, not {path.parent.name!r}")
        keys[key.variant.student] = key
    if not keys:
        raise KeyFileError(f"{folder}: no */{KEY} in it (write them with `hwsolve variants`)")
    return keys
