"""The submitted solution's numbers, transcribed as data.

Source: ../shared/homework/hw2-submitted-solution.fa.md (in Persian). Each
value is kept as the exact text the student wrote, because the text carries
its precision: "0.24" was shown to 2 decimals, "0.055348069877435735" in full.
compare.py derives the tolerance from that text; nothing here is a verdict.

`kind` says how a value was presented:
- "full":    written at full precision (or an exact decimal such as 0.755);
             compared with a relative tolerance.
- "rounded": visibly rounded to the decimals shown; compared by whether our
             value rounds to the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsolve.problem.q2 import SUBMITTED_ANSWERS

FULL = "full"
ROUNDED = "rounded"


def decimals_of(shown: str) -> int:
    """The number of decimals written after the point in `shown` (0 if none)."""
    return len(shown.split(".")[1]) if "." in shown else 0


@dataclass(frozen=True)
class SubmittedValue:
    key: str  # what it is, in hwsolve's naming (e.g. "y3", "grad:w35")
    shown: str  # exactly as written in the submission
    kind: str  # FULL or ROUNDED
    where: str  # where in the submission it appears

    @property
    def value(self) -> float:
        return float(self.shown)

    @property
    def decimals(self) -> int:
        return decimals_of(self.shown)


@dataclass(frozen=True)
class SubmittedVector:
    key: str
    shown: tuple[str, ...]
    kind: str
    where: str

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(float(item) for item in self.shown)


# Q1b: "the output will be [-9, 0, 6, 0, 3]" (p = 0.5), then the class's rate
# p = 0.4 gives [-7.5, 0, 5, 0, 2.5]; at test time the input is unchanged.
Q1B_OUTPUTS: tuple[SubmittedVector, ...] = (
    SubmittedVector("train:0.5", ("-9", "0", "6", "0", "3"), FULL, "Q1(b), training output, p = 0.5"),
    SubmittedVector("train:0.4", ("-7.5", "0", "5", "0", "2.5"), FULL, "Q1(b), training output, p = 0.4"),
    SubmittedVector("test", ("-4.5", "-0.75", "3", "6", "1.5"), FULL, "Q1(b), test output"),
)

# Q3(a): the forward pass, as the right-hand sides of the displayed equations.
Q3_FORWARD: tuple[SubmittedValue, ...] = (
    SubmittedValue("H3", "0.755", FULL, "Q3(a), H3 = x1 w13 + x2 w23"),
    SubmittedValue("H4", "0.68", FULL, "Q3(a), H4 = x1 w14 + x2 w24"),
    SubmittedValue("y3", "0.6802671966986485", FULL, "Q3(a), y3 = sigma(H3)"),
    SubmittedValue("y4", "0.6637386974043528", FULL, "Q3(a), y4 = sigma(H4)"),
    SubmittedValue("O5", "0.801444986673512", FULL, "Q3(a), O5 = y3 w35 + y4 w45"),
    SubmittedValue("y5", "0.6902834929076443", FULL, "Q3(a), y5 = sigma(O5)"),
)

# Q3(a) writes O5 = 0.68 x 0.3 + 0.66 x 0.9 = 0.801444986673512: the factors
# y3 and y4 are shown rounded to 2 decimals, the result is not.
Q3_O5_SUBSTITUTION: dict[str, SubmittedValue] = {
    "y3": SubmittedValue("y3", "0.68", ROUNDED, "Q3(a), factor y3 in the O5 substitution"),
    "y4": SubmittedValue("y4", "0.66", ROUNDED, "Q3(a), factor y4 in the O5 substitution"),
}
Q3_O5_SUBSTITUTION_WEIGHTS: dict[str, str] = {"y3": "w35", "y4": "w45"}

# Q3(b): the six gradients, printed by Python at full precision.
Q3_GRADIENTS: tuple[SubmittedValue, ...] = (
    SubmittedValue("grad:w35", "0.055348069877435735", FULL, "Q3(b), dLoss/dw35"),
    SubmittedValue("grad:w45", "0.05400327398201483", FULL, "Q3(b), dLoss/dw45"),
    SubmittedValue("grad:w13", "0.0018581423216193194", FULL, "Q3(b), dLoss/dw13"),
    SubmittedValue("grad:w23", "0.004778080255592536", FULL, "Q3(b), dLoss/dw23"),
    SubmittedValue("grad:w14", "0.005720151544890908", FULL, "Q3(b), dLoss/dw14"),
    SubmittedValue("grad:w24", "0.014708961115433766", FULL, "Q3(b), dLoss/dw24"),
)

# Q3(b): the updated weights at learning rate 1, shown to 2 decimals.
Q3_UPDATED: tuple[SubmittedValue, ...] = (
    SubmittedValue("updated:w35", "0.24", ROUNDED, "Q3(b), updated w35"),
    SubmittedValue("updated:w45", "0.84", ROUNDED, "Q3(b), updated w45"),
    SubmittedValue("updated:w13", "0.09", ROUNDED, "Q3(b), updated w13"),
    SubmittedValue("updated:w23", "0.79", ROUNDED, "Q3(b), updated w23"),
    SubmittedValue("updated:w14", "0.39", ROUNDED, "Q3(b), updated w14"),
    SubmittedValue("updated:w24", "0.58", ROUNDED, "Q3(b), updated w24"),
)

# Q2: every answer is "نادرست" (false), each followed by a justification.
# The statements themselves are not in the submission (hwsolve reconstructs them).
Q2_ANSWERS: dict[str, bool] = dict(SUBMITTED_ANSWERS)
