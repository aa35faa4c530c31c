"""Our side of the audit, read from the questions' Solution objects.

Each reader turns a Solution into the plain mapping compare.py expects; a
question that is not available contributes a section saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from hwsolve.audit.compare import Q1B_TITLE, Q2_TITLE, Q3_TITLE, Audit, AuditSection, audit_q1b, audit_q2, audit_q3
from hwsolve.i18n import _

if TYPE_CHECKING:
    from hwsolve.solutions.q1 import Q1Solution
    from hwsolve.solutions.q2 import Q2Solution
    from hwsolve.solutions.q3 import Q3Solution


def q3_values(solution: Q3Solution) -> dict[str, float]:
    """H3, y3, ..., grad:w35, updated:w35 and the given weights, from a Q3Solution."""
    values: dict[str, float] = {}
    for neuron in solution.neurons:
        values[neuron.output_text] = neuron.output
        if neuron.net_text is not None and neuron.net_input is not None:  # an input neuron has no net input
            values[neuron.net_text] = neuron.net_input
    values.update(solution.problem.parameters)
    values.update({f"grad:{name}": value for name, value in solution.gradients.items()})
    values.update({f"updated:{name}": value for name, value in solution.updated.items()})
    return values


def q1b_values(solution: Q1Solution) -> dict[str, list[float]] | None:
    """train:<p> and test outputs of Q1(b)'s dropout from a Q1Solution (None when part b was not solved).

    Rates are keyed as written in the submission (0.5, 0.4); the solution
    keys them as given on the command line, so both go through float().
    """
    part = solution.b
    if part is None:
        return None
    values = {f"train:{float(rate):g}": list(outputs) for rate, outputs in part.train.items()}
    values["test"] = list(part.test)
    return values


def build_audit(solutions: Mapping[int, object]) -> Audit:
    """The audit of the solved questions: question number -> its Solution (Q4: the report's Q4Modes)."""
    audit = Audit()
    q1b = q1b_values(cast("Q1Solution", solutions[1])) if 1 in solutions else None
    audit.sections.append(
        audit_q1b(q1b)
        if q1b is not None
        else AuditSection(_(Q1B_TITLE), missing=_("Q1 is not available, so its values are not compared."))
    )
    if 2 in solutions:
        statements = cast("Q2Solution", solutions[2]).statements
        audit.sections.append(audit_q2({s.label: s.answer for s in statements}))
    else:
        audit.sections.append(
            AuditSection(_(Q2_TITLE), missing=_("Q2 is not available, so its answers are not compared."))
        )
    if 3 in solutions and cast("Q3Solution", solutions[3]).is_homework:
        audit.sections.append(audit_q3(q3_values(cast("Q3Solution", solutions[3]))))
    else:
        audit.sections.append(
            AuditSection(
                _(Q3_TITLE),
                missing=_("Q3 for the homework's network is not available, so its values are not compared."),
            )
        )
    if 4 in solutions:
        from hwsolve.audit.q4 import HasHomeworkMode, audit_q4

        section, differences = audit_q4(cast("HasHomeworkMode", solutions[4]))
        audit.sections.append(section)
        audit.code_differences.extend(differences)
    else:
        audit.sections.append(
            AuditSection(
                _("Q4: the MNIST table"),
                missing=_("Q4 is not available (see its section), so the submitted table is not compared."),
            )
        )
    return audit
