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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Mapping, Sequence

from hwsolve.audit import submitted as sub
from hwsolve.audit.submitted import FULL, SubmittedValue, SubmittedVector, decimals_of
from hwsolve.render.numbers import format_number

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE_NEAR_ZERO = 1e-12
FULL_TOLERANCE_TEXT = "relative 1e-9"


@dataclass(frozen=True)
class AuditRow:
    """One submitted value beside ours, with the verdict and why."""

    question: str
    quantity: str
    submitted: str  # exactly as written in the submission
    computed: float | tuple[float, ...] | None
    tolerance: str  # the rule the verdict used, in words
    agrees: bool
    note: str = ""  # computed diagnosis, e.g. "truncated, not rounded"
    computed_display: str = ""  # ours as a word, when it is not a number (Q2's true/false)

    @property
    def verdict(self) -> str:
        return "agrees" if self.agrees else "differs"

    @property
    def computed_text(self) -> str:
        """Ours, shown at the precision that makes the comparison visible.

        Full-precision comparisons show 15 significant digits (float64 noise such as 0.6799999999999999 stays out of sight);
        rounded ones show 6 significant digits, enough to see the rounding.
        """
        if self.computed_display:
            return self.computed_display
        if self.computed is None:
            return "n/a"
        if isinstance(self.computed, tuple):
            return "[" + ", ".join(format_number(value, 6) for value in self.computed) + "]"
        if self.tolerance == FULL_TOLERANCE_TEXT:
            return format_number(self.computed, 15)
        return format_number(self.computed, 6)


@dataclass(frozen=True)
class CodeDifference:
    """A place where the submitted Q4 code differs from the corrected run."""

    topic: str
    homework: str  # what the submitted code does
    corrected: str  # what hwsolve's corrected mode does instead
    why: str = ""
    effect: str = ""  # the measured effect, in words with numbers

    def segments(self, name: str) -> list[tuple[bool, str]]:
        """A field split at Markdown backticks: (is_code, text) pieces, so LaTeX can set code in \\texttt."""
        pieces = getattr(self, name).split("`")
        return [(index % 2 == 1, piece) for index, piece in enumerate(pieces) if piece]


@dataclass
class AuditSection:
    title: str
    rows: list[AuditRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = ""  # set when our side is not available, e.g. "Q4: no MNIST"


@dataclass
class Audit:
    sections: list[AuditSection] = field(default_factory=list)
    code_differences: list[CodeDifference] = field(default_factory=list)

    @property
    def rows(self) -> list[AuditRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def differing(self) -> list[AuditRow]:
        return [row for row in self.rows if not row.agrees]


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


def compare_value(question: str, quantity: str, submitted: SubmittedValue, computed: float) -> AuditRow:
    if submitted.kind == FULL:
        agrees = agrees_full(submitted.value, computed)
        note = "" if agrees else f"relative difference {abs(submitted.value - computed) / max(abs(computed), 1e-300):.2g}"
        return AuditRow(question, quantity, submitted.shown, computed, FULL_TOLERANCE_TEXT, agrees, note)
    decimals = submitted.decimals
    tolerance = f"rounds to {decimals} decimal{'s' if decimals != 1 else ''}"
    agrees = agrees_rounded(submitted.shown, computed)
    note = ""
    if not agrees:
        rounded = round_to(computed, decimals)
        note = f"ours rounds to {rounded}"
        if Decimal(round_to(computed, decimals, ROUND_DOWN)) == Decimal(submitted.shown):
            note += f"; {submitted.shown} is ours truncated, not rounded"
    return AuditRow(question, quantity, submitted.shown, computed, tolerance, agrees, note)


def compare_vector(question: str, quantity: str, submitted: SubmittedVector, computed: Sequence[float]) -> AuditRow:
    computed = tuple(float(item) for item in computed)
    shown = "[" + ", ".join(submitted.shown) + "]"
    if len(computed) != len(submitted.values):
        return AuditRow(question, quantity, shown, computed, FULL_TOLERANCE_TEXT, False, f"length {len(submitted.values)} vs {len(computed)}")
    agrees = all(agrees_full(a, b) for a, b in zip(submitted.values, computed))
    worst = max((abs(a - b) for a, b in zip(submitted.values, computed)), default=0.0)
    note = "" if agrees else f"largest difference {worst:.3g}"
    return AuditRow(question, quantity, shown, computed, "each entry " + FULL_TOLERANCE_TEXT, agrees, note)


_Q1B_LABELS = {"train:0.5": "training output, p = 0.5", "train:0.4": "training output, p = 0.4", "test": "test output"}


def audit_q1b(computed: Mapping[str, Sequence[float]]) -> AuditSection:
    """`computed` maps "train:<p>" and "test" to our dropout outputs."""
    section = AuditSection("Q1(b): inverted dropout")
    for vector in sub.Q1B_OUTPUTS:
        if vector.key in computed:
            section.rows.append(compare_vector("Q1(b)", _Q1B_LABELS[vector.key], vector, computed[vector.key]))
        else:
            section.notes.append(f"{_Q1B_LABELS[vector.key]}: hwsolve did not compute it, so it is not compared.")
    return section


def _gradient_label(key: str) -> str:
    return "dL/d" + key.split(":", 1)[1]


def audit_q3(computed: Mapping[str, float]) -> AuditSection:
    """`computed` maps H3..y5, grad:wIJ, updated:wIJ and the given weights wIJ to floats."""
    section = AuditSection("Q3: one step of backpropagation")
    for value in sub.Q3_FORWARD:
        section.rows.append(compare_value("Q3(a)", value.key, value, computed[value.key]))
    for factor, shown in sub.Q3_O5_SUBSTITUTION.items():
        section.rows.append(compare_value("Q3(a)", f"{factor} as substituted into O5", shown, computed[factor]))
    section.rows.append(_o5_substitution_consistency(computed))
    for value in sub.Q3_GRADIENTS:
        section.rows.append(compare_value("Q3(b)", _gradient_label(value.key), value, computed[value.key]))
    for value in sub.Q3_UPDATED:
        weight = value.key.split(":", 1)[1]
        section.rows.append(compare_value("Q3(b)", f"{weight} after one step", value, computed[value.key]))
    return section


def _o5_substitution_consistency(computed: Mapping[str, float]) -> AuditRow:
    """Does the submission's displayed substitution evaluate to its displayed O5?

    It writes O5 = 0.68 x 0.3 + 0.66 x 0.9 = 0.801444986673512: the rounded
    factors times the given weights, evaluated here, against its own result.
    """
    terms = [(shown, computed[sub.Q3_O5_SUBSTITUTION_WEIGHTS[name]]) for name, shown in sub.Q3_O5_SUBSTITUTION.items()]
    evaluated = sum(shown.value * weight for shown, weight in terms)
    stated = next(value for value in sub.Q3_FORWARD if value.key == "O5")
    displayed = " + ".join(f"{shown.shown} x {weight:g}" for shown, weight in terms)
    agrees = agrees_full(evaluated, stated.value)
    note = (
        f"{displayed} evaluates to {evaluated:.6g}; the stated result {stated.shown} uses unrounded y3 and y4"
        if not agrees
        else f"{displayed} evaluates to the stated result"
    )
    return AuditRow("Q3(a)", "O5 from its displayed substitution", stated.shown, evaluated, FULL_TOLERANCE_TEXT, agrees, note)


def audit_q2(computed: Mapping[str, bool], statements: Mapping[str, str] | None = None) -> AuditSection:
    """`computed` maps a statement's label to the truth value hwsolve's experiment supports."""
    section = AuditSection("Q2: true or false on regularisation")
    for label, submitted_answer in sub.Q2_ANSWERS.items():
        if label not in computed:
            section.notes.append(f"({label}): hwsolve did not judge it, so it is not compared.")
            continue
        ours = bool(computed[label])
        section.rows.append(AuditRow("Q2", f"({label}) true or false", _truth(submitted_answer), None, "same truth value",
                                     ours == submitted_answer, computed_display=_truth(ours)))
    if statements:
        section.notes.extend(f"({label}) as reconstructed: {text}" for label, text in statements.items())
    return section


def _truth(value: bool) -> str:
    return "true" if value else "false"
