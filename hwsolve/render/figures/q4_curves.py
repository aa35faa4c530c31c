"""Q4 learning curves: train and validation loss per epoch, one panel per configuration.

One figure per mode. Panels are laid out activation (rows) x (loss, optimiser)
(columns), the same grid as the heatmap, so the two read together.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

from matplotlib.ticker import NullFormatter

from hwsolve.errors import HwsolveError
from hwsolve.render.figures.common import field_of, new_figure, save_figure

ACTIVATION_ORDER = ("relu", "leaky_relu", "sigmoid")
LOSS_ORDER = ("cross_entropy", "nll")
OPTIMIZER_ORDER = ("sgd", "adam")
LABELS = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "sigmoid": "Sigmoid",
    "cross_entropy": "CE",
    "nll": "NLL",
    "sgd": "SGD",
    "adam": "Adam",
}


def label(name: str) -> str:
    return LABELS.get(name, name)


def ordered(values: Sequence[str], preferred: Sequence[str]) -> list[str]:
    """Known names in the homework's order first, then anything else sorted."""
    present = list(dict.fromkeys(values))
    return [name for name in preferred if name in present] + sorted(name for name in present if name not in preferred)


def grid_axes(entries: Sequence[Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """Rows (activations) and columns ((loss, optimiser) pairs) present in the results."""
    activations = ordered([field_of(entry, "activation") for entry in entries], ACTIVATION_ORDER)
    losses = ordered([field_of(entry, "loss") for entry in entries], LOSS_ORDER)
    optimizers = ordered([field_of(entry, "optimizer") for entry in entries], OPTIMIZER_ORDER)
    present = {(field_of(entry, "loss"), field_of(entry, "optimizer")) for entry in entries}
    columns = [(loss, optimizer) for loss in losses for optimizer in optimizers if (loss, optimizer) in present]
    return activations, columns


def _finite(values: Sequence[Any]) -> list[float]:
    return [float("nan") if value is None else float(value) for value in values]


def draw_learning_curves(entries: Sequence[Any], base: Path | str, mode: str) -> tuple[Path, Path]:
    """Train (solid) and validation (dashed) loss per epoch for every configuration."""
    if not entries:
        raise HwsolveError(f"no Q4 results for mode {mode!r} to plot")
    activations, columns = grid_axes(entries)
    by_key = {(field_of(e, "activation"), field_of(e, "loss"), field_of(e, "optimizer")): e for e in entries}
    figure, axes = new_figure(1.75 * len(columns) + 0.6, 1.55 * len(activations) + 0.7,
                              nrows=len(activations), ncols=len(columns), squeeze=False, sharex=True)
    for row, activation in enumerate(activations):
        for column, (loss, optimizer) in enumerate(columns):
            axis = axes[row][column]
            entry = by_key.get((activation, loss, optimizer))
            if row == 0:
                axis.set_title(f"{label(loss)} / {label(optimizer)}")
            if entry is None:
                axis.text(0.5, 0.5, "not run", ha="center", va="center", transform=axis.transAxes)
                continue
            train = _finite(field_of(entry, "train_loss", []))
            validation = _finite(field_of(entry, "val_loss", []))
            marker = "o" if max(len(train), len(validation)) <= 3 else None  # one or two epochs draw no line
            axis.plot(range(1, len(train) + 1), train, color="tab:blue", lw=1.2, marker=marker, ms=3, label="train")
            axis.plot(range(1, len(validation) + 1), validation, color="tab:orange", lw=1.2, ls="--", marker=marker, ms=3,
                      label="validation")
            values = [v for v in train + validation if math.isfinite(v)]
            if values and min(values) > 0 and max(values) / min(values) > 50:
                axis.set_yscale("log")  # a diverged run would flatten every other curve
                axis.yaxis.set_minor_formatter(NullFormatter())  # minor labels crowd a narrow panel
            if not train and not validation:
                axis.text(0.5, 0.5, "0 epochs trained", ha="center", va="center", transform=axis.transAxes)
            elif not values:
                axis.text(0.5, 0.5, "loss is NaN", ha="center", va="center", transform=axis.transAxes)
            axis.grid(alpha=0.3)
            if row == len(activations) - 1:
                axis.set_xlabel("epoch")
            if column == 0:
                axis.set_ylabel(f"{label(activation)}\nmean loss")
    handles, names = axes[0][0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, names, loc="upper center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 1.0))
    figure.suptitle(f"Q4 learning curves, {mode} mode", y=1.03)
    figure.tight_layout()
    return save_figure(figure, base)
