"""Q4 learning curves: train and validation loss per epoch, one panel per configuration.

One figure per mode. Panels are laid out activation (rows) x (loss, optimiser)
(columns), the same grid as the heatmap, so the two read together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist.configs import LOSSES, MNIST_ACTIVATIONS, OPTIMIZERS
from hwsolve.i18n import _
from hwsolve.render.figures.common import new_figure, save_figure
from hwsolve.render.figures.words import words

LABELS = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "sigmoid": "Sigmoid",
    "cross_entropy": "CE",
    "nll": "NLL",
    "sgd": "SGD",
    "adam": "Adam",
}


class GridEntry(Protocol):
    """A configuration's place in the grid: a ConfigResult (one run) or a ConfigFinding (over seeds)."""

    @property
    def activation(self) -> str: ...
    @property
    def loss(self) -> str: ...
    @property
    def optimizer(self) -> str: ...


class CurveEntry(GridEntry, Protocol):
    """One run's loss per epoch (experiments.mnist.ConfigResult); None: NaN."""

    @property
    def train_loss(self) -> Sequence[float | None]: ...
    @property
    def val_loss(self) -> Sequence[float | None]: ...


def label(name: str) -> str:
    return LABELS.get(name, name)


def ordered(values: Sequence[str], preferred: Sequence[str]) -> list[str]:
    """Known names in the homework's order first, then anything else sorted."""
    present = list(dict.fromkeys(values))
    return [name for name in preferred if name in present] + sorted(name for name in present if name not in preferred)


def mode_words(mode: str) -> str:
    """A mode's name in the active language (the code's names are homework and corrected)."""
    names = {"homework": _("homework"), "corrected": _("corrected")}
    return names.get(mode, mode)


def grid_axes(entries: Sequence[GridEntry]) -> tuple[list[str], list[tuple[str, str]]]:
    """Rows (activations) and columns ((loss, optimiser) pairs) present in the results."""
    activations = ordered([entry.activation for entry in entries], MNIST_ACTIVATIONS)  # the homework's loop order
    losses = ordered([entry.loss for entry in entries], LOSSES)
    optimizers = ordered([entry.optimizer for entry in entries], OPTIMIZERS)
    present = {(entry.loss, entry.optimizer) for entry in entries}
    columns = [(loss, optimizer) for loss in losses for optimizer in optimizers if (loss, optimizer) in present]
    return activations, columns


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if value is None else float(value) for value in values]


def divergence_note(train: list[float], validation: list[float]) -> str | None:
    """Words for a panel whose curves cannot be read as a plot, or None.

    A loss that became NaN says from which epoch; a negative loss (NLLLoss on
    raw logits, unbounded below; cross-entropy is never negative) is given as
    its last value, since drawn it is a straight plunge with a 1e14 offset.
    """
    curves = [curve for curve in (train, validation) if curve]
    if not curves:
        return None
    first_nan = min(
        next((epoch + 1 for epoch, value in enumerate(curve) if not math.isfinite(value)), math.inf) for curve in curves
    )
    if math.isfinite(first_nan):
        return words("diverged:\nloss is NaN\nfrom epoch {epoch}", epoch=int(first_nan))
    lowest = min(min(curve) for curve in curves)
    if lowest < 0:
        last = train or validation
        if train:
            return words(
                "unbounded:\ntraining loss\n{value}\nafter {epochs} epochs",
                value=_scientific(last[-1]),
                epochs=len(last),
            )
        return words(
            "unbounded:\nvalidation loss\n{value}\nafter {epochs} epochs", value=_scientific(last[-1]), epochs=len(last)
        )
    return None


def _scientific(value: float) -> str:
    """-3.8e14 as mathtext, $-3.8\\times 10^{14}$; small magnitudes as plain decimals."""
    if value == 0 or 1e-3 <= abs(value) < 1e3:
        return f"${value:.3g}$"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"${mantissa}\\times 10^{{{int(exponent)}}}$"


def _draw_panel(axis: Axes, entry: CurveEntry) -> None:
    train = _finite(entry.train_loss)
    validation = _finite(entry.val_loss)
    if not train and not validation:
        axis.text(0.5, 0.5, words("0 epochs trained"), ha="center", va="center", transform=axis.transAxes)
        return
    note = divergence_note(train, validation)
    if note is not None:
        axis.text(0.5, 0.5, note, ha="center", va="center", transform=axis.transAxes, linespacing=1.3, fontsize=8)
        axis.set_yticks([])
        axis.set_xlim(0.5, max(len(train), len(validation)) + 0.5)
        return
    marker = "o" if max(len(train), len(validation)) <= 3 else None  # one or two epochs draw no line
    axis.plot(range(1, len(train) + 1), train, color="tab:blue", lw=1.2, marker=marker, ms=3, label=words("training"))
    axis.plot(
        range(1, len(validation) + 1),
        validation,
        color="tab:orange",
        lw=1.2,
        ls="--",
        marker=marker,
        ms=3,
        label=words("validation"),
    )
    values = train + validation
    if min(values) > 0 and max(values) / min(values) > 50:
        axis.set_yscale("log")  # a loss falling by decades would flatten into the axis
        axis.yaxis.set_minor_formatter(NullFormatter())  # minor labels crowd a narrow panel


def draw_learning_curves(entries: Sequence[CurveEntry], base: Path | str, mode: str) -> tuple[Path, Path]:
    """Training (solid) and validation (dashed) loss per epoch for every configuration."""
    if not entries:
        raise HwsolveError(f"no Q4 results for mode {mode!r} to plot")
    activations, columns = grid_axes(entries)
    by_key = {(e.activation, e.loss, e.optimizer): e for e in entries}
    # 6.3 in wide: the report prints it at text width, so 8 pt text stays 8 pt.
    figure, axes = new_figure(
        6.3, 1.45 * len(activations) + 0.8, nrows=len(activations), ncols=len(columns), squeeze=False, sharex=True
    )
    for row, activation in enumerate(activations):
        for column, (loss, optimizer) in enumerate(columns):
            axis = axes[row][column]
            entry = by_key.get((activation, loss, optimizer))
            if row == 0:
                axis.set_title(f"{label(loss)}, {label(optimizer)}")
            if entry is None:
                axis.text(0.5, 0.5, words("not run"), ha="center", va="center", transform=axis.transAxes)
                continue
            _draw_panel(axis, entry)
            axis.grid(alpha=0.3)
            if row == len(activations) - 1:
                axis.set_xlabel(words("epoch"))
            if column == 0:
                axis.set_ylabel(words("{activation}\nmean loss", activation=label(activation)))
    # The legend of the first panel that drew lines (a diverged panel draws none).
    legends = (axis.get_legend_handles_labels() for row_axes in axes for axis in row_axes)
    handles, names = next((legend for legend in legends if legend[0]), ([], []))
    if handles:
        figure.legend(handles, names, loc="upper center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 1.0))
    figure.suptitle(words("Learning curves, {mode} mode", mode=mode_words(mode)), y=1.03)
    figure.tight_layout()
    return save_figure(figure, base)
