"""`hwsolve report`: the whole solution as Markdown, LaTeX and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hwsolve.cli.common import Command, digits_option, lang_option, seed_option, use_language
from hwsolve.cli.progress import click_progress
from hwsolve.errors import HwsolveError
from hwsolve.problem.q4 import HOMEWORK_EPOCHS
from hwsolve.render.options import QUICK_EPOCHS

if TYPE_CHECKING:
    from hwsolve.render.report import Report

REPORT_FORMATS = ("md", "tex", "pdf")


def parse_formats(values: tuple[str, ...]) -> tuple[str, ...]:
    """--format md --format pdf, or --format md,pdf; none given means all three.

    The caller tells the two apart with `values` itself: without TeX, the
    default skips the PDF (one line), an explicit pdf is an error.
    """
    chosen: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in REPORT_FORMATS:
                raise click.BadParameter(
                    f"{item.strip()!r} is not one of {', '.join(REPORT_FORMATS)}", param_hint="--format"
                )
            if name not in chosen:
                chosen.append(name)
    if values and not chosen:
        raise click.BadParameter("expected md, tex or pdf", param_hint="--format")
    return tuple(chosen) or REPORT_FORMATS


@click.command(
    "report",
    cls=Command,
    epilog="Examples:\n\n  hwsolve report                      # build/report.md, .tex and .pdf\n\n"
    f"  hwsolve report --format md --quick  # Markdown only, {QUICK_EPOCHS}-epoch Q4 sweep\n\n"
    "  HWSOLVE_DATA=~/mnist hwsolve report --out out/\n\n"
    "  hwsolve report --lang fa             # build/report.fa.md, .tex and .pdf (XeLaTeX), in Persian",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="md|tex|pdf",
    help="Output format; repeat it or separate with commas. Default: all three (pdf implies tex); "
    "without latexmk/pdflatex the default writes md and tex and says the PDF was skipped, "
    "while an explicit pdf is an error.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder for report.* and figures/.  [default: build/]",
)
@click.option("--title", default=None, help='Document title.  [default: "Deep Learning — Homework 2"]')
@click.option(
    "--epochs",
    type=click.IntRange(1, 1000),
    default=None,
    help=f"Q4 epochs. Finished results with this many epochs are reused; a sweep of other than {HOMEWORK_EPOCHS} "
    f"epochs is trained into OUT/q4/epochs-E/, never over the full run.  [default: {HOMEWORK_EPOCHS}]",
)
@click.option("--quick", is_flag=True, help=f"Q4: a {QUICK_EPOCHS}-epoch sweep, for a fast look; the report says so.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the MNIST files (else HWSOLVE_DATA, the user cache, ./data).",
)
@digits_option()
@seed_option()
@lang_option("The report")
def report(
    formats: tuple[str, ...],
    out_dir: Path | None,
    title: str | None,
    epochs: int | None,
    quick: bool,
    data_dir: Path | None,
    digits: int,
    seed: int,
    lang: str,
) -> None:
    """Write the whole solution of Deep Learning HW2 as one document.

    Every question is solved with the same functions as the q1-q4 commands,
    its figures drawn under OUT/figures/, and the submitted solution audited
    against it. Q4 reuses OUT/q4/<mode>/results.json (as `hwsolve q4` writes
    it) when it holds the requested epochs, and trains the sweep otherwise.
    Without MNIST the other questions still render; Q4 says how to provide
    the data and the command warns (exit 0).

    --lang fa writes it in Persian (right to left; math, code and tables left
    to right): OUT/report.fa.md, .tex, .pdf (XeLaTeX, the Nazli font of
    fonts-farsiweb) and OUT/figures/fa/, from the same caches as English.
    """
    use_language(lang)
    from hwsolve.io import default_build_dir
    from hwsolve.render.options import ReportOptions
    from hwsolve.render.report import build_report

    chosen = parse_formats(formats)
    if quick and epochs is not None:
        raise click.BadParameter(
            f"--quick already means {QUICK_EPOCHS} epochs; give --quick or --epochs, not both", param_hint="--epochs"
        )
    if title is not None and not title.strip():
        raise click.BadParameter("the title is empty", param_hint="--title")
    options = ReportOptions(
        out_dir=Path(out_dir) if out_dir is not None else default_build_dir(),
        title=title,
        digits=digits,
        epochs=QUICK_EPOCHS if quick else epochs,
        quick=quick,
        data_dir=data_dir,
        seed=seed,
        sweep_progress=click_progress,
        lang=lang.lower(),
    )
    chosen, skipped_pdf = _formats_we_can_build(chosen, explicit=bool(formats), engine=options.latex_engine)
    if "pdf" in chosen and title is not None and options.latex_engine == "pdflatex":
        _check_title_settable(title)  # XeLaTeX sets any script its fonts have
    from hwsolve.io import ensure_writable

    ensure_writable(options.out_dir)  # before solving and training, not at the first write after them
    result = build_report(options, progress=lambda line: click.echo(line, err=True))
    for path in _write(result, chosen):
        click.echo(f"wrote {path}")
    if skipped_pdf:
        click.echo(skipped_pdf, err=True)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)


def _formats_we_can_build(chosen: tuple[str, ...], explicit: bool, engine: str) -> tuple[tuple[str, ...], str]:
    """The formats to write, and the line saying the PDF was skipped (empty if it was not).

    Without TeX an explicit pdf is an error, raised before the slow work rather
    than after it; the default formats leave the PDF out and say so.
    """
    if "pdf" not in chosen:
        return chosen, ""
    missing = _missing_latex_message(engine)
    if not missing:
        return chosen, ""
    if explicit:
        raise HwsolveError(missing)
    return tuple(name for name in chosen if name != "pdf"), f"PDF skipped: {missing}"


def _write(result: Report, chosen: tuple[str, ...]) -> list[Path]:
    """Write the chosen formats (pdf implies tex) and return their paths."""
    from hwsolve.render.report import write_report

    written = []
    if "md" in chosen:
        written.append(write_report(result, "md"))
    if "tex" in chosen or "pdf" in chosen:
        written.append(write_report(result, "tex"))
    if "pdf" in chosen:
        from hwsolve.render.pdf import build_pdf

        options = result.options
        written.append(build_pdf(options.out_dir / f"{options.stem}.tex", engine=options.latex_engine))
    return written


def _check_title_settable(title: str) -> None:
    """pdflatex stops on Persian, CJK or emoji: refuse such a title before any work (md and tex alone may keep it)."""
    from hwsolve.render.latex_escape import unsettable_characters

    bad = unsettable_characters(title)
    if bad:
        shown = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in bad[:5])
        raise click.BadParameter(
            f"the PDF cannot print {shown}; use Latin letters, or --format md,tex for this title", param_hint="--title"
        )


def _missing_latex_message(engine: str) -> str:
    """One line naming what the PDF lacks and the Debian packages that bring it; empty when TeX is there."""
    from hwsolve.render.pdf import latex_missing_message, missing_latex_tools

    missing = missing_latex_tools(engine)
    return latex_missing_message(missing, engine) if missing else ""
