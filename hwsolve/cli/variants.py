"""`hwsolve variants`: a variant of the homework for every student on a roster, each with a verified key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hwsolve.cli.common import Command, FloatList, lang_option, use_language

if TYPE_CHECKING:
    from hwsolve.course.files import VariantSet
    from hwsolve.course.roster import Roster
    from hwsolve.course.variant import VariantRanges

DOCUMENTS = ("md", "pdf")


def _documents(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if not chosen or any(part not in DOCUMENTS for part in chosen):
        raise click.BadParameter(f"{text!r}: give md, pdf or md,pdf", param_hint="--format")
    return chosen


def _pair(values: tuple[float, ...], option: str) -> tuple[float, float]:
    if len(values) != 2 or not values[0] < values[1]:
        raise click.BadParameter(f"give LOW,HIGH with LOW < HIGH, got {','.join(map(str, values))}", param_hint=option)
    return values[0], values[1]


def _ranges(
    q1b_range: tuple[float, ...], q1b_rates: str, q3_weight_range: tuple[float, ...], q3_lrs: tuple[float, ...]
) -> VariantRanges:
    from hwsolve.course.variant import VariantRanges
    from hwsolve.digits import parse_number

    low, high = _pair(q1b_range, "--q1b-range")
    weight_low, weight_high = _pair(q3_weight_range, "--q3-weight-range")
    rates = tuple(part.strip() for part in q1b_rates.split(",") if part.strip())
    try:
        for rate in rates:
            parse_number(rate)  # a rate is kept as its text ("0.25"), but it must be a number
        return VariantRanges(low, high, 0.25, rates, weight_low, weight_high, q3_lrs)
    except ValueError as error:
        raise click.BadParameter(
            str(error), param_hint="--q1b-range, --q1b-rates, --q3-weight-range or --q3-lrs"
        ) from None


def _write(out: Path, made: VariantSet, documents: tuple[str, ...], roster: Roster) -> tuple[int, str]:
    """Every student's files (a progress bar on stderr) and index.csv; the PDF's line."""
    from hwsolve.course.files import read_keys, write_index, write_student
    from hwsolve.render.course import build_problems_pdf, problem_markdown

    written = 0
    students = roster.by_id()
    with click.progressbar(made.keys, label="writing variants", file=sys.stderr, show_pos=True) as keys:
        for key in keys:
            problem = problem_markdown(key.variant) if "md" in documents else None
            written += write_student(out, key, problem, students[key.variant.student], roster.id_column)
    # The index lists everyone with a key in the folder: this roster's students first, then earlier ones.
    everyone = read_keys(out)
    ordered = [key.variant.student for key in made.keys]
    ordered += sorted(set(everyone) - set(ordered))
    write_index(out, [everyone[student] for student in ordered])
    if "pdf" not in documents:
        return written, ""
    pdf, line = build_problems_pdf(out, [everyone[student].variant for student in ordered])
    return written, line or f"{pdf} ({len(ordered)} pages, one per student)"


@click.command(
    "variants",
    cls=Command,
    epilog="""\b
Examples:
  hwsolve variants --roster roster.csv --salt "$(cat course-secret)" --out build/variants
  hwsolve variants --roster canvas.csv --id-column "SIS User ID" --salt S --out v --format md
  hwsolve variants --roster roster.csv --salt S --out v --q3-lrs 0.5,1 --q1b-rates 0.2,0.5
""",
)
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV with a header and an id column (id, student_id, SIS User ID or username).",
)
@click.option("--salt", required=True, help="The course's secret: each seed is a hash of (salt, assignment, id).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The variants folder: DIR/<id>/problem.md, sheet.toml, key.json; index.csv; problems.pdf.",
)
@click.option("--id-column", help="The roster's id column, when it is none of the usual names.")
@lang_option("The problem sheets (problem.md, problems.pdf)")
@click.option(
    "--format",
    "documents",
    default="md,pdf",
    show_default=True,
    help="md: each student's problem.md; pdf: problems.pdf, a page per student (needs TeX).",
)
@click.option(
    "--q1b-range",
    type=FloatList(),
    default="-6,6",
    show_default=True,
    help="Q1(b)'s vector: values on a 0.25 grid in LOW,HIGH, never 0.",
)
@click.option("--q1b-rates", default="0.2,0.25,0.4,0.5", show_default=True, help="Q1(b)'s dropout rates p.")
@click.option(
    "--q3-weight-range",
    type=FloatList(),
    default="-0.9,0.9",
    show_default=True,
    help="Q3's weights: one-decimal values in LOW,HIGH, never 0.",
)
@click.option("--q3-lrs", type=FloatList(), default="0.1,0.5,1", show_default=True, help="Q3's learning rates.")
def variants(
    roster_path: Path,
    salt: str,
    out: Path,
    id_column: str | None,
    lang: str,
    documents: str,
    q1b_range: tuple[float, ...],
    q1b_rates: str,
    q3_weight_range: tuple[float, ...],
    q3_lrs: tuple[float, ...],
) -> None:
    """A variant of Q1(b) and Q3 for every student, with a verified key, a blank sheet and a printable PDF.

    Each student's seed is a hash of (salt, assignment, id): reordering or
    extending the roster changes nobody's variant, and a rerun gives
    byte-identical keys (students whose key is unchanged are skipped). Every
    key is solved from the SymPy derivation `hwsolve q3` uses and cross-checked
    by torch autograd; a variant whose check fails is an error, never a key.
    A draw whose mistakes could not be told apart (two misconceptions within
    3 significant figures of each other on an answer) is redrawn.
    """
    use_language(lang)
    from hwsolve.course.files import make_variants
    from hwsolve.course.roster import read_roster
    from hwsolve.course.seeds import variant_seed
    from hwsolve.io import ensure_writable

    chosen = _documents(documents)
    ranges = _ranges(q1b_range, q1b_rates, q3_weight_range, q3_lrs)
    try:
        variant_seed(salt.strip(), "hw2", "check")  # spaces alone are no secret either
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--salt") from None
    if id_column is not None and not id_column.strip():
        raise click.BadParameter("give the column's name", param_hint="--id-column")
    roster = read_roster(roster_path, id_column)
    ensure_writable(out)
    made = make_variants(roster, salt, ranges)
    written, pdf_line = _write(out, made, chosen, roster)
    worst = max(key.max_abs_diff for key in made.keys)
    click.echo(
        f"{len(made.keys)} variants in {out}: {written} written, {len(made.keys) - written} unchanged; "
        f"{made.redraws} draws redrawn as not separable; every key verified (SymPy vs torch autograd, "
        f"largest difference {worst:.2g})"
    )
    if pdf_line:
        click.echo(pdf_line, err=pdf_line.startswith("problems.pdf "))
