"""What corrected mode changes and why, in words for the report, and what each change measurably did.

One Difference per change between homework and corrected mode (modes.py
holds what each mode does as data; this is the prose that explains it).
Each has an `id`: the code that pairs a difference with the group of runs
it touches (effect_of) keys on it, never on the prose.

The prose is kept in English (the JSON's); Difference.translated() says it
in the active language, for a document (hwsolve.i18n).
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from hwsolve.i18n import N_, _
from hwsolve.problem.q4 import HOMEWORK_EPOCHS
from hwsolve.solutions.q4_findings import ConfigFinding


@dataclass(frozen=True)
class Difference:
    """One change, as a bug or a setting; `code` is code and $...$ inline math in the texts (both typeset)."""

    id: str = field(metadata={"json": False})  # what effect_of keys on; not part of the JSON
    kind: Literal["bug", "setting"]  # bug: the code does not do what it says; setting: a choice corrected mode changes
    what: str
    homework: str
    corrected: str
    why: str
    cite: str  # a reference key (templates/*/references) backing `why`, or ""
    # A text made from a catalog message with {fields}: the message, by the text's name ("homework"), and the
    # fields' values. The other texts are their own messages.
    messages: dict[str, str] = field(default_factory=dict, metadata={"json": False})
    values: dict[str, object] = field(default_factory=dict, metadata={"json": False})

    def translated(self) -> Difference:
        """This difference with its texts in the active language (the same in English)."""

        def said(name: str) -> str:
            if name in self.messages:
                return _(self.messages[name]).format(**self.values)
            text: str = getattr(self, name)
            return _(text)

        return dataclasses.replace(
            self, what=said("what"), homework=said("homework"), corrected=said("corrected"), why=said("why")
        )


_EPOCHS_VALUES: dict[str, object] = {
    "epochs": HOMEWORK_EPOCHS,
    "epochs_minus_1": HOMEWORK_EPOCHS - 1,
    "epochs_minus_11": HOMEWORK_EPOCHS - 11,
}
_EPOCHS_HOMEWORK = N_(
    "inside `def train(epoch):` the loop `for epoch in range(epoch):` rebinds `epoch`: after model $k$ "
    "it holds $E-1-k$, so model $k$ in loop order ($k = 0, \\dots, 11$) trains $E-k$ epochs, "
    "${epochs}, {epochs_minus_1}, \\dots, {epochs_minus_11}$ for $E = {epochs}$"
)

# lr 0.1 and testing the last epoch's weights are the homework's settings, not bugs.
DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        id="epochs_per_model",
        kind="bug",
        what=N_("Epochs per model"),
        homework=_EPOCHS_HOMEWORK.format(**_EPOCHS_VALUES),
        corrected=N_("every model trains $E$ epochs"),
        why=N_("a loop variable must not shadow the epoch count; models are comparable only on equal training"),
        cite="",
        messages={"homework": _EPOCHS_HOMEWORK},
        values=_EPOCHS_VALUES,
    ),
    Difference(
        id="nll_input",
        kind="bug",
        what=N_("NLLLoss input"),
        homework=N_(
            "`nn.NLLLoss()` gets the raw logits $z$, so the loss is $-\\frac{1}{B}\\sum_{i} z_{i, y_i}$, "
            "unbounded below"
        ),
        corrected=N_("`nn.NLLLoss()` gets `log_softmax(z)`, which makes it the cross-entropy"),
        why=N_("NLLLoss expects log-probabilities; on logits it rewards growing the target logit without end"),
        cite="torch-nllloss",
    ),
    Difference(
        id="dropout",
        kind="bug",
        what=N_("Dropout"),
        homework=N_("`nn.Dropout(p=0.2)` is created in `__init__` but never called in `forward()`"),
        corrected=N_(
            "dropout with $p = 0.2$ after each hidden activation while training (one mask per step, "
            "shared by all configurations, like the batches)"
        ),
        why=N_("the code's stated intent is to regularise with dropout"),
        cite="srivastava2014",
    ),
    Difference(
        id="overfitting_check",
        kind="bug",
        what=N_("Overfitting check"),
        homework=N_(
            "`old_valid_loss = 999999999` is updated only inside `if valid_loss > old_valid_loss:`, "
            "so the check never fires unless a summed validation loss exceeds 999999999"
        ),
        corrected=N_(
            "the overfitting onset is the epoch of the lowest validation loss, when every later epoch stays above it"
        ),
        why=N_("`old_valid_loss` must be updated every epoch for the comparison to mean anything"),
        cite="",
    ),
    Difference(
        id="adam_lr",
        kind="setting",
        what=N_("Adam's learning rate"),
        homework=N_("Adam at lr $0.1$, the same as SGD"),
        corrected=N_("Adam at lr $10^{-3}$, its usual default; SGD keeps lr $0.1$"),
        why=N_(
            "Adam's step is about lr per weight whatever the gradient's scale, so $0.1$ is far too large a step for it"
        ),
        cite="",
    ),
    Difference(
        id="batches_and_split",
        kind="setting",
        what=N_("Batches and validation split"),
        homework=N_(
            "batches in file order, never shuffled; of the 469 batches, "
            "$i < \\lfloor 0.8 \\cdot 469 \\rfloor = 375$ train and $i > 375$ validate, so batch 375 is used by neither"
        ),
        corrected=N_(
            "a fixed seeded split of 48,000 training and 12,000 validation images, reshuffled every epoch "
            "(one permutation per epoch, shared by all models)"
        ),
        why=N_(
            "SGD assumes batches drawn at random, and a random split validates on every part of the data, "
            "not the file's last fifth"
        ),
        cite="",
    ),
    Difference(
        id="weights_tested",
        kind="setting",
        what=N_("Weights tested"),
        homework=N_("the weights after the last epoch"),
        corrected=N_("the weights of the epoch with the lowest validation loss (early stopping)"),
        why=N_("the validation set is there to pick the model before it overfits"),
        cite="goodfellow2016",
    ),
)


@dataclass(frozen=True)
class EffectGroup:
    name: str  # 'all', 'nll', 'adam', 'cross_entropy_sgd'
    includes: Callable[[ConfigFinding], bool]


EFFECT_GROUPS: tuple[EffectGroup, ...] = (
    EffectGroup("all", lambda f: True),
    EffectGroup("nll", lambda f: f.loss == "nll"),
    EffectGroup("adam", lambda f: f.optimizer == "adam"),
    EffectGroup("cross_entropy_sgd", lambda f: f.loss == "cross_entropy" and f.optimizer == "sgd"),
)
# The differences whose effect one group isolates: the others act on every configuration at once.
GROUP_OF_DIFFERENCE = {"nll_input": "nll", "adam_lr": "adam"}


@dataclass(frozen=True)
class MeasuredEffect:
    """The median test error of one group of runs in each mode, and how many runs (configs x seeds) it pools."""

    group: str
    homework: float | None
    corrected: float | None
    homework_runs: int
    corrected_runs: int


def _pooled_median(findings: Sequence[ConfigFinding], group: EffectGroup) -> tuple[float | None, int]:
    values = [value for finding in findings if group.includes(finding) for value in finding.finite_errors]
    return (statistics.median(values) if values else None), len(values)


def measured_effects(homework: Sequence[ConfigFinding], corrected: Sequence[ConfigFinding]) -> list[MeasuredEffect]:
    """Median test error of the groups each change touches, in each mode, over all its runs (configs x seeds)."""
    rows = []
    for group in EFFECT_GROUPS:
        homework_median, homework_runs = _pooled_median(homework, group)
        corrected_median, corrected_runs = _pooled_median(corrected, group)
        rows.append(MeasuredEffect(group.name, homework_median, corrected_median, homework_runs, corrected_runs))
    return rows


def effect_of(difference: Difference, effects: Sequence[MeasuredEffect]) -> MeasuredEffect | None:
    """The effects row that isolates one difference (NLL input, Adam's lr), or None."""
    group = GROUP_OF_DIFFERENCE.get(difference.id)
    return next((row for row in effects if row.group == group), None)
