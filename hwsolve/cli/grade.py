"""`hwsolve grade` and `hwsolve check`: answer sheets graded against their keys, each mistake diagnosed."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hwsolve.cli.common import Command, FiniteFloat, format_option, lang_option, use_language
from hwsolve.course.grades import StudentGrade
from hwsolve.errors import HwsolveError
from hwsolve.i18n import _

if TYPE_CHECKING:
    from hwsolve.course.grades import RejectedSheet
    from hwsolve.course.grading import GradingOptions
    from hwsolve.course.keys import Key
    from hwsolve.course.roster import Roster
    from hwsolve.course.sheet import Sheet

TOLERANCE_HELP = (
    "default (the key rounded to the decimals written, at least 2, or within rel 1e-3), rel:R, abs:A, "
    "sigfig:N or decdig:N (±0.51 in the last place)."
)


def _options(tolerance: str, ecf: float) -> GradingOptions:
    from hwsolve.course.grading import GradingOptions
    from hwsolve.course.tolerance import parse_tolerance

    try:
        return GradingOptions(parse_tolerance(tolerance), ecf)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--tolerance") from None


def _sheet_paths(given: Sequence[Path]) -> list[Path]:
    """The sheets named, a folder standing for every *.toml under it; a file named twice counts once.

    A path that does not exist is kept: reading it rejects that one sheet, and the rest are still graded.
    """
    paths: dict[Path, Path] = {}
    for path in given:
        for sheet in sorted(p for p in path.rglob("*.toml") if p.is_file()) if path.is_dir() else [path]:
            paths.setdefault(sheet.resolve(), sheet)
    return list(paths.values())


def _read(paths: Sequence[Path], keys: dict[str, Key]) -> tuple[list[Sheet], list[RejectedSheet]]:
    """Every sheet that can be graded; one rejection line for each that cannot (the rest are still graded).

    Two sheets for one student are both rejected: which one counts is the teaching assistant's call.
    """
    from hwsolve.course.grades import RejectedSheet
    from hwsolve.course.sheet import SheetError, read_sheet

    read: list[Sheet] = []
    rejected: list[RejectedSheet] = []
    for path in paths:
        try:
            sheet = read_sheet(path)
        except SheetError as error:
            rejected.append(RejectedSheet(error.sheet, error.reason))
            continue
        if sheet.student in keys:
            read.append(sheet)
        else:
            rejected.append(RejectedSheet(str(path), f"unknown student id {sheet.student!r} (no key in the variants)"))
    by_student: dict[str, list[Sheet]] = {}
    for sheet in read:
        by_student.setdefault(sheet.student, []).append(sheet)
    for student, several in by_student.items():
        if len(several) > 1:
            names = ", ".join(sheet.path for sheet in several)
            reason = f"one of {len(several)} sheets for {student!r} ({names}): keep one and grade again"
            rejected.extend(RejectedSheet(sheet.path, reason) for sheet in several)
    return [sheet for sheet in read if len(by_student[sheet.student]) == 1], rejected


def _with_roster(grades: list[StudentGrade], keys: dict[str, Key], roster: Roster | None) -> list[StudentGrade]:
    """Every graded student with their roster row, then every student with a key and no graded sheet (no grade)."""
    import dataclasses

    rows = roster.by_id() if roster is not None else {}
    graded = [dataclasses.replace(g, roster=rows[g.student].fields) if g.student in rows else g for g in grades]
    seen = {grade.student for grade in grades}
    absent = [
        StudentGrade(
            student, "", (), keys[student].variant.seed, rows[student].fields if student in rows else {}, False
        )
        for student in keys
        if student not in seen
    ]
    return graded + absent


def _write(
    out: Path,
    grades: list[StudentGrade],
    keys: dict[str, Key],
    rejected: list[RejectedSheet],
    options: GradingOptions,
    lms: str,
    roster_folder: Path,
) -> None:
    """The gradebooks (every student in the variants, a student with no graded sheet without a grade), each
    graded student's feedback (an earlier run's for students not graded now are removed) and the summary."""
    from hwsolve.course.files import read_roster_rows
    from hwsolve.course.gradebook import write_gradebooks
    from hwsolve.io import write_atomic
    from hwsolve.render.course import summary_markdown, write_feedback

    everyone = _with_roster(grades, keys, read_roster_rows(roster_folder))
    write_gradebooks(out, everyone, read_roster_rows(roster_folder), lms, rejected)
    graded = [grade for grade in everyone if grade.submitted]
    write_feedback(out / "feedback", graded, keys, options)
    names = {f"{grade.student}.md" for grade in graded}
    for stale in (out / "feedback").glob("*.md"):
        if stale.name not in names:
            stale.unlink()
    absent = [grade.student for grade in everyone if not grade.submitted]
    write_atomic(out / "summary.md", summary_markdown(graded, rejected, options, absent))


@click.command(
    "grade",
    cls=Command,
    epilog="""\b
Examples:
  hwsolve grade --variants build/variants sheets/*.toml --out build/grades
  hwsolve grade --variants build/variants sheets/ --out grades --lms canvas --tolerance sigfig:3
  hwsolve grade --variants build/variants sheets/ --out grades --format json > grades.json
""",
)
@click.option(
    "--variants",
    "variants_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder `hwsolve variants` wrote (its */key.json and roster.csv).",
)
@click.argument("sheets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="gradebook.csv, answers.csv, feedback/<id>.md and summary.md go here.",
)
@click.option("--tolerance", default="default", show_default=True, help=TOLERANCE_HELP)
@click.option(
    "--ecf",
    type=FiniteFloat(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Share of an answer's points for one right on the student's own earlier numbers.",
)
@click.option(
    "--lms",
    type=click.Choice(["generic", "canvas", "moodle"]),
    default="generic",
    show_default=True,
    help="gradebook.csv's columns: Canvas's import header, Moodle's ID number/email, or generic.",
)
@format_option(choices=("text", "json"), help="text for a person, json for a script.")
@lang_option("The feedback and the summary")
def grade(
    variants_dir: Path, sheets: tuple[Path, ...], out: Path, tolerance: str, ecf: float, lms: str, fmt: str, lang: str
) -> None:
    """Grade answer sheets (TOML) against each student's key, with tolerance and error carried forward.

    Each wrong answer is diagnosed by computation: the student's own variant
    is re-solved under each misconception (truncated, rounded_intermediates,
    no_output_derivative, no_hidden_derivative, half_mse, sign_flip,
    lr_ignored, updated_weights_backprop, dropout_not_scaled,
    dropout_scaled_by_p, dropout_at_test) and matched with the same
    tolerance; unexplained or missing otherwise. A sheet that cannot be read
    (malformed TOML, an unknown student or answer, a non-numeric value, a
    second sheet for a student) is one line on stderr and listed in
    rejected.csv; the rest of the class is still graded, and the command exits 1.
    """
    use_language(lang)
    from hwsolve.course.files import read_keys, verified
    from hwsolve.course.grading import grade_sheets
    from hwsolve.io import ensure_writable, to_json

    options = _options(tolerance, ecf)
    keys = verified(read_keys(variants_dir))
    paths = _sheet_paths(sheets)
    if not paths:
        raise HwsolveError(f"no answer sheets (*.toml) in {', '.join(str(path) for path in sheets)}")
    ensure_writable(out)
    sheets_read, rejected = _read(paths, keys)
    grades = grade_sheets(sheets_read, keys, options)
    _write(out, grades, keys, rejected, options, lms, variants_dir)
    for sheet in rejected:
        click.echo(f"Error: {sheet.line()}", err=True)
    if fmt == "json":
        click.echo(to_json(grades))
    else:
        mean = sum(g.total for g in grades) / len(grades) if grades else 0.0
        top = grades[0].max if grades else 0.0
        absent = len(keys) - len(grades)
        click.echo(
            f"{_count(len(grades), 'sheet')} graded into {out} (mean {mean:.4g} of {top:g}); "
            f"{len(rejected)} rejected; {_count(absent, 'student')} in the variants with no graded sheet"
        )
    if rejected:
        sys.exit(1)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


@click.command(
    "check",
    cls=Command,
    epilog="""\b
Examples:
  hwsolve check my-sheet.toml                       # against the homework's own numbers
  hwsolve check sheet.toml --variant build/variants/s001 --reveal
""",
)
@click.argument("sheet_path", metavar="SHEET", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--variant",
    "variant_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Your variant's folder (with key.json); default: the homework's own numbers.",
)
@click.option("--reveal", is_flag=True, help="Also show the key's values and what the diagnosed mistake gives.")
@click.option("--tolerance", default="default", show_default=True, help=TOLERANCE_HELP)
@click.option("--ecf", type=FiniteFloat(0.0, 1.0), default=0.5, show_default=True, help="Error-carried-forward share.")
@format_option(choices=("text", "json"), help="text for a person, json for a script.")
@lang_option("The feedback")
def check(
    sheet_path: Path, variant_dir: Path | None, reveal: bool, tolerance: str, ecf: float, fmt: str, lang: str
) -> None:
    """Grade your own answer sheet and print the feedback: which answers are right, and which mistake each
    wrong one shows."""
    use_language(lang, fmt, formats=("text",))
    import dataclasses

    from hwsolve.course.files import KeyFileError, read_key
    from hwsolve.course.grading import grade_sheets
    from hwsolve.course.keys import solve_keys
    from hwsolve.course.sheet import read_sheet
    from hwsolve.course.variant import homework_variant
    from hwsolve.io import to_json
    from hwsolve.render.course import feedback_text

    options = _options(tolerance, ecf)
    sheet = read_sheet(sheet_path)
    if variant_dir is None:
        key = solve_keys([homework_variant(sheet.student)])[0]
    else:
        key = read_key(variant_dir)
        if key.variant.student != sheet.student:
            raise KeyFileError(
                f"{sheet_path} is the sheet of {sheet.student!r}, but {variant_dir} is the variant of "
                f"{key.variant.student!r}"
            )
    grade = grade_sheets(
        [dataclasses.replace(sheet, student=key.variant.student)], {key.variant.student: key}, options
    )[0]
    if fmt == "json":
        click.echo(to_json(grade))
    else:
        click.echo(feedback_text(grade, key, options, reveal), nl=False)
        if variant_dir is None:  # a student with a variant of their own would otherwise read a wrong score
            click.echo(
                "\n" + _("Graded against the homework's own numbers; for your variant give --variant DIR/<your id>.")
            )
