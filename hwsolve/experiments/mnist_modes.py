"""What homework mode and corrected mode do, as data, and the differences between them.

Homework mode reproduces the submitted code (DESIGN.md, Q4) line by line,
bugs included; corrected mode fixes each one. `DIFFERENCES` lists them: the
output prints it so a reader sees, per difference, what the homework did and
why corrected mode differs.
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
    return range(0, cut), range(cut + 1, n_batches)


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


# (what, homework mode, corrected mode, why) for each difference.
DIFFERENCES: tuple[dict[str, str], ...] = (
    {
        "what": "epochs per model",
        "homework": "`def train(epoch): ... for epoch in range(epoch):` rebinds `epoch`, so the k-th model in loop "
        "order trains E-k epochs (30, 29, ..., 19 for E=30); recorded as epochs_trained",
        "corrected": "every model trains E epochs",
        "why": "a loop variable must not shadow the epoch count; models are only comparable on equal training",
    },
    {
        "what": "NLLLoss input",
        "homework": "nn.NLLLoss() on raw logits: loss = -mean(logit[target]), unbounded below",
        "corrected": "NLLLoss on log_softmax(logits) (identical to cross-entropy)",
        "why": "NLLLoss expects log-probabilities; on logits it rewards growing the target logit forever",
    },
    {
        "what": "dropout",
        "homework": "nn.Dropout(p=0.2) is defined in __init__ but never called in forward()",
        "corrected": "dropout p=0.2 after each hidden activation while training (one mask per step, shared by all configurations like the batches)",
        "why": "the code's stated intent is to regularise with dropout",
    },
    {
        "what": "Adam learning rate",
        "homework": "Adam at lr=0.1 (same as SGD)",
        "corrected": "Adam at lr=1e-3 (its usual default); SGD stays at 0.1",
        "why": "lr=0.1 is far too large for Adam's normalised steps and makes those runs erratic",
    },
    {
        "what": "batches and validation split",
        "homework": "no shuffle; of 469 batches, i < int(0.8*469) = 375 train, i > 375 validate, batch 375 unused",
        "corrected": "a fixed seeded split of 48,000 train / 12,000 validation samples, reshuffled every epoch "
        "(one permutation per epoch, shared by all models)",
        "why": "unshuffled batches repeat the same order each epoch; the off-by-one drops 128 samples",
    },
    {
        "what": "which weights are tested",
        "homework": "the last epoch's weights",
        "corrected": "the weights of the epoch with the lowest validation loss",
        "why": "the point of a validation set is to pick the model before it overfits",
    },
    {
        "what": "overfitting check",
        "homework": "`if valid_loss > old_valid_loss:` with old_valid_loss = 999999999 updated only inside the "
        "branch: it never fires unless a summed validation loss exceeds 999999999. As intended (loss rose "
        "from the previous epoch) it is reported as rising_epochs",
        "corrected": "overfitting onset = the epoch of the lowest validation loss when all later epochs stay above it",
        "why": "old_valid_loss must be updated every epoch for the comparison to mean anything",
    },
)
