"""Q2: ridge closed form vs torch normal equations, answers computed from the numbers, CLI, formats."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from hwsolve.cli import cli
from hwsolve.experiments.regularisation import Errors, features, fit_ridge, make_dataset, run_regularisation
from hwsolve.problem.q2 import RECONSTRUCTED_STATEMENTS, RegularisationProblem
from hwsolve.solutions.q2 import judge_coefficient, judge_features, judge_l2, solve_q2

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


def test_answers_follow_the_evidence_across_seeds():
    # The answer is a function of the numbers: recompute each criterion independently.
    for seed in range(5):
        experiment = run_regularisation(seed=seed)
        effect = experiment.l2_effect
        assert judge_l2(experiment).answer == (not effect.with_l2.test_mse < effect.without.test_mse)
        sweep = experiment.feature_sweep
        best = sweep.degrees.index(sweep.best_degree)
        overfits = sweep.train_mse[-1] < sweep.train_mse[best] and sweep.validation_mse[-1] > sweep.validation_mse[best]
        assert judge_features(experiment).answer == (not overfits)


def test_a_flips_to_true_when_l2_does_not_help():
    experiment = run_regularisation(seed=0)
    same = Errors(0.1, 0.2, 0.3, 1.0)
    no_help = dataclasses.replace(experiment, l2_effect=dataclasses.replace(experiment.l2_effect, without=same, with_l2=same))
    assert judge_l2(no_help).answer is True


def test_c_flips_to_true_when_validation_error_only_falls():
    experiment = run_regularisation(seed=0)
    n = len(experiment.lambda_sweep.lambdas)
    falling = dataclasses.replace(
        experiment.lambda_sweep,
        train_mse=[0.01] * n,
        validation_mse=[1.0 - i / n for i in range(n)],
        best_index=n - 1,
    )
    assert judge_coefficient(dataclasses.replace(experiment, lambda_sweep=falling)).answer is True


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


@pytest.mark.parametrize("fmt, start", [("text", "Question 2"), ("md", "## Question 2"), ("tex", "\\section{Question 2")])
def test_cli_formats(fmt, start):
    result = CliRunner().invoke(cli, ["q2", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(start)
    assert "reconstructed" in result.output


def test_cli_bad_option_exit_2_without_traceback():
    completed = subprocess.run([str(HWSOLVE), "q2", "--n-train", "2"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
