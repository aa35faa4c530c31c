"""Q2's L1 fit against independent computations, and (a)'s verdict with L1 and L2 apart.

- an orthonormal design, where the lasso is soft thresholding of least squares (closed form);
- scipy's L-BFGS-B on the smooth split form w = u - v, u, v >= 0 (a direct fit, no hwsolve code);
- the optimality (KKT) conditions, written out here;
- the smallest coefficient that zeroes every penalised weight, 2 max_j |phi_j^T (y - mean y)|.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from hwsolve.errors import HwsolveError
from hwsolve.experiments.regularisation import (
    Errors,
    FeatureSweep,
    LambdaSweep,
    PenaltyEffect,
    PenaltyFit,
    RegularisationExperiment,
    features,
    fit_lasso,
    make_dataset,
    run_regularisation,
)
from hwsolve.problem.q2 import RegularisationProblem
from hwsolve.solutions.q2 import judge_coefficient, judge_features, judge_regularisation, solve_q2


def _objective(design, y, penalty, weights):
    return float(np.sum((design @ weights - y) ** 2) + penalty * np.sum(np.abs(weights[1:])))


def _legendre_problem(seed=0, degree=12):
    data = make_dataset(RegularisationProblem(), seed)
    return features(data.x_train, degree), data.y_train


@pytest.mark.parametrize("penalty", [1e-3, 0.1, 2.0, 30.0])
def test_orthonormal_design_is_soft_thresholding(penalty):
    rng = np.random.default_rng(7)
    design, _ = np.linalg.qr(rng.standard_normal((40, 8)))  # orthonormal columns: Phi^T Phi = I
    y = rng.standard_normal(40) * 3
    least_squares = design.T @ y
    # minimise (w_j - b_j)^2 + penalty |w_j| per coordinate: shrink b_j by penalty / 2 towards 0.
    expected = np.sign(least_squares) * np.maximum(np.abs(least_squares) - penalty / 2, 0.0)
    expected[0] = least_squares[0]  # the intercept column is not penalised
    np.testing.assert_allclose(fit_lasso(design, y, penalty), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed, penalty", [(0, 1e-3), (0, 10**-0.5), (0, 3.0), (1, 10**-2.5), (3, 0.05)])
def test_lasso_matches_a_direct_bounded_fit(seed, penalty):
    design, y = _legendre_problem(seed)
    ours = fit_lasso(design, y, penalty)
    columns = design.shape[1]

    # w = u - v with u, v >= 0 turns |w_j| into u_j + v_j: smooth, bounded, solved by L-BFGS-B.
    def split_objective(z):
        u, v = z[:columns], z[columns:]
        weights = u - v
        residual = design @ weights - y
        grad_w = 2 * design.T @ residual
        grad_penalty = np.r_[0.0, np.full(columns - 1, penalty)]
        return float(residual @ residual + grad_penalty @ (u + v)), np.r_[grad_w + grad_penalty, -grad_w + grad_penalty]

    direct = minimize(
        split_objective,
        np.full(2 * columns, 0.1),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * (2 * columns),
        options={"maxiter": 200_000, "maxfun": 400_000, "ftol": 1e-15, "gtol": 1e-12},
    )
    direct_weights = direct.x[:columns] - direct.x[columns:]
    # The exact optimum is never worse than an iterative one, and the two agree.
    assert _objective(design, y, penalty, ours) <= _objective(design, y, penalty, direct_weights) + 1e-12
    assert _objective(design, y, penalty, ours) == pytest.approx(
        _objective(design, y, penalty, direct_weights), rel=1e-7
    )
    np.testing.assert_allclose(ours, direct_weights, atol=2e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lasso_satisfies_the_kkt_conditions(seed):
    design, y = _legendre_problem(seed)
    for penalty in (1e-4, 10**-2.5, 10**-0.5, 3.0):
        weights = fit_lasso(design, y, penalty)
        half_gradient = design.T @ (y - design @ weights)  # -(1/2) d/dw ||Phi w - y||^2
        scale = np.abs(design.T @ y).max()
        assert abs(half_gradient[0]) <= 1e-8 * scale  # the intercept is unpenalised
        for j in range(1, len(weights)):
            if weights[j] != 0:
                assert half_gradient[j] == pytest.approx(penalty / 2 * math.copysign(1, weights[j]), abs=1e-8 * scale)
            else:
                assert abs(half_gradient[j]) <= penalty / 2 + 1e-8 * scale


def test_the_penalty_that_zeroes_every_weight():
    design, y = _legendre_problem(0)
    centred = y - y.mean()  # with every penalised weight 0 the best intercept is the mean (P_0 = 1)
    threshold = 2 * np.abs(design[:, 1:].T @ centred).max()
    above = fit_lasso(design, y, threshold * 1.001)
    assert np.all(above[1:] == 0) and above[0] == pytest.approx(y.mean(), rel=1e-12)
    below = fit_lasso(design, y, threshold * 0.98)
    assert np.count_nonzero(below[1:]) >= 1


def test_zero_penalty_is_least_squares():
    design, y = _legendre_problem(0)
    np.testing.assert_allclose(
        fit_lasso(design, y, 0.0), np.linalg.lstsq(design, y, rcond=None)[0], rtol=1e-9, atol=1e-12
    )


def test_experiment_l1_effect_against_a_direct_refit():
    """(a)'s L1 row is the fit at the validation-best grid point, with its errors recomputed here from the weights."""
    experiment = run_regularisation(seed=0)
    fit = experiment.penalty_effect.fit("L1")
    data = make_dataset(RegularisationProblem(), 0)
    design = features(data.x_train, 12)
    weights = fit_lasso(design, data.y_train, fit.best_lambda)
    test_mse = float(np.mean((features(data.x_test, 12) @ weights - data.y_test) ** 2))
    assert fit.errors.test_mse == pytest.approx(test_mse, rel=1e-12)
    # The chosen lambda is the grid point with the lowest validation error, recomputed by brute force.
    validation = []
    for exponent in np.linspace(-10, 3, 27):
        w = fit_lasso(design, data.y_train, 10.0**exponent)
        validation.append(float(np.mean((features(data.x_validation, 12) @ w - data.y_validation) ** 2)))
    assert fit.best_log10_lambda == pytest.approx(np.linspace(-10, 3, 27)[int(np.argmin(validation))])
    # And it does lower the test error against plain least squares, which is what (a) rests on.
    ols = np.linalg.lstsq(design, data.y_train, rcond=None)[0]
    ols_test = float(np.mean((features(data.x_test, 12) @ ols - data.y_test) ** 2))
    assert test_mse < ols_test
    assert fit.errors.nonzero_weights == int(np.count_nonzero(weights[1:])) < 12


def test_the_l1_run_is_fast():
    import time

    start = time.perf_counter()
    solve_q2(seed=0)  # one experiment plus the ten-seed check
    assert time.perf_counter() - start < 10.0


# (a) with L1 and L2 apart: "L1 or L2 cannot improve" falls to either counterexample,
# and stands only when neither penalty lowers the test error.
def _errors(test: float, nonzero: int = 12) -> Errors:
    return Errors(0.05, 0.1, test, 1.0, nonzero)


_FEATURES = FeatureSweep([1, 2, 3], [0.3, 0.1, 0.05], [0.4, 0.1, 0.3], 2)
_LAMBDAS = LambdaSweep(12, [1e-6, 1e-2, 1e2], [0.01, 0.05, 0.6], [0.5, 0.1, 0.7], 1, [-6.0, -2.0, 2.0])


def _experiment(without_test: float, l2_test: float, l1_test: float) -> RegularisationExperiment:
    effect = PenaltyEffect(
        12,
        Errors(0.01, 0.4, without_test, 5.0, 12),
        [PenaltyFit("L2", 0.1, -1.0, _errors(l2_test)), PenaltyFit("L1", 0.1, -1.0, _errors(l1_test, 4))],
    )
    return RegularisationExperiment(RegularisationProblem(), 0, 0.09, effect, _FEATURES, _LAMBDAS)


@pytest.mark.parametrize(
    "without, l2, l1, expected, findings",
    [
        pytest.param(0.4, 0.2, 0.15, False, {"L2": True, "L1": True}, id="both-lower-the-test-error"),
        pytest.param(0.4, 0.5, 0.15, False, {"L2": False, "L1": True}, id="only-L1-lowers-it"),
        pytest.param(0.4, 0.2, 0.6, False, {"L2": True, "L1": False}, id="only-L2-lowers-it"),
        pytest.param(0.4, 0.5, 0.4, True, {"L2": False, "L1": False}, id="neither-lowers-it"),
    ],
)
def test_judge_regularisation_uses_both_penalties(without, l2, l1, expected, findings):
    statement = judge_regularisation(_experiment(without, l2, l1))
    assert statement.answer is expected and statement.findings == findings
    assert any("L1" in line for line in statement.evidence) and any("L2" in line for line in statement.evidence)


@pytest.mark.parametrize("position", ["without", "l2", "l1"])
def test_a_nan_error_never_reaches_verdict_a(position):
    values = {"without": 0.4, "l2": 0.2, "l1": 0.15, position: float("nan")}
    with pytest.raises(HwsolveError, match=r"Q2\(a\).*not finite"):
        judge_regularisation(_experiment(values["without"], values["l2"], values["l1"]))


def test_a_nan_error_never_reaches_verdicts_b_and_c():
    nan = float("nan")
    features_nan = RegularisationExperiment(
        RegularisationProblem(),
        0,
        0.09,
        _experiment(0.4, 0.2, 0.1).penalty_effect,
        FeatureSweep([1, 2, 3], [0.3, 0.1, 0.05], [0.4, 0.1, nan], 2),
        _LAMBDAS,
    )
    with pytest.raises(HwsolveError, match=r"Q2\(b\)"):
        judge_features(features_nan)
    lambdas_nan = RegularisationExperiment(
        RegularisationProblem(),
        0,
        0.09,
        _experiment(0.4, 0.2, 0.1).penalty_effect,
        _FEATURES,
        LambdaSweep(12, [1e-6, 1e-2, 1e2], [0.01, 0.05, nan], [0.5, 0.1, 0.7], 1, [-6.0, -2.0, 2.0]),
    )
    with pytest.raises(HwsolveError, match=r"Q2\(c\)"):
        judge_coefficient(lambdas_nan)


def test_seed_check_counts_each_seed():
    solution = solve_q2(seed=0, seeds_checked=3)
    check = solution.seed_check
    assert check.seeds == [0, 1, 2] and solution.seeds == [0, 1, 2]
    for seed in check.seeds:  # each seed's answers are those of a fresh solve on that seed alone
        alone = solve_q2(seed=seed, seeds_checked=0)
        assert alone.seed_check is None
        for statement in alone.statements:
            assert check.answers[statement.label][seed] is statement.answer
        assert check.penalty_improves["L1"][seed] is alone.statement("a").findings["L1"]


def test_compressed_system_has_the_same_ridge_minimiser():
    from hwsolve.experiments.regularisation import compress, fit_ridge

    design, y = _legendre_problem(2)
    system, target_values = compress(design, y)
    assert system.shape == (13, 13)
    for penalty in (0.0, 1e-4, 0.3, 50.0):
        penalty_matrix = np.eye(13)
        penalty_matrix[0, 0] = 0.0
        expected = np.linalg.solve(design.T @ design + penalty * penalty_matrix, design.T @ y)  # normal equations
        np.testing.assert_allclose(fit_ridge(system, target_values, penalty), expected, rtol=1e-7, atol=1e-9)


def test_lasso_with_more_features_than_points_is_no_worse_than_a_direct_fit():
    rng = np.random.default_rng(3)
    design, y = rng.standard_normal((10, 20)), rng.standard_normal(10)
    design[:, 0] = 1.0
    penalty = 0.05
    ours = fit_lasso(design, y, penalty)

    def split_objective(z):
        weights = z[:20] - z[20:]
        residual = design @ weights - y
        grad_w, grad_penalty = 2 * design.T @ residual, np.r_[0.0, np.full(19, penalty)]
        return float(residual @ residual + grad_penalty @ (z[:20] + z[20:])), np.r_[
            grad_w + grad_penalty, -grad_w + grad_penalty
        ]

    direct = minimize(
        split_objective,
        np.full(40, 0.1),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * 40,
        options={"maxiter": 200_000, "maxfun": 400_000, "ftol": 1e-15, "gtol": 1e-12},
    )
    direct_weights = direct.x[:20] - direct.x[20:]
    assert _objective(design, y, penalty, ours) <= _objective(design, y, penalty, direct_weights) + 1e-8
    assert (
        np.count_nonzero(ours[1:]) <= 10
    )  # a lasso solution on 10 points keeps at most 10 weights (here: 9 + intercept)


def test_cli_extremes_of_the_options_still_answer():
    from click.testing import CliRunner

    from hwsolve.cli import cli

    for args in (["--degree", "40"], ["--noise", "0"], ["--n-train", "5"]):
        result = CliRunner().invoke(cli, ["q2", *args])
        assert result.exit_code == 0, (args, result.output)
        assert result.output.count("[reconstructed]") == 3
