"""Verdicts on the submitted solution, computed, never by hand.

Q1(b) and Q3 go through the course grader (hwsolve.audit.graded): the
submission is one more answer sheet, graded against the homework's key with
the default tolerance (ours rounded to the decimals written, at least 2, or
within rel 1e-3), and each number that differs is diagnosed by re-solving
the homework under every misconception: its truncated weights come out as
``truncated``. The O5 substitution line is not a graded number and stays a
note. Q2 compares truth values; Q4 lives in hwsolve.audit.q4.

The computed side is passed in as plain mappings (quantity -> float), so the
same functions audit our Solution objects in the report and independent
closed-form values in the tests.

Every string meant for the report (label, cells, rule, note) is display
markup: text with `code` and $math$ spans (hwsolve.audit.markup), so Markdown
and LaTeX show the same mathematics. `quantity` stays a plain key. The report's
strings are in the active language (hwsolve.i18n): the audit is built for the
report that shows it, and is never saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hwsolve.audit import markup
from hwsolve.audit import submitted as sub
from hwsolve.audit.submitted import decimals_of
from hwsolve.course.grades import UNEXPLAINED, AnswerGrade
from hwsolve.course.misconceptions import TRUNCATED
from hwsolve.i18n import N_, _
from hwsolve.numbers import format_number, format_number_latex

# One rule of significant figures for every number hwsolve shows in a comparison table:
# enough to see both a full-precision match and a rounding, float64 noise out of sight.
COMPUTED_DIGITS = 15

# The sections' titles, in English (translated with _() where a section is made). The templates take the
# question ("Q2") from a title's part before its first ':', so a translation keeps that part.
Q1B_TITLE = N_("Q1(b): inverted dropout")
Q2_TITLE = N_("Q2: true or false on regularisation")
Q3_TITLE = N_("Q3: one step of backpropagation")


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
            return _("n/a")
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


def _tolerance_markup(answer: AnswerGrade) -> str:
    """The grader's default rule as a table cell: the decimals it judged at (as written, at least 2)."""
    text = answer.given_text
    decimals = (
        max((decimals_of(item) for item in text), default=0) if isinstance(text, tuple) else decimals_of(text or "")
    )
    places = max(decimals, 2)
    # The rule is stated once above the table; the cell says at how many decimals it judged this number.
    return _("at {places} decimals").format(places=places)


def _note(answer: AnswerGrade) -> str:
    """Why a number differs, from the grader's diagnosis."""
    if answer.correct:
        return ""
    if answer.diagnosis == TRUNCATED:
        return _("ours rounds to {rounded}; {given} is ours truncated, not rounded").format(
            rounded=markup.math(answer.expected_rounded or ""), given=markup.math(str(answer.given_text))
        )
    if answer.diagnosis == UNEXPLAINED and isinstance(answer.given, float) and isinstance(answer.expected, float):
        difference = abs(answer.given - answer.expected) / max(abs(answer.expected), 1e-300)
        return _("relative difference {difference}; no modelled mistake gives it").format(
            difference=markup.math(format_number_latex(difference, 2))
        )
    return _("diagnosed: {diagnosis}").format(diagnosis=markup.code(str(answer.diagnosis)))


def _row(question: str, quantity: str, label: str, answer: AnswerGrade) -> AuditRow:
    shown = "[" + ", ".join(answer.given_text) + "]" if isinstance(answer.given_text, tuple) else str(answer.given_text)
    return AuditRow(
        question,
        quantity,
        shown,
        answer.expected,
        _tolerance_markup(answer),
        answer.correct,
        _note(answer),
        label=label,
    )


_Q1B_LABELS = {"train:0.5": "training output, p = 0.5", "train:0.4": "training output, p = 0.4", "test": "test output"}
_Q1B_MARKUP = {  # translated with _() where used
    "train:0.5": N_("training output, $p = 0.5$"),
    "train:0.4": N_("training output, $p = 0.4$"),
    "test": N_("test output"),
}
_Q1B_PATHS = {"train:0.5": "q1b.train", "train:0.4": "q1b.train:0.4", "test": "q1b.test"}


def audit_q1b(computed: Mapping[str, Sequence[float]]) -> AuditSection:
    """`computed` maps "train:<p>" and "test" to our dropout outputs; the grader judges the submission."""
    from hwsolve.audit.graded import grade_submission

    section = AuditSection(
        _(Q1B_TITLE),
        notes=[_("Graded as an answer sheet (`hwsolve grade`): each entry of a vector at the decimals written.")],
    )
    graded = grade_submission(None, computed)
    for vector in sub.Q1B_OUTPUTS:
        if vector.key in computed:
            answer = graded[_Q1B_PATHS[vector.key]]
            section.rows.append(_row("Q1(b)", _Q1B_LABELS[vector.key], _(_Q1B_MARKUP[vector.key]), answer))
        else:
            section.notes.append(
                _("{quantity}: hwsolve did not compute it, so it is not compared.").format(
                    quantity=_(_Q1B_MARKUP[vector.key])
                )
            )
    return section


def _gradient_markup(name: str) -> str:
    return markup.math(rf"\partial L/\partial {markup.symbol(name)}")


def audit_q3(computed: Mapping[str, float]) -> AuditSection:
    """`computed` maps H3..y5, grad:wIJ and updated:wIJ to our floats; the grader judges the submission."""
    from hwsolve.audit.graded import grade_submission

    graded = grade_submission(computed, None)
    section = AuditSection(
        _(Q3_TITLE),
        notes=[_("Graded as an answer sheet (`hwsolve grade`): each number at the decimals written.")],
    )
    for value in sub.Q3_FORWARD:
        answer = graded[f"q3.forward.{value.key}"]
        section.rows.append(_row("Q3(a)", value.key, markup.math(markup.symbol(value.key)), answer))
    for value in sub.Q3_GRADIENTS:
        name = value.key.split(":", 1)[1]
        section.rows.append(_row("Q3(b)", f"dL/d{name}", _gradient_markup(name), graded[f"q3.gradients.{name}"]))
    for value in sub.Q3_UPDATED:
        name = value.key.split(":", 1)[1]
        label = _("{weight} after one step").format(weight=markup.math(markup.symbol(name)))
        section.rows.append(_row("Q3(b)", f"{name} after one step", label, graded[f"q3.updated.{name}"]))
    section.notes.append(_o5_substitution_note(computed))
    return section


def _o5_substitution_note(computed: Mapping[str, float]) -> str:
    """The submission's O5 line: not a graded number, so a note, its wording decided by two comparisons.

    It writes O5 = 0.68 x 0.3 + 0.66 x 0.9 = 0.801444986673512: y3 and y4
    rounded to 2 decimals times the given weights, evaluated here, is
    compared with what the rounded_intermediates model gives for O5, and the
    stated result with our unrounded O5.
    """
    from hwsolve.course.keys import q3_given
    from hwsolve.course.misconceptions import q3_answers
    from hwsolve.course.variant import homework_variant

    terms = [(shown, computed[sub.Q3_O5_SUBSTITUTION_WEIGHTS[name]]) for name, shown in sub.Q3_O5_SUBSTITUTION.items()]
    evaluated = sum(shown.value * weight for shown, weight in terms)
    model = float(q3_answers(q3_given([homework_variant()]), "rounded_intermediates")["q3.forward.O5"][0])
    stated = next(value for value in sub.Q3_FORWARD if value.key == "O5")
    displayed = markup.math(" + ".join(rf"{shown.shown} \times {format_number(weight)}" for shown, weight in terms))
    # " and " as the templates' and_list filter says it between two names.
    factors = _(" and ").join(markup.math(markup.symbol(name)) for name in sub.Q3_O5_SUBSTITUTION)
    same_as_model = abs(evaluated - model) <= 1e-12 * max(1.0, abs(model))
    ours = format_number(computed["O5"], 15)
    stated_is_ours = abs(stated.value - computed["O5"]) <= 1e-12 * max(1.0, abs(computed["O5"]))
    # One whole sentence for each outcome of the two comparisons.
    if same_as_model and stated_is_ours:
        text = _(
            "The {o5} line substitutes {factors} rounded to 2 decimals: {displayed} evaluates to {evaluated}, "
            "which is what {model} gives; the stated result {stated} is ours, from the unrounded {factors}. "
            "It is not a graded number, so it is a note, not a row."
        )
    elif same_as_model:
        text = _(
            "The {o5} line substitutes {factors} rounded to 2 decimals: {displayed} evaluates to {evaluated}, "
            "which is what {model} gives; the stated result {stated} is not ours either ({ours}). "
            "It is not a graded number, so it is a note, not a row."
        )
    elif stated_is_ours:
        text = _(
            "The {o5} line substitutes {factors} rounded to 2 decimals: {displayed} evaluates to {evaluated}, "
            "while {model} gives {model_value}; the stated result {stated} is ours, from the unrounded {factors}. "
            "It is not a graded number, so it is a note, not a row."
        )
    else:
        text = _(
            "The {o5} line substitutes {factors} rounded to 2 decimals: {displayed} evaluates to {evaluated}, "
            "while {model} gives {model_value}; the stated result {stated} is not ours either ({ours}). "
            "It is not a graded number, so it is a note, not a row."
        )
    return text.format(
        o5=markup.math("O_{5}"),
        factors=factors,
        displayed=displayed,
        evaluated=markup.math(format_number(evaluated, 6)),
        model=markup.code("rounded_intermediates"),
        model_value=markup.math(format_number(model, 6)),
        stated=markup.math(stated.shown),
        ours=markup.math(ours),
    )


def audit_q2(computed: Mapping[str, bool], not_counted_reason: str = "") -> AuditSection:
    """`computed` maps a statement's label to the truth value hwsolve's experiment supports.

    The statements are reconstructed so that the submitted answers are right
    (hwsolve.problem.q2), so the section is shown but never counted.
    """
    from hwsolve.problem.q2 import NOT_COUNTED_REASON

    section = AuditSection(
        _(Q2_TITLE),
        counted=False,
        not_counted_reason=not_counted_reason or _(NOT_COUNTED_REASON),
    )
    for label, submitted_answer in sub.Q2_ANSWERS.items():
        if label not in computed:
            section.notes.append(_("({label}): hwsolve did not judge it, so it is not compared.").format(label=label))
            continue
        ours = bool(computed[label])
        section.rows.append(
            AuditRow(
                "Q2",
                f"({label}) true or false",
                _truth(submitted_answer),
                None,
                _("same truth value"),
                ours == submitted_answer,
                computed_display=_truth_words(ours),
                label=_("({label}) true or false").format(label=label),
                submitted_display=_truth_words(submitted_answer),
            )
        )
    return section


def _truth(value: bool) -> str:
    """A truth value as the submission's transcription and the row's key have it (English)."""
    return "true" if value else "false"


def _truth_words(value: bool) -> str:
    """A truth value as the report shows it, in the active language."""
    return _("true") if value else _("false")
