"""The report's closing note: how to get this report again, and what it depended on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hwsolve.render.options import ReportOptions
from hwsolve.render.questions.hook import SolvedQuestion


@dataclass(frozen=True)
class Reproducibility:
    version: str
    command: str  # the report's own command line, in Markdown backticks' content
    facts: list[str]  # seeds and epochs, one sentence per question (or Q4 mode)
    notes: list[tuple[int, str]]  # (question, line) from each question's reproducibility_notes()


def reproducibility(
    solved: Sequence[tuple[int, SolvedQuestion]], options: ReportOptions, version: str
) -> Reproducibility:
    """The note for the solved questions, given as (question number, what the report shows of it)."""
    facts: list[str] = []
    notes: list[tuple[int, str]] = []
    for number, question in solved:
        facts.extend(question.seed_facts())
        notes.extend((number, line) for line in dict.fromkeys(question.reproducibility_notes()))
    return Reproducibility(version, report_command(options), facts, notes)


def report_command(options: ReportOptions) -> str:
    words = ["hwsolve", "report", "--out", str(options.out_dir)]
    if options.quick:
        words.append("--quick")
    elif options.epochs is not None:
        words += ["--epochs", str(options.epochs)]
    if options.lang != "en":
        words += ["--lang", options.lang]
    if options.seed:
        words += ["--seed", str(options.seed)]
    if options.title:
        words += ["--title", "..."]
    return " ".join(words)
