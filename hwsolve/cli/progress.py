"""The click progress bar the CLI hands to the Q4 sweep (experiments.mnist.progress.ProgressFactory)."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager

import click

from hwsolve.experiments.mnist.progress import ProgressBar


def click_progress(total: int, label: str) -> AbstractContextManager[ProgressBar]:
    """A bar of `total` model-epochs on stderr, with the position and an ETA."""
    bar: AbstractContextManager[ProgressBar] = click.progressbar(
        length=total, label=label, file=sys.stderr, show_eta=True, show_pos=True
    )
    return bar
