"""Q2: the regularisation experiment, (b) error against polynomial degree, (c) against lambda."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hwsolve.render.figures.common import new_figure, save_figure


def draw_regularisation(solution: Any, base: Path | str) -> tuple[Path, Path]:
    experiment = solution.experiment
    features, sweep = experiment.feature_sweep, experiment.lambda_sweep
    figure, (left, right) = new_figure(7.0, 2.8, ncols=2)
    left.plot(features.degrees, features.train_mse, "o-", ms=3, color="tab:blue", label="train")
    left.plot(features.degrees, features.validation_mse, "s--", ms=3, color="tab:orange", label="validation")
    left.set_xlabel("polynomial degree (features - 1), no regularisation")
    left.set_title("(b) more features")
    right.plot(sweep.lambdas, sweep.train_mse, "o-", ms=3, color="tab:blue", label="train")
    right.plot(sweep.lambdas, sweep.validation_mse, "s--", ms=3, color="tab:orange", label="validation")
    right.axvline(sweep.lambdas[sweep.best_index], color="grey", lw=0.8, ls=":", label="best on validation")
    right.set_xscale("log")
    right.set_xlabel(f"L2 coefficient lambda (degree {sweep.degree})")
    right.set_title("(c) a larger coefficient")
    for axis in (left, right):
        axis.set_yscale("log")
        axis.axhline(experiment.noise_variance, color="black", lw=0.7, ls="-.", label="noise variance")
        axis.set_ylabel("MSE (log scale)")
        axis.grid(alpha=0.3)
    handles, labels = right.get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, bbox_to_anchor=(0.5, -0.06))
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return save_figure(figure, base)
