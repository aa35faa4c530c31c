"""Q1(c): train and test accuracy against hidden width (two moons)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hwsolve.errors import HwsolveError
from hwsolve.render.figures.common import new_figure, save_figure


def draw_width_accuracy(part_c: Any, base: Path | str) -> tuple[Path, Path]:
    runs = sorted(part_c.runs, key=lambda run: run.width)
    if not runs:
        raise HwsolveError("Q1(c) has no width runs to plot")
    widths = [run.width for run in runs]
    figure, axis = new_figure(5.0, 2.8)
    axis.plot(widths, [100 * run.train_accuracy for run in runs], "o-", color="tab:blue", label="train")
    axis.plot(widths, [100 * run.test_accuracy for run in runs], "s--", color="tab:orange", label="test")
    axis.set_xscale("log")
    axis.set_xticks(widths, [f"{width:,}" for width in widths])
    axis.minorticks_off()
    axis.set_xlabel("hidden units (log scale)")
    axis.set_ylabel("accuracy (%)")
    axis.set_title("Q1(c): two-layer network on two moons, by hidden width")
    axis.grid(alpha=0.3)
    axis.legend(frameon=False)
    figure.tight_layout()
    return save_figure(figure, base)
