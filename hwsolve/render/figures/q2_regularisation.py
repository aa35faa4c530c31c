"""Q2: training and validation error, (b) against the polynomial degree, (a, c) against the penalty coefficient.

lambda is labelled as the text prints it, a power of ten (10^{-0.5}), in mathtext.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from hwsolve.numbers import format_number
from hwsolve.render.figures.common import new_figure, save_figure
from hwsolve.render.figures.words import words

if TYPE_CHECKING:
    from hwsolve.solutions.q2 import Q2Solution

TRAIN, VALIDATION = "tab:blue", "tab:orange"
L1_COLOUR = "tab:green"


def lambda_label(log10_lambda: float) -> str:
    return rf"$\lambda = 10^{{{format_number(log10_lambda, 3)}}}$"


def _decades_around(values: list[float]) -> tuple[float, float]:
    """The powers of ten just below and above the data: a log axis then labels at least two of them."""
    finite = [value for value in values if math.isfinite(value) and value > 0]
    return 10.0 ** math.floor(math.log10(min(finite))), 10.0 ** math.ceil(math.log10(max(finite)))


def draw_regularisation(solution: Q2Solution, base: Path | str) -> tuple[Path, Path]:
    """Drawn at the text width (6.5 in), so the 9 pt labels and 8 pt legend print at that size."""
    from matplotlib.ticker import LogLocator, NullFormatter

    experiment = solution.experiment
    features, sweep, lasso = experiment.feature_sweep, experiment.lambda_sweep, experiment.lasso_sweep
    figure, (left, right) = new_figure(6.5, 3.3, ncols=2)

    left.plot(
        features.degrees, features.train_mse, "o-", ms=3, color=TRAIN, label=words("train: no penalty (b), L2 (a, c)")
    )
    left.plot(
        features.degrees,
        features.validation_mse,
        "s--",
        ms=3,
        color=VALIDATION,
        label=words("validation: no penalty (b), L2 (a, c)"),
    )
    left.set_xlabel(words(r"polynomial degree $d$, no penalty"))
    left.set_title(words("(b) more features"))

    right.plot(sweep.lambdas, sweep.train_mse, "o-", ms=3, color=TRAIN)
    right.plot(sweep.lambdas, sweep.validation_mse, "s--", ms=3, color=VALIDATION)
    if lasso is not None:
        right.plot(lasso.lambdas, lasso.train_mse, "^-", ms=3, color=L1_COLOUR, alpha=0.6, label=words("train, L1"))
        right.plot(lasso.lambdas, lasso.validation_mse, "v--", ms=3, color=L1_COLOUR, label=words("validation, L1"))
    right.axvline(
        sweep.lambdas[sweep.best_index],
        color="grey",
        lw=0.8,
        ls=":",
        label=words("best L2 on validation, {value}", value=lambda_label(sweep.log10_lambdas[sweep.best_index])),
    )
    right.set_xscale("log")
    right.xaxis.set_major_locator(LogLocator(base=10, numticks=6))
    right.set_xlabel(words(r"penalty coefficient $\lambda$, degree {degree}", degree=sweep.degree))
    right.set_title(words("(a, c) a larger coefficient"))
    right.set_ylim(
        *_decades_around(
            sweep.train_mse + sweep.validation_mse + (lasso.train_mse + lasso.validation_mse if lasso else [])
        )
    )

    for axis in (left, right):
        axis.set_yscale("log")
        axis.yaxis.set_minor_formatter(NullFormatter())  # only the powers of ten are labelled
        axis.axhline(
            experiment.noise_variance, color="black", lw=0.7, ls="-.", label=words(r"noise variance $\sigma^2$")
        )
        axis.set_ylabel(words("mean squared error (log scale)"))
        axis.grid(alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    for handle, label in zip(*right.get_legend_handles_labels()):
        if label not in labels:
            handles.append(handle)
            labels.append(label)
    figure.legend(handles, labels, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 0.0))
    figure.tight_layout(rect=(0, 0.2, 1, 1))
    return save_figure(figure, base)
