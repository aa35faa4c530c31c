"""Audit of Q4: the submitted table against hwsolve's homework-mode runs.

The submission names the configurations that reached test error < 0.1 and
prints no numbers (hwsolve/problem/q4.py), so each configuration is
compared by which side of 0.1 its test error falls on, in homework mode (the
submitted code reproduced). Over several seeds the median decides and the
note says in how many seeds it was below; with one seed, that seed decides.

What this reads from the Q4 side: homework mode's Q4Solution, its findings
(one per configuration over the seeds: median, range, seeds below), epochs,
and differences, which the audit only points to: Question 4 lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hwsolve.audit import markup
from hwsolve.audit.compare import AuditRow, AuditSection, CodeDifference
from hwsolve.i18n import _
from hwsolve.numbers import format_fixed, format_number
from hwsolve.problem.q4 import SUBMITTED_BELOW_THRESHOLD, SUBMITTED_THRESHOLD, below
from hwsolve.solutions.q4 import Q4Solution
from hwsolve.solutions.q4_findings import ConfigFinding


class HasHomeworkMode(Protocol):
    """The report's Q4 solution (render.questions.q4.Q4Modes): the audit reads homework mode only."""

    @property
    def homework(self) -> Q4Solution: ...


ERROR_DECIMALS = 4  # test errors as fractions with 4 decimals, as the Q4 section prints them


def _error(value: float | None) -> str:
    """A test error as display markup: a fraction with 4 decimals, or 'NaN' for a run that diverged."""
    return "NaN" if value is None or value != value else markup.math(format_fixed(value, ERROR_DECIMALS))


def _threshold() -> str:
    return format_number(SUBMITTED_THRESHOLD)


def audit_q4_table(findings: Sequence[ConfigFinding], epochs: int) -> AuditSection:
    """One row per configuration: the submitted "< 0.1" membership against our homework-mode median error."""
    seeds = max((finding.n_seeds for finding in findings), default=1)
    title = (
        _("Q4: the submitted table against homework mode ({epochs} epochs, median of {seeds} seeds)")
        if seeds > 1
        else _("Q4: the submitted table against homework mode ({epochs} epochs)")
    )
    section = AuditSection(title.format(epochs=epochs, seeds=seeds), align="r", label_width=0.36)
    rule = _("same side of {threshold}").format(threshold=markup.math(_threshold()))
    for finding in findings:
        name = finding.name
        submitted_below = name in SUBMITTED_BELOW_THRESHOLD
        error = finding.median
        ours_below = below(error)
        section.rows.append(
            AuditRow(
                "Q4",
                name,
                f"< {_threshold()}" if submitted_below else f">= {_threshold()}",
                error,
                rule,
                ours_below == submitted_below,
                _q4_note(finding, ours_below, submitted_below),
                computed_display=_error(error),
                label=markup.code(name),
                submitted_display=markup.math(("< " if submitted_below else r"\geq ") + _threshold()),
            )
        )
    # SOURCE quotes the Persian heading, which pdflatex cannot typeset; name the place in English.
    section.notes.append(
        _(
            "Submitted: the table of combinations with test error below {threshold} in Q4 of {source}. "
            "It prints no test-error values, so only the side of {threshold} is compared."
        ).format(threshold=markup.math(_threshold()), source=markup.code("hw2-submitted-solution.fa.md"))
    )
    return section


def _q4_note(finding: ConfigFinding, ours_below: bool, submitted_below: bool) -> str:
    """Why a row differs and how the seeds split, each a clause of its own (joined by '; ', the row adds '.')."""
    parts = []
    threshold = markup.math(_threshold())
    if ours_below != submitted_below:
        # The two sides differ, so ours below means the submission does not list it, and the other way round.
        text = (
            _("test error {error} is below {threshold}; the submission does not list it")
            if ours_below
            else _("test error {error} is not below {threshold}; the submission lists it")
        )
        parts.append(text.format(error=_error(finding.median), threshold=threshold))
    n_seeds, seeds_below = finding.n_seeds, finding.seeds_below
    if n_seeds > 1 and 0 < seeds_below < n_seeds:
        parts.append(
            _("below {threshold} in {below} of {seeds} seeds (range {low} to {high})").format(
                threshold=threshold,
                below=seeds_below,
                seeds=n_seeds,
                low=_error(finding.low),
                high=_error(finding.high),
            )
        )
    return "; ".join(parts)


def audit_q4(modes: HasHomeworkMode) -> tuple[AuditSection, list[CodeDifference]]:
    """`modes` is the report's Q4Modes (homework and corrected Q4Solutions).

    The code differences are returned for the audit's pointer to them; the
    table of them, with the measured effects, is Question 4's own.
    """
    homework = modes.homework
    section = audit_q4_table(homework.findings, homework.epochs)
    differences = [
        CodeDifference(said.what, said.homework, said.corrected, said.why)
        for said in (d.translated() for d in homework.differences)
    ]
    return section, differences
