"""Q1(d): gradient norm per layer at initialisation, per activation and initialisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hwsolve.errors import HwsolveError
from hwsolve.render.figures.common import new_figure, save_figure

COLOURS = {"sigmoid": "tab:red", "tanh": "tab:purple", "relu": "tab:green"}


def draw_gradient_norms(part_d: Any, base: Path | str) -> tuple[Path, Path]:
    by_initialisation = part_d.gradient_norms_by_initialisation
    if not by_initialisation:
        raise HwsolveError("Q1(d) has no gradient norms to plot")
    figure, axes = new_figure(3.0 * len(by_initialisation) + 0.4, 2.8, ncols=len(by_initialisation), squeeze=False, sharey=True)
    for axis, (initialisation, norms) in zip(axes[0], by_initialisation.items()):
        for activation, values in norms.items():
            layers = range(1, len(values) + 1)
            axis.plot(layers, values, "o-", ms=3, color=COLOURS.get(activation), label=activation)
        axis.set_yscale("log")
        axis.set_xlabel("layer (1 = nearest the input)")
        axis.set_title(f"{initialisation} initialisation")
        axis.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel(r"$\|\partial L / \partial W_l\|$ at initialisation")
    axes[0][0].legend(frameon=False)
    figure.suptitle("Q1(d): gradient flow through a deep MLP", y=1.02)
    figure.tight_layout()
    return save_figure(figure, base)
