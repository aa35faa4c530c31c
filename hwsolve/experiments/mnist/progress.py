"""How a sweep reports progress without knowing who draws it: the CLI passes a click bar, tests pass their own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class ProgressBar(Protocol):
    def update(self, n_steps: int, /) -> None:
        """Advance by n_steps model-epochs."""


# (total model-epochs, label) -> a context manager that draws the bar while it is open.
ProgressFactory = Callable[[int, str], AbstractContextManager[ProgressBar]]


class SilentBar:
    """A ProgressBar that draws nothing."""

    def update(self, n_steps: int, /) -> None:
        pass


def open_bar(progress: ProgressFactory | None, total: int, label: str) -> AbstractContextManager[ProgressBar]:
    """The bar `progress` draws, or a silent one when there is no factory or nothing to count."""
    if progress is None or total == 0:
        return nullcontext(SilentBar())
    return progress(total, label)
