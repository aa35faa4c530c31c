"""What homework mode and corrected mode do, as data.

Homework mode reproduces the submitted code (the homework's Q4) line by line:
the homework's settings (lr 0.1 for both optimisers, the last epoch's weights
tested) and its bugs too. Corrected mode fixes the bugs and changes the
settings it recommends changing. The prose that explains each difference is
the Q4 solution's (hwsolve.solutions.q4_differences); the overfitting
analysis is in overfitting.py.
"""

from __future__ import annotations

from dataclasses import dataclass

BATCH_SIZE = 128
VALIDATION_FRACTION = 0.2  # the homework's validation_size


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

MODES: dict[str, ModeSpec] = {mode.name: mode for mode in (HOMEWORK, CORRECTED)}
MODE_NAMES: tuple[str, ...] = tuple(MODES)  # the one list of mode names: the CLI's choices, the report's order


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
