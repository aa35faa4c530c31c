"""Verdicts on the submitted solution, computed by comparison, never by hand.

Two tolerances, chosen by how the submission presented a value:
- full precision: |submitted - ours| <= 1e-9 * max(|submitted|, |ours|)
  (and 1e-12 absolute near zero);
- rounded to d decimals: ours must lie within half a unit of the last shown
  decimal, i.e. it rounds to the same text. When it does not, we also check
  whether the shown text is ours *truncated* to d decimals, a common slip.

The computed side is passed in as plain mappings (quantity -> float), so the
same functions audit our Solution objects in the report and independent
closed-form values in the tests.

Every string meant for the report (label, cells, rule, note) is display
markup: text with `code` and $math$ spans (hwsolve.audit.markup), so Markdown
and LaTeX show the same mathematics. `quantity` stays a plain key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from hwsolve.audit import markup
from hwsolve.audit import submitted as sub
from hwsolve.audit.submitted import FULL, SubmittedValue, SubmittedVector, decimals_of
from hwsolve.numbers import format_number, format_number_latex

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE_NEAR_ZERO = 1e-12
FULL_TOLERANCE_TEXT = "relative 1e-9"  # the rule's key; FULL_TOLERANCE_MARKUP is how it is shown
FULL_TOLERANCE_MARKUP = f"relative {markup.math(format_number_latex(RELATIVE_TOLERANCE))}"
# One rule of significant figures for every number hwsolve shows in a comparison table:
# enough to see both a full-precision match and a rounding, float64 noise out of sight.
COMPUTED_DIGITS = 15


@dataclass(frozen=True)
class AuditRow:
    """One submitted value beside ours, with the verdict and why."""

    question: str
    quantity: str  # a plain key, e.g. "dL/dw35" (what tests and summaries look rows up by)
    submitted: str  # exactly as written in the submission
    computed: float | tuple[float, ...] | None
    tolerance: str  # the rule the verdict used, as display markup
    agrees: bool
    note: str = ""  # computed diagnosis as display markup, e.g. "ours rounds to $0.85$; ..."
    computed_display: str = ""  # ours as display markup, when it is not a plain number (Q2's true/false, Q4's error)
    label: str = ""  # the quantity as display markup, e.g. "$\partial L/\partial w_{35}$"; default: quantity
    submitted_display: str = ""  # the submitted text as display markup; default: $shown$ for a number

    @property
    def verdict(self) -> str:
        return "agrees" if self.agrees else "differs"

    @property
    def label_text(self) -> str:
        return self.label or self.quantity

    @property
    def submitted_text(self) -> str:
        """The submitted text as it was written, set as math when it is a number or a vector of numbers."""
        if self.submitted_display:
            return self.submitted_display
        return markup.math(_math_vector(self.submitted)) if _is_numeric(self.submitted) else self.submitted

    @property
    def computed_text(self) -> str:
        """Ours, one rule per column: 15 significant figures (zeros kept) for numbers; vectors exact."""
        if self.computed_display:
            return self.computed_display
        if self.computed is None:
            return "n/a"
        if isinstance(self.computed, tuple):
            return markup.math(_math_vector("[" + ", ".join(format_number(value, 6) for value in self.computed) + "]"))
        return markup.math(format_number_latex(self.computed, COMPUTED_DIGITS, keep_zeros=True))


def _is_numeric(text: str) -> bool:
    try:
        [float(item) for item in text.strip("[]").split(",")]
    except ValueError:
        return False
    return True


def _math_vector(text: str) -> str:
    """'[-9, 0, 6]' as math with visible spaces ('\\ ' survives both GitHub and LaTeX)."""
    return text.replace(", ", r",\ ")


@dataclass(frozen=True)
class CodeDifference:
    """A place where the submitted Q4 code differs from the corrected run (listed in full by Question 4)."""

    topic: str
    homework: str  # what the submitted code does
    corrected: str  # what hwsolve's corrected mode does instead
    why: str = ""


@dataclass
class AuditSection:
    title: str
    rows: list[AuditRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # display markup
    missing: str = ""  # set when our side is not available, e.g. "Q4: no MNIST"
    counted: bool = True  # False: the rows are shown but left out of the agreement count
    not_counted_reason: str = ""  # why, shown beside the rows
    align: str = "l"  # LaTeX alignment of the value columns: "r" for numbers with a fixed number of decimals
    label_width: float = (
        0.22  # LaTeX: the quantity column's share of the line (it wraps); the others take their natural width
    )


@dataclass
class Audit:
    sections: list[AuditSection] = field(default_factory=list)
    code_differences: list[CodeDifference] = field(default_factory=list)

    @property
    def rows(self) -> list[AuditRow]:
        """Every row shown, counted or not."""
        return [row for section in self.sections for row in section.rows]

    @property
    def compared(self) -> list[AuditRow]:
        """The rows the agreement count is made of (Q2's reconstructed statements are not among them)."""
        return [row for section in self.sections if section.counted for row in section.rows]

    @property
    def differing(self) -> list[AuditRow]:
        return [row for row in self.compared if not row.agrees]

    @property
    def uncounted(self) -> list[AuditSection]:
        return [section for section in self.sections if not section.counted and section.rows]


def agrees_full(submitted: float, computed: float) -> bool:
    return math.isclose(submitted, computed, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE_NEAR_ZERO)


def round_to(value: float, decimals: int, rounding: str = ROUND_HALF_EVEN) -> str:
    """repr-exact decimal rounding of a float, as text with `decimals` places."""
    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=rounding))


def agrees_rounded(shown: str, computed: float) -> bool:
    """True when `computed` lies within half a unit of the last decimal of `shown`."""
    decimals = decimals_of(shown)
    half_unit = Decimal(5).scaleb(-decimals - 1)
    return abs(Decimal(repr(float(computed))) - Decimal(shown)) <= half_unit


def compare_value(
    question: str, quantity: str, submitted: SubmittedValue, computed: float, label: str = ""
) -> AuditRow:
    if submitted.kind == FULL:
        agrees = agrees_full(submitted.value, computed)
        difference = abs(submitted.value - computed) / max(abs(computed), 1e-300)
        note = "" if agrees else f"relative difference {markup.math(format_number_latex(difference, 2))}"
        return AuditRow(question, quantity, submitted.shown, computed, FULL_TOLERANCE_MARKUP, agrees, note, label=label)
    decimals = submitted.decimals
    tolerance = f"rounds to {decimals} decimal{'s' if decimals != 1 else ''}"
    agrees = agrees_rounded(submitted.shown, computed)
    note = ""
    if not agrees:
        rounded = round_to(computed, decimals)
        note = f"ours rounds to {markup.math(rounded)}"
        if Decimal(round_to(computed, decimals, ROUND_DOWN)) == Decimal(submitted.shown):
            note += f"; {markup.math(submitted.shown)} is ours truncated, not rounded"
    return AuditRow(question, quantity, submitted.shown, computed, tolerance, agrees, note, label=label)


def compare_vector(
    question: str, quantity: str, submitted: SubmittedVector, computed: Sequence[float], label: str = ""
) -> AuditRow:
    computed = tuple(float(item) for item in computed)
    shown = "[" + ", ".join(submitted.shown) + "]"
    rule = FULL_TOLERANCE_MARKUP  # for every entry, as the section's note says
    if len(computed) != len(submitted.values):
        return AuditRow(
            question,
            quantity,
            shown,
            computed,
            rule,
            False,
            f"length {len(submitted.values)} vs {len(computed)}",
            label=label,
        )
    agrees = all(agrees_full(a, b) for a, b in zip(submitted.values, computed))
    worst = max((abs(a - b) for a, b in zip(submitted.values, computed)), default=0.0)
    note = "" if agrees else f"largest difference {markup.math(format_number_latex(worst, 3))}"
    return AuditRow(question, quantity, shown, computed, rule, agrees, note, label=label)


_Q1B_LABELS = {"train:0.5": "training output, p = 0.5", "train:0.4": "training output, p = 0.4", "test": "test output"}
_Q1B_MARKUP = {
    "train:0.5": "training output, $p = 0.5$",
    "train:0.4": "training output, $p = 0.4$",
    "test": "test output",
}


def audit_q1b(computed: Mapping[str, Sequence[float]]) -> AuditSection:
    """`computed` maps "train:<p>" and "test" to our dropout outputs."""
    section = AuditSection("Q1(b): inverted dropout", notes=["Each entry of a vector is compared on its own."])
    for vector in sub.Q1B_OUTPUTS:
        if vector.key in computed:
            section.rows.append(
                compare_vector("Q1(b)", _Q1B_LABELS[vector.key], vector, computed[vector.key], _Q1B_MARKUP[vector.key])
            )
        else:
            section.notes.append(f"{_Q1B_MARKUP[vector.key]}: hwsolve did not compute it, so it is not compared.")
    return section


def _gradient_label(key: str) -> str:
    return "dL/d" + key.split(":", 1)[1]


def _gradient_markup(key: str) -> str:
    return markup.math(rf"\partial L/\partial {markup.symbol(key.split(':', 1)[1])}")


def audit_q3(computed: Mapping[str, float]) -> AuditSection:
    """`computed` maps H3..y5, grad:wIJ, updated:wIJ and the given weights wIJ to floats."""
    section = AuditSection("Q3: one step of backpropagation")
    for value in sub.Q3_FORWARD:
        section.rows.append(
            compare_value("Q3(a)", value.key, value, computed[value.key], markup.math(markup.symbol(value.key)))
        )
    for factor, shown in sub.Q3_O5_SUBSTITUTION.items():
        label = f"{markup.math(markup.symbol(factor))} as substituted into $O_{{5}}$"
        section.rows.append(compare_value("Q3(a)", f"{factor} as substituted into O5", shown, computed[factor], label))
    section.rows.append(_o5_substitution_consistency(computed))
    for value in sub.Q3_GRADIENTS:
        section.rows.append(
            compare_value("Q3(b)", _gradient_label(value.key), value, computed[value.key], _gradient_markup(value.key))
        )
    for value in sub.Q3_UPDATED:
        weight = value.key.split(":", 1)[1]
        label = f"{markup.math(markup.symbol(weight))} after one step"
        section.rows.append(compare_value("Q3(b)", f"{weight} after one step", value, computed[value.key], label))
    return section


def _o5_substitution_consistency(computed: Mapping[str, float]) -> AuditRow:
    """Does the submission's displayed substitution evaluate to its displayed O5?

    It writes O5 = 0.68 x 0.3 + 0.66 x 0.9 = 0.801444986673512: the rounded
    factors times the given weights, evaluated here, against its own result.
    """
    terms = [(shown, computed[sub.Q3_O5_SUBSTITUTION_WEIGHTS[name]]) for name, shown in sub.Q3_O5_SUBSTITUTION.items()]
    evaluated = sum(shown.value * weight for shown, weight in terms)
    stated = next(value for value in sub.Q3_FORWARD if value.key == "O5")
    displayed = markup.math(" + ".join(rf"{shown.shown} \times {format_number(weight)}" for shown, weight in terms))
    factors = " and ".join(markup.math(markup.symbol(name)) for name in sub.Q3_O5_SUBSTITUTION)
    agrees = agrees_full(evaluated, stated.value)
    note = (
        f"{displayed} evaluates to {markup.math(format_number(evaluated, 6))}; the stated result "
        f"{markup.math(stated.shown)} uses the unrounded {factors}"
        if not agrees
        else f"{displayed} evaluates to the stated result"
    )
    return AuditRow(
        "Q3(a)",
        "O5 from its displayed substitution",
        stated.shown,
        evaluated,
        FULL_TOLERANCE_MARKUP,
        agrees,
        note,
        label="$O_{5}$ from its displayed substitution",
    )


def audit_q2(computed: Mapping[str, bool], not_counted_reason: str = "") -> AuditSection:
    """`computed` maps a statement's label to the truth value hwsolve's experiment supports.

    The statements are reconstructed so that the submitted answers are right
    (hwsolve.problem.q2), so the section is shown but never counted.
    """
    from hwsolve.problem.q2 import NOT_COUNTED_REASON

    section = AuditSection(
        "Q2: true or false on regularisation",
        counted=False,
        not_counted_reason=not_counted_reason or NOT_COUNTED_REASON,
    )
    for label, submitted_answer in sub.Q2_ANSWERS.items():
        if label not in computed:
            section.notes.append(f"({label}): hwsolve did not judge it, so it is not compared.")
            continue
        ours = bool(computed[label])
        section.rows.append(
            AuditRow(
                "Q2",
                f"({label}) true or false",
                _truth(submitted_answer),
                None,
                "same truth value",
                ours == submitted_answer,
                computed_display=_truth(ours),
            )
        )
    return section


def _truth(value: bool) -> str:
    return "true" if value else "false"
