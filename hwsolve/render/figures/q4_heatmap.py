"""Q4 heatmap: test error by activation (rows) x (loss, optimiser) (columns).

One panel per mode, on a shared log colour scale (errors run from about
0.02 to 0.9), each cell annotated with its value as a fraction, like the
tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, NullFormatter

from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist.modes import MODE_NAMES
from hwsolve.problem.q4 import SUBMITTED_THRESHOLD, below
from hwsolve.render.figures.common import new_figure, save_figure
from hwsolve.render.figures.q4_curves import GridEntry, grid_axes, label, mode_words
from hwsolve.render.figures.words import shaped, words


class HeatmapEntry(GridEntry, Protocol):
    """A configuration's test error: one run's (ConfigResult) or the median over seeds (ConfigFinding)."""

    @property
    def test_error(self) -> float | None: ...


COLORBAR_TICKS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)


def error_matrix(entries: Sequence[HeatmapEntry], activations: list[str], columns: list[tuple[str, str]]) -> np.ndarray:
    matrix = np.full((len(activations), len(columns)), np.nan)
    for entry in entries:
        key = (entry.loss, entry.optimizer)
        if entry.activation in activations and key in columns and entry.test_error is not None:
            matrix[activations.index(entry.activation), columns.index(key)] = float(entry.test_error)
    return matrix


def panel_title(key: str) -> str:
    """A bare mode name becomes "<mode> mode"; any other key is already a title (in the active language)."""
    return words("{mode} mode", mode=mode_words(key)) if key in MODE_NAMES else shaped(key)


def draw_test_error_heatmap(
    results_by_mode: Mapping[str, Sequence[HeatmapEntry]], base: Path | str
) -> tuple[Path, Path]:
    """One panel per key of results_by_mode (a mode, or a panel title such as "homework mode, median of 3 seeds")."""
    modes = [mode for mode, entries in results_by_mode.items() if entries]
    if not modes:
        raise HwsolveError("no Q4 results to plot")
    every_entry = [entry for mode in modes for entry in results_by_mode[mode]]
    activations, columns = grid_axes(every_entry)
    matrices = {mode: error_matrix(results_by_mode[mode], activations, columns) for mode in modes}
    finite = np.concatenate([m[np.isfinite(m)] for m in matrices.values()])
    low = max(float(finite.min()) if finite.size else 0.01, 1e-3)
    high = min(max(float(finite.max()) if finite.size else 1.0, low * 1.01), 1.0)
    norm = LogNorm(vmin=low, vmax=high)
    # At most the text width (6.3 in), so its 8 pt labels print at 8 pt.
    figure, axes = new_figure(
        min(0.8 * len(columns) * len(modes) + 1.6, 6.3), 0.5 * len(activations) + 1.2, ncols=len(modes), squeeze=False
    )
    image = None
    for axis, mode in zip(axes[0], modes):
        matrix = matrices[mode]
        image = axis.imshow(np.ma.masked_invalid(matrix), cmap="viridis_r", norm=norm, aspect="auto")
        axis.set_xticks(range(len(columns)), [f"{label(loss)}\n{label(opt)}" for loss, opt in columns], fontsize=8)
        axis.set_yticks(range(len(activations)), [label(a) for a in activations] if axis is axes[0][0] else [])
        axis.set_title(panel_title(mode))
        for (row, column), value in np.ndenumerate(matrix):
            text = words("n/a") if math.isnan(value) else f"{value:.4f}"
            marker = " *" if below(value) else ""
            shade = "white" if not math.isnan(value) and norm(value) > 0.55 else "black"
            axis.text(column, row, text + marker, ha="center", va="center", fontsize=8, color=shade)
    assert image is not None  # modes is never empty: the caller draws at least one mode
    colorbar = figure.colorbar(image, ax=list(axes[0]), fraction=0.025, pad=0.02, label=words("test error (log scale)"))
    colorbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    colorbar.ax.yaxis.set_minor_formatter(NullFormatter())
    colorbar.set_ticks([tick for tick in COLORBAR_TICKS if low <= tick <= high] or [low, high])
    threshold = f"{SUBMITTED_THRESHOLD:g}"
    footnote = words("* test error below {threshold}, the question's criterion", threshold=threshold)
    figure.text(0.01, -0.12, footnote, fontsize=8)
    return save_figure(figure, base)
