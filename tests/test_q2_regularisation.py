"""Q2: ridge closed form vs torch normal equations, judges on hand-made evidence, end-to-end answers, CLI, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from hwsolve.cli import cli
from hwsolve.experiments.regularisation import (
    Errors,
    FeatureSweep,
    LambdaSweep,
    PenaltyEffect,
    PenaltyFit,
    RegularisationExperiment,
    features,
    fit_ridge,
    make_dataset,
    run_regularisation,
)
from hwsolve.problem.q2 import RECONSTRUCTED_STATEMENTS, RegularisationProblem
from hwsolve.solutions.q2 import judge_coefficient, judge_features, judge_regularisation, solve_q2

HWSOLVE = Path(sys.executable).parent / "hwsolve"


@pytest.mark.parametrize("penalty", [0.0, 1e-6, 0.3, 100.0])
def test_ridge_matches_the_normal_equations_in_torch(penalty):
    data = make_dataset(RegularisationProblem(), seed=0)
    design = features(data.x_train, 6)
    weights = fit_ridge(design, data.y_train, penalty)
    phi = torch.tensor(design, dtype=torch.float64)
    y = torch.tensor(data.y_train, dtype=torch.float64)
    penalty_matrix = torch.eye(7, dtype=torch.float64)
    penalty_matrix[0, 0] = 0.0  # intercept unpenalised
    expected = torch.linalg.solve(phi.T @ phi + penalty * penalty_matrix, phi.T @ y)
    np.testing.assert_allclose(weights, expected.numpy(), rtol=1e-8, atol=1e-10)


def test_legendre_features_are_legendre_polynomials():
    x = np.linspace(-1, 1, 7)
    design = features(x, 3)
    np.testing.assert_allclose(design[:, 2], (3 * x**2 - 1) / 2, atol=1e-14)
    np.testing.assert_allclose(design[:, 3], (5 * x**3 - 3 * x) / 2, atol=1e-14)


def test_homework_answers_are_all_false_and_agree_with_the_submission():
    solution = solve_q2(seed=0)
    assert [s.label for s in solution.statements] == ["a", "b", "c"]
    for statement in solution.statements:
        assert statement.reconstructed and statement.statement == RECONSTRUCTED_STATEMENTS[statement.label]
        assert statement.answer is False and statement.agrees_with_submission


# The judges below get hand-made evidence, not the experiment's output: each case is a
# handful of explicit errors chosen so that the statement's verdict is obvious from
# what the statement says, and the cases step across each rule's condition both ways.
# Every submitted answer is "false", so a verdict agrees with the submission iff it is False.


def _errors(train: float, validation: float, test: float, weight_norm: float = 1.0) -> Errors:
    return Errors(train, validation, test, weight_norm, 12)


def _effect(without: Errors, with_l2: Errors, with_l1: Errors | None = None) -> PenaltyEffect:
    """(a)'s evidence; L1 defaults to exactly L2's errors."""
    return PenaltyEffect(
        12, without, [PenaltyFit("L2", 1e-3, -3.0, with_l2), PenaltyFit("L1", 1e-3, -3.0, with_l1 or with_l2)]
    )


# Neutral parts for whichever two of the three a case does not look at.
_EFFECT = _effect(_errors(0.01, 0.9, 0.9, 50.0), _errors(0.05, 0.1, 0.1))
_FEATURES = FeatureSweep([1, 2, 3], [0.3, 0.1, 0.05], [0.4, 0.1, 0.3], 2)
_LAMBDAS = LambdaSweep(12, [1e-6, 1e-2, 1e2], [0.01, 0.05, 0.6], [0.5, 0.1, 0.7], 1, [-6.0, -2.0, 2.0])


def _experiment(penalty_effect=_EFFECT, feature_sweep=_FEATURES, lambda_sweep=_LAMBDAS) -> RegularisationExperiment:
    return RegularisationExperiment(RegularisationProblem(), 0, 0.09, penalty_effect, feature_sweep, lambda_sweep)


def _check(statement, label: str, expected: bool) -> None:
    assert statement.label == label
    assert statement.answer is expected
    assert statement.agrees_with_submission is (expected is False)
    assert statement.evidence and all(isinstance(line, str) and line for line in statement.evidence)


# (a) "L1 or L2 cannot improve performance on unseen data": refuted exactly when a penalty
# it names has the lower error on the test set, the only data neither the fit nor the
# choice of lambda saw. (without, with_l2) as Errors(train, validation, test); here L1
# has L2's errors, the L1-only and L2-only cases are in test_q2_lasso.py.
@pytest.mark.parametrize(
    "without, with_l2, expected",
    [
        # Test error 0.9 -> 0.1: L2 did improve unseen-data error, so the statement is false
        # (that the training error went up, 0.01 -> 0.05, is beside the point).
        pytest.param(_errors(0.01, 0.9, 0.9), _errors(0.05, 0.1, 0.1), False, id="test-error-falls"),
        # Test error 0.1 -> 0.3: L2 made unseen-data error worse; nothing refutes the statement.
        pytest.param(_errors(0.02, 0.2, 0.1), _errors(0.05, 0.15, 0.3), True, id="test-error-rises"),
        # Test error unchanged: "improve" needs a strictly lower error, so not refuted.
        pytest.param(_errors(0.1, 0.2, 0.3), _errors(0.1, 0.2, 0.3), True, id="test-error-equal"),
        # Validation error falls 0.5 -> 0.2 but test error does not: the validation set chose
        # lambda, so it is not unseen data and cannot refute the statement on its own.
        pytest.param(_errors(0.01, 0.5, 0.3), _errors(0.05, 0.2, 0.4), True, id="only-validation-falls"),
    ],
)
def test_judge_regularisation_on_hand_made_evidence(without, with_l2, expected):
    experiment = _experiment(penalty_effect=_effect(without, with_l2))
    _check(judge_regularisation(experiment), "a", expected)


# (b) "More features cannot increase overfitting": refuted exactly when going from the
# best-validation degree to the largest one the model fits its training data better while
# doing worse on validation data, i.e. the extra features bought training fit at the cost
# of unseen-data error. Degrees 1..4.
@pytest.mark.parametrize(
    "train, validation, best_degree, expected",
    [
        # Best at degree 2; at degree 4 train 0.1 -> 0.02 and validation 0.12 -> 0.6: overfitting
        # grew with the features, so the statement is false.
        pytest.param([0.4, 0.1, 0.06, 0.02], [0.5, 0.12, 0.2, 0.6], 2, False, id="train-falls-validation-rises"),
        # Same training errors, but validation is back to its best value (0.12) at degree 4:
        # unseen-data error did not rise, so these features did not make the model overfit more.
        pytest.param([0.4, 0.1, 0.06, 0.02], [0.5, 0.12, 0.3, 0.12], 2, True, id="validation-does-not-rise"),
        # Validation rises 0.2 -> 0.55 but training error rises too (0.1 -> 0.5) and the
        # train/validation gap shrinks (0.1 -> 0.05): a worse model, not one that overfits.
        pytest.param([0.4, 0.1, 0.3, 0.5], [0.5, 0.2, 0.35, 0.55], 2, True, id="train-does-not-fall"),
        # Validation keeps falling up to degree 4 (best = largest): every added feature helped.
        pytest.param([0.4, 0.2, 0.1, 0.05], [0.5, 0.3, 0.2, 0.15], 4, True, id="validation-keeps-falling"),
    ],
)
def test_judge_features_on_hand_made_evidence(train, validation, best_degree, expected):
    experiment = _experiment(feature_sweep=FeatureSweep([1, 2, 3, 4], train, validation, best_degree))
    _check(judge_features(experiment), "b", expected)


_LAMBDA_EXPONENTS = [-6.0, -3.0, 0.0, 3.0]
_LAMBDA_GRID = [10.0**k for k in _LAMBDA_EXPONENTS]


# (c) "The larger the coefficient the better; it cannot make the model underfit".
@pytest.mark.parametrize(
    "train, validation, best_index, expected",
    [
        # Validation 0.6 -> 0.1 -> 0.85: a moderate lambda is best and the largest is far worse;
        # there the training error (0.8) is above the best validation error (0.1), so the model
        # cannot even fit its training data: too large a coefficient underfits. False.
        pytest.param([0.01, 0.04, 0.09, 0.8], [0.6, 0.2, 0.1, 0.85], 2, False, id="u-shaped-and-underfits"),
        # Validation falls all the way to the largest lambda: in this sweep larger was indeed
        # better and the strongest penalty gives the best model, so nothing refutes it. True.
        pytest.param([0.01, 0.02, 0.03, 0.05], [0.6, 0.4, 0.2, 0.1], 3, True, id="validation-only-falls"),
    ],
)
def test_judge_coefficient_on_hand_made_evidence(train, validation, best_index, expected):
    experiment = _experiment(
        lambda_sweep=LambdaSweep(12, _LAMBDA_GRID, train, validation, best_index, _LAMBDA_EXPONENTS)
    )
    _check(judge_coefficient(experiment), "c", expected)


# (c) is a conjunction ("the larger the better" and "cannot underfit"): either part failing
# makes it false, with or without an interior validation minimum.
@pytest.mark.parametrize(
    "train, validation, best_index",
    [
        # Validation rises from the smallest lambda on (0.1 -> 0.9) and the largest lambda's
        # training error (0.8) is far above the best validation error: larger is worse and the
        # model underfits, so the statement is false, though there is no interior minimum.
        pytest.param([0.01, 0.05, 0.3, 0.8], [0.1, 0.2, 0.5, 0.9], 0, id="validation-rises-from-the-start"),
        # Validation triples from its minimum (0.1 at lambda = 1e-3) to the largest lambda:
        # a larger coefficient is worse, which already refutes "the larger the better".
        pytest.param([0.01, 0.02, 0.04, 0.08], [0.6, 0.1, 0.15, 0.3], 1, id="u-shaped-train-below-best-validation"),
    ],
)
def test_judge_coefficient_false_whenever_a_larger_lambda_is_worse(train, validation, best_index):
    experiment = _experiment(
        lambda_sweep=LambdaSweep(12, _LAMBDA_GRID, train, validation, best_index, _LAMBDA_EXPONENTS)
    )
    _check(judge_coefficient(experiment), "c", False)


def test_training_error_never_rises_with_degree_or_falls_with_lambda():
    experiment = run_regularisation(seed=1)
    train_by_degree = experiment.feature_sweep.train_mse
    assert all(b <= a + 1e-12 for a, b in zip(train_by_degree, train_by_degree[1:]))  # nested least squares
    train_by_lambda = experiment.lambda_sweep.train_mse
    assert all(b >= a - 1e-12 for a, b in zip(train_by_lambda, train_by_lambda[1:]))


def test_cli_json_same_seed_same_output():
    runner = CliRunner()
    first = runner.invoke(cli, ["q2", "--format", "json", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert first.output == runner.invoke(cli, ["q2", "--format", "json", "--seed", "3"]).output
    data = json.loads(first.output)
    assert [s["answer"] for s in data["statements"]] == [False, False, False]
    assert data["experiment"]["lambda_sweep"]["lambdas"][0] == pytest.approx(1e-10)


@pytest.mark.parametrize(
    "fmt, start", [("text", "Question 2"), ("md", "## Question 2"), ("tex", "\\section{Question 2")]
)
def test_cli_formats(fmt, start):
    result = CliRunner().invoke(cli, ["q2", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(start)
    assert "reconstructed" in result.output


def test_cli_bad_option_exit_2_without_traceback():
    completed = subprocess.run([str(HWSOLVE), "q2", "--n-train", "2"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
