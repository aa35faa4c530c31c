"""Conclusions for Q1c and Q1d, written from the measured numbers.

Every sentence is chosen by comparing numbers against the thresholds below;
nothing here knows in advance which width wins or how fast gradients vanish.
"""

from __future__ import annotations

from hwsolve.experiments.gradient_flow import GradientFlowResult
from hwsolve.experiments.width import WidthExperiment
from hwsolve.render.numbers import format_number

UNDERFIT_MARGIN = 0.03  # train accuracy this far below the best width's: too narrow to fit
ADEQUATE_MARGIN = 0.01  # test accuracy within this of the best: "enough"
OVERFIT_MARGIN = 0.02  # gap this much larger than the adequate width's: overfitting grew

INITIALISATION_NAMES = {"default": "torch's default", "xavier_he": "Xavier (sigmoid, tanh) / He (ReLU)"}


def _points(fraction: float) -> str:
    return format_number(100.0 * fraction, 3)


def width_conclusions(experiment: WidthExperiment) -> list[str]:
    runs = sorted(experiment.runs, key=lambda run: run.width)
    best_train = max(run.train_accuracy for run in runs)
    best_test = max(run.test_accuracy for run in runs)
    lines = []
    for run in runs:
        if run.train_accuracy < best_train - UNDERFIT_MARGIN:
            lines.append(
                f"Width {run.width:,} ({run.parameters:,} parameters) underfits: {_points(run.train_accuracy)}% on the training set "
                f"and {_points(run.test_accuracy)}% on the test set, {_points(best_test - run.test_accuracy)} points below the best test accuracy."
            )
        else:
            lines.append(
                f"Width {run.width:,} ({run.parameters:,} parameters) fits: train {_points(run.train_accuracy)}%, "
                f"test {_points(run.test_accuracy)}%, gap {_points(run.gap)} points."
            )
    adequate = next(run for run in runs if run.test_accuracy >= best_test - ADEQUATE_MARGIN)
    lines.append(f"The narrowest width within {_points(ADEQUATE_MARGIN)} point of the best test accuracy is {adequate.width:,}.")
    widest = runs[-1]
    if widest is not adequate:
        change = widest.test_accuracy - adequate.test_accuracy
        verdict = (
            "so the extra width overfits here"
            if widest.gap > adequate.gap + OVERFIT_MARGIN
            else f"so the extra width did not overfit here; it cost time ({format_number(widest.seconds, 2)} s against {format_number(adequate.seconds, 2)} s) rather than accuracy"
        )
        lines.append(
            f"Going from {adequate.width:,} to {widest.width:,} hidden units multiplies the parameters by "
            f"{format_number(widest.parameters / adequate.parameters, 3)}; test accuracy changes by {'+' if change >= 0 else ''}{_points(change)} points "
            f"and the gap goes from {_points(adequate.gap)} to {_points(widest.gap)} points, {verdict}."
        )
    for substitution in experiment.substitutions:
        lines.append(f"{substitution.requested_width:,} hidden units were not trained: {substitution.reason}.")
        trained = next((run for run in runs if run.width == substitution.trained_width), None)
        if trained is not None and trained.seconds > substitution.budget_seconds:
            lines.append(
                f"The {trained.width:,}-unit run itself took {format_number(trained.seconds, 3)} s, over the estimate: "
                "the timing probe and the run share a busy CPU, so wall times vary between runs."
            )
    return lines


def gradient_flow_conclusions(result: GradientFlowResult, sigmoid_max: float) -> list[str]:
    lines = []
    depth = result.problem.depth
    for initialisation, fit in result.sigmoid_fits.items():
        norms = result.norms[initialisation]["sigmoid"]
        relation = "below" if fit.factor < sigmoid_max else "not below"
        lines.append(
            f"Sigmoid, {INITIALISATION_NAMES.get(initialisation, initialisation)} initialisation: the gradient norm falls from "
            f"{format_number(norms[-1], 3)} at layer {depth} to {format_number(norms[0], 3)} at layer 1. The fitted per-layer factor is "
            f"{format_number(fit.factor, 3)} (R^2 = {format_number(fit.r_squared, 4)}), {relation} max sigma' = {format_number(sigmoid_max, 3)}; "
            f"with the weights included the bound is ||W||_2/4 <= {format_number(fit.bound_with_weights, 3)}."
        )
    for initialisation, by_activation in result.norms.items():
        ratios = ", ".join(
            f"{activation} {format_number(norms[0] / norms[-1], 3)}" for activation, norms in by_activation.items()
        )
        lines.append(f"Layer-1 / layer-{depth} gradient norm with {INITIALISATION_NAMES.get(initialisation, initialisation)} initialisation: {ratios}.")
    return lines
