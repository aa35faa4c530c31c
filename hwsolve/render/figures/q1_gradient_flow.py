"""Q1(d): gradient norm per layer at initialisation, per activation and initialisation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hwsolve.errors import HwsolveError
from hwsolve.render.figures.common import new_figure, save_figure
from hwsolve.render.figures.words import words

if TYPE_CHECKING:
    from hwsolve.solutions.q1 import Q1dSolution

COLOURS = {"sigmoid": "tab:red", "tanh": "tab:purple", "relu": "tab:green"}
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


def initialisation_title(initialisation: str) -> str:
    """A panel title in words: the code's names for the initialisations never reach the page."""
    if initialisation == "default":
        return words("torch's default initialisation")
    if initialisation == "xavier_he":
        return words("Xavier (sigmoid, tanh), He (ReLU)")
    return words("{name} initialisation", name=initialisation.replace("_", " "))


def draw_gradient_norms(part_d: Q1dSolution, base: Path | str) -> tuple[Path, Path]:
    by_initialisation = part_d.gradient_norms_by_initialisation
    if not by_initialisation:
        raise HwsolveError("Q1(d) has no gradient norms to plot")
    figure, axes = new_figure(
        3.0 * len(by_initialisation) + 0.4, 2.9, ncols=len(by_initialisation), squeeze=False, sharey=True
    )
    for axis, (initialisation, norms) in zip(axes[0], by_initialisation.items()):
        for activation, values in norms.items():
            layers = range(1, len(values) + 1)
            axis.plot(
                layers,
                values,
                "o-",
                ms=3,
                color=COLOURS.get(activation),
                label=ACTIVATION_NAMES.get(activation, activation),
            )
        axis.set_yscale("log")
        axis.set_xticks(list(range(1, len(values) + 1)))
        axis.set_xlabel(words("layer $l$ (1 = nearest the input)"))
        axis.set_title(initialisation_title(initialisation))
        axis.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel(words(r"$\|\partial L / \partial W_l\|_F$ at initialisation"))
    axes[0][0].legend(frameon=False)
    figure.suptitle(
        words("Gradient norm per layer in a {depth}-layer MLP at initialisation", depth=part_d.problem.depth), y=1.02
    )
    figure.tight_layout()
    return save_figure(figure, base)
