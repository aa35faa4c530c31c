"""What homework mode and corrected mode do, as data, and the differences between them.

Homework mode reproduces the submitted code (DESIGN.md, Q4) line by line:
the homework's settings (lr 0.1 for both optimisers, the last epoch's weights
tested) and its bugs too. Corrected mode fixes the bugs and changes the
settings it recommends changing. `DIFFERENCES` lists each difference, as a bug
or a setting, with what each mode does and why.
"""

from __future__ import annotations

from dataclasses import dataclass

BATCH_SIZE = 128
VALIDATION_FRACTION = 0.2  # the homework's validation_size
HOMEWORK_OLD_VALID_LOSS = 999999999  # the submitted code's initial old_valid_loss


@dataclass(frozen=True)
class ModeSpec:
    name: str
    nll_on_log_softmax: bool  # False: NLLLoss gets raw logits, so loss = -mean(logit[target])
    dropout: float  # applied after each hidden activation while training; 0 = never applied
    sgd_lr: float
    adam_lr: float
    shuffle: bool  # seeded reshuffle every epoch over a fixed random split
    keep_best: bool  # test the weights of the best validation epoch (else the last epoch's)
    shrinking_epochs: bool  # the `for epoch in range(epoch)` rebinding: model k trains E - k epochs


HOMEWORK = ModeSpec(
    name="homework",
    nll_on_log_softmax=False,
    dropout=0.0,
    sgd_lr=0.1,
    adam_lr=0.1,
    shuffle=False,
    keep_best=False,
    shrinking_epochs=True,
)

CORRECTED = ModeSpec(
    name="corrected",
    nll_on_log_softmax=True,
    dropout=0.2,
    sgd_lr=0.1,
    adam_lr=1e-3,
    shuffle=True,
    keep_best=True,
    shrinking_epochs=False,
)

MODES = {"homework": HOMEWORK, "corrected": CORRECTED}


def homework_epochs(epochs: int, homework_index: int) -> int:
    """Epochs the submitted loop really trains model k for.

    `def train(epoch): ... for epoch in range(epoch):` rebinds `epoch`, so after
    model k the name holds E-1-k and model k+1 runs range(E-1-k): E-k epochs for
    model k (30, 29, ..., 19 for E = 30), never fewer than 0.
    """
    return max(epochs - homework_index, 0)


def epochs_for(mode: ModeSpec, epochs: int, homework_index: int) -> int:
    return homework_epochs(epochs, homework_index) if mode.shrinking_epochs else epochs


def homework_batch_split(n_samples: int, batch_size: int = BATCH_SIZE) -> tuple[range, range]:
    """Batch indices that train (i < int(0.8*n)) and validate (i > int(0.8*n)), as submitted.

    Batch int(0.8*n) itself (375 of 469 on the full data) is used by neither.
    """
    n_batches = -(-n_samples // batch_size)
    cut = int((1 - VALIDATION_FRACTION) * n_batches)
    return range(cut), range(cut + 1, n_batches)


def corrected_split_sizes(n_samples: int) -> tuple[int, int]:
    """48,000 / 12,000 on the full data."""
    n_train = int(round((1 - VALIDATION_FRACTION) * n_samples))
    return n_train, n_samples - n_train


def rising_epochs(val_losses: list[float]) -> list[int]:
    """The homework check as intended: 1-based epochs whose validation loss exceeds the previous epoch's."""
    return [e + 1 for e in range(1, len(val_losses)) if val_losses[e] > val_losses[e - 1]]


def as_written_overfit_epochs(val_loss_sums: list[float]) -> list[int]:
    """The homework check as written: the 0-based `epoch` values it would print.

    old_valid_loss starts at 999999999 and is only updated inside the branch
    that compares against it, so the message fires only if a summed validation
    loss ever exceeds 999999999 (NaN never does).
    """
    old_valid_loss = HOMEWORK_OLD_VALID_LOSS
    printed = []
    for epoch, valid_loss in enumerate(val_loss_sums):
        if valid_loss > old_valid_loss:
            printed.append(epoch)
            old_valid_loss = valid_loss
    return printed


def overfitting_onset(val_losses: list[float]) -> int | None:
    """First epoch after which the validation loss keeps rising: the last epoch of the running minimum.

    That is the (1-based) epoch of the lowest validation loss, provided later
    epochs exist and all stay above it; None when the minimum is the last
    epoch (no overfitting seen) or the losses are not finite.
    """
    finite = [v for v in val_losses if v == v and abs(v) != float("inf")]
    if len(finite) != len(val_losses) or len(val_losses) < 2:
        return None
    best = min(range(len(val_losses)), key=lambda e: (val_losses[e], -e))  # last occurrence of the minimum
    return best + 1 if best < len(val_losses) - 1 else None


# What corrected mode changes, one entry per difference:
#   kind: "bug" (the code does not do what it says) or "setting" (a choice the
#         homework made, kept in homework mode; corrected mode recommends another);
#   what, homework, corrected, why: short texts in which `code` is code and
#         $...$ is inline math (the templates typeset both, in Markdown and LaTeX);
#   cite: a reference key (templates/*/references) backing `why`, or "".
# lr 0.1 and testing the last epoch's weights are the homework's settings, not bugs.
DIFFERENCES: tuple[dict[str, str], ...] = (
    {
        "kind": "bug",
        "what": "Epochs per model",
        "homework": "inside `def train(epoch):` the loop `for epoch in range(epoch):` rebinds `epoch`: after model $k$ "
        "it holds $E-1-k$, so model $k$ in loop order ($k = 0, \\dots, 11$) trains $E-k$ epochs, "
        "$30, 29, \\dots, 19$ for $E = 30$",
        "corrected": "every model trains $E$ epochs",
        "why": "a loop variable must not shadow the epoch count; models are comparable only on equal training",
        "cite": "",
    },
    {
        "kind": "bug",
        "what": "NLLLoss input",
        "homework": "`nn.NLLLoss()` gets the raw logits $z$, so the loss is $-\\frac{1}{B}\\sum_{i} z_{i, y_i}$, "
        "unbounded below",
        "corrected": "`nn.NLLLoss()` gets `log_softmax(z)`, which makes it the cross-entropy",
        "why": "NLLLoss expects log-probabilities; on logits it rewards growing the target logit without end",
        "cite": "torch-nllloss",
    },
    {
        "kind": "bug",
        "what": "Dropout",
        "homework": "`nn.Dropout(p=0.2)` is created in `__init__` but never called in `forward()`",
        "corrected": "dropout with $p = 0.2$ after each hidden activation while training (one mask per step, "
        "shared by all configurations, like the batches)",
        "why": "the code's stated intent is to regularise with dropout",
        "cite": "srivastava2014",
    },
    {
        "kind": "bug",
        "what": "Overfitting check",
        "homework": "`old_valid_loss = 999999999` is updated only inside `if valid_loss > old_valid_loss:`, "
        "so the check never fires unless a summed validation loss exceeds 999999999",
        "corrected": "the overfitting onset is the epoch of the lowest validation loss, when every later epoch "
        "stays above it",
        "why": "`old_valid_loss` must be updated every epoch for the comparison to mean anything",
        "cite": "",
    },
    {
        "kind": "setting",
        "what": "Adam's learning rate",
        "homework": "Adam at lr $0.1$, the same as SGD",
        "corrected": "Adam at lr $10^{-3}$, its usual default; SGD keeps lr $0.1$",
        "why": "Adam's step is about lr per weight whatever the gradient's scale, so $0.1$ is far too large a step for it",
        "cite": "",
    },
    {
        "kind": "setting",
        "what": "Batches and validation split",
        "homework": "batches in file order, never shuffled; of the 469 batches, $i < \\lfloor 0.8 \\cdot 469 \\rfloor = 375$ "
        "train and $i > 375$ validate, so batch 375 is used by neither",
        "corrected": "a fixed seeded split of 48,000 training and 12,000 validation images, reshuffled every epoch "
        "(one permutation per epoch, shared by all models)",
        "why": "SGD assumes batches drawn at random, and a random split validates on every part of the data, "
        "not the file's last fifth",
        "cite": "",
    },
    {
        "kind": "setting",
        "what": "Weights tested",
        "homework": "the weights after the last epoch",
        "corrected": "the weights of the epoch with the lowest validation loss (early stopping)",
        "why": "the validation set is there to pick the model before it overfits",
        "cite": "goodfellow2016",
    },
)
