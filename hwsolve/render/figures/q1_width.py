"""Q1(c): median train and test accuracy over the seeds against hidden width (two moons), with the range."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hwsolve.errors import HwsolveError
from hwsolve.render.figures.common import new_figure, placed_width, save_figure
from hwsolve.render.figures.words import words

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hwsolve.solutions.q1 import Q1cSolution
    from hwsolve.solutions.q1_conclusions import Spread, WidthSummary


def _tick_label(summary: WidthSummary) -> str:
    width, requested = f"{summary.width:,}", f"{summary.requested_width:,}"
    if summary.width != summary.requested_width:
        return words("{width}\n(for {requested})", width=width, requested=requested)
    return width


def _with_range(
    axis: Axes,
    summaries: Sequence[WidthSummary],
    field: Literal["train", "test"],
    style: str,
    colour: str,
    label: str,
    offset: float,
) -> None:
    """Medians as points joined by a line, the seeds' range as error bars (offset a little so they do not overlap)."""
    spreads: list[Spread] = [summary.train if field == "train" else summary.test for summary in summaries]
    widths = [summary.width * offset for summary in summaries]
    medians = [100 * spread.median for spread in spreads]
    below = [median - 100 * spread.low for median, spread in zip(medians, spreads)]
    above = [100 * spread.high - median for median, spread in zip(medians, spreads)]
    axis.errorbar(widths, medians, yerr=[below, above], fmt=style, color=colour, capsize=3, ms=4, lw=1.2, label=label)


def draw_width_accuracy(part_c: Q1cSolution, base: Path | str) -> tuple[Path, Path]:
    summaries = sorted(part_c.summaries, key=lambda summary: summary.width)
    if not summaries:
        raise HwsolveError("Q1(c) has no width runs to plot")
    seeds = len(part_c.seeds)
    figure, axis = new_figure(placed_width(0.8), 3.0)
    steps = f"{part_c.problem.steps:,}"
    _with_range(axis, summaries, "train", "o-", "tab:blue", words("train, {steps} steps", steps=steps), 0.94)
    _with_range(axis, summaries, "test", "s--", "tab:orange", words("test, {steps} steps", steps=steps), 1.06)
    if part_c.long_summaries:
        long_steps = f"{part_c.problem.long_steps:,}"
        train_long, test_long = (
            words("train, {steps} steps", steps=long_steps),
            words("test, {steps} steps", steps=long_steps),
        )
        _with_range(axis, part_c.long_summaries, "train", "^", "tab:green", train_long, 0.94)
        _with_range(axis, part_c.long_summaries, "test", "v", "tab:red", test_long, 1.06)
    axis.set_xscale("log")
    axis.set_xticks([summary.width for summary in summaries], [_tick_label(summary) for summary in summaries])
    axis.minorticks_off()
    axis.set_xlim(min(s.width for s in summaries) / 2, max(s.width for s in summaries) * 2)
    axis.set_xlabel(words("hidden units (log scale)"))
    axis.set_ylabel(words("accuracy (%)"))
    axis.set_title(words("Two-layer ReLU network on two moons: median and range over {seeds} seeds", seeds=seeds))
    axis.grid(alpha=0.3)
    axis.legend(frameon=False, loc="lower right", ncol=2)
    figure.tight_layout()
    return save_figure(figure, base)
