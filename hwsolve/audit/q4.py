"""Audit of Q4: the submitted table and code against hwsolve's runs.

The submission names the configurations that reached test error < 0.1 and
prints no numbers (hwsolve/audit/submitted_q4.py), so each configuration is
compared by which side of 0.1 its test error falls on, in homework mode (the
submitted code reproduced). The code differences come from the Q4 solution's
own list, with the effect measured between the two modes.
"""

from __future__ import annotations

from typing import Any

from hwsolve.audit.compare import AuditRow, AuditSection, CodeDifference
from hwsolve.audit.submitted_q4 import SUBMITTED_BELOW_THRESHOLD, SUBMITTED_THRESHOLD, below


def audit_q4_table(homework_configs: list[dict], epochs: int) -> AuditSection:
    """One row per configuration: the submitted "< 0.1" membership against our homework-mode error."""
    section = AuditSection(f"Q4: the submitted table against homework mode ({epochs} epochs)")
    rule = f"same side of {SUBMITTED_THRESHOLD:g}"
    for entry in homework_configs:
        submitted_below = entry["name"] in SUBMITTED_BELOW_THRESHOLD
        error = entry.get("test_error")
        ours_below = below(error)
        note = ""
        if ours_below != submitted_below:
            note = (f"test error {_pct(error)} is {'below' if ours_below else 'not below'} {SUBMITTED_THRESHOLD:g}; "
                    f"the submission {'lists' if submitted_below else 'does not list'} it")
        section.rows.append(AuditRow("Q4", entry["name"], f"< {SUBMITTED_THRESHOLD:g}" if submitted_below else f">= {SUBMITTED_THRESHOLD:g}",
                                     error, rule, ours_below == submitted_below, note,
                                     computed_display=_pct(error)))
    # SOURCE quotes the Persian heading, which pdflatex cannot typeset; name the place in English.
    section.notes.append(f"Submitted: the table of combinations with test error below {SUBMITTED_THRESHOLD:g} in Q4 of "
                         f"hw2-submitted-solution.fa.md. It prints no test-error values, so only the side of "
                         f"{SUBMITTED_THRESHOLD:g} is compared.")
    return section


def _pct(value: float | None) -> str:
    return "NaN" if value is None or value != value else f"{100 * value:.2f}%"


def audit_q4(modes: Any) -> tuple[AuditSection, list[CodeDifference]]:
    """`modes` is the report's Q4Modes (homework and corrected Q4Solutions)."""
    from hwsolve.render.report_q4 import effect_of

    homework, corrected = modes.homework.configs, modes.corrected.configs
    section = audit_q4_table(homework, modes.homework.epochs)
    differences = [
        CodeDifference(
            topic=item.get("what", ""),
            homework=item.get("homework", ""),
            corrected=item.get("corrected", ""),
            why=item.get("why", ""),
            effect=effect_of(item, homework, corrected),
        )
        for item in modes.homework.differences
    ]
    return section, differences
