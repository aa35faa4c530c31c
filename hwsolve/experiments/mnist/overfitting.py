"""The overfitting analysis of one configuration's validation curve: as the homework meant it, and as written."""

from __future__ import annotations

import math

HOMEWORK_OLD_VALID_LOSS = 999999999  # the submitted code's initial old_valid_loss


def rising_epochs(val_losses: list[float]) -> list[int]:
    """The homework check as intended: 1-based epochs whose validation loss exceeds the previous epoch's."""
    return [e + 1 for e in range(1, len(val_losses)) if val_losses[e] > val_losses[e - 1]]


def as_written_overfit_epochs(val_loss_sums: list[float]) -> list[int]:
    """The homework check as written: the 0-based `epoch` values it would print.

    old_valid_loss starts at 999999999 and is only updated inside the branch
    that compares against it, so the message fires only if a summed validation
    loss ever exceeds 999999999 (NaN never does).
    """
    old_valid_loss: float = HOMEWORK_OLD_VALID_LOSS
    printed: list[int] = []
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
    if not all(math.isfinite(v) for v in val_losses) or len(val_losses) < 2:
        return None
    best = min(range(len(val_losses)), key=lambda e: (val_losses[e], -e))  # last occurrence of the minimum
    return best + 1 if best < len(val_losses) - 1 else None
