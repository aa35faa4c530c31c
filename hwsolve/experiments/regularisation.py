"""Q2: ridge regression of a noisy sine on polynomial features (float64, numpy).

Data: x ~ U[-1, 1], y = sin(pi x) + N(0, noise^2), with independent train,
validation and test draws from one seeded generator. Features: Legendre
polynomials P_0..P_d (well conditioned on [-1, 1]); P_0 is the intercept and
is not penalised. Ridge in closed form, solved as the least-squares problem

    [Phi; sqrt(lambda) D] w = [y; 0],   D = I without its intercept row,

which is (Phi^T Phi + lambda D^T D) w = Phi^T y without squaring the
condition number. lambda = 0 is ordinary least squares.

Key numbers: RegularisationExperiment.l2_effect (a), .feature_sweep (b),
.lambda_sweep (c); every list is aligned with its degrees / lambdas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsolve.problem.q2 import RegularisationProblem


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class Errors:
    train_mse: float
    validation_mse: float
    test_mse: float
    weight_norm: float  # ||w|| without the intercept: what L2 shrinks


@dataclass(frozen=True)
class L2Effect:  # (a)
    degree: int
    without: Errors  # lambda = 0
    best_lambda: float  # chosen on the validation set
    with_l2: Errors  # at best_lambda; its test error is unseen by the choice


@dataclass(frozen=True)
class FeatureSweep:  # (b)
    degrees: list[int]
    train_mse: list[float]
    validation_mse: list[float]
    best_degree: int  # lowest validation error


@dataclass(frozen=True)
class LambdaSweep:  # (c)
    degree: int
    lambdas: list[float]
    train_mse: list[float]
    validation_mse: list[float]
    best_index: int


@dataclass(frozen=True)
class RegularisationExperiment:
    problem: RegularisationProblem
    seed: int
    noise_variance: float  # the floor no model can beat on validation/test
    l2_effect: L2Effect
    feature_sweep: FeatureSweep
    lambda_sweep: LambdaSweep


def target(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


def make_dataset(problem: RegularisationProblem, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        x = rng.uniform(-1.0, 1.0, n)
        return x, target(x) + problem.noise * rng.standard_normal(n)

    return Dataset(*draw(problem.n_train), *draw(problem.n_validation), *draw(problem.n_test))


def features(x: np.ndarray, degree: int) -> np.ndarray:
    return np.polynomial.legendre.legvander(x, degree)


def fit_ridge(design: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    """argmin ||Phi w - y||^2 + penalty ||w[1:]||^2 (intercept unpenalised)."""
    columns = design.shape[1]
    penalty_rows = np.sqrt(penalty) * np.eye(columns)[1:]
    stacked = np.vstack([design, penalty_rows])
    targets = np.concatenate([y, np.zeros(columns - 1)])
    return np.linalg.lstsq(stacked, targets, rcond=None)[0]


def mean_squared_error(weights: np.ndarray, x: np.ndarray, y: np.ndarray, degree: int) -> float:
    return float(np.mean((features(x, degree) @ weights - y) ** 2))


def evaluate(data: Dataset, degree: int, penalty: float) -> Errors:
    weights = fit_ridge(features(data.x_train, degree), data.y_train, penalty)
    return Errors(
        mean_squared_error(weights, data.x_train, data.y_train, degree),
        mean_squared_error(weights, data.x_validation, data.y_validation, degree),
        mean_squared_error(weights, data.x_test, data.y_test, degree),
        float(np.linalg.norm(weights[1:])),
    )


def lambda_grid(problem: RegularisationProblem) -> list[float]:
    return [float(value) for value in np.logspace(problem.log10_lambda_min, problem.log10_lambda_max, problem.n_lambdas)]


def run_regularisation(problem: RegularisationProblem = RegularisationProblem(), seed: int = 0) -> RegularisationExperiment:
    data = make_dataset(problem, seed)
    lambdas = lambda_grid(problem)

    sweep = [evaluate(data, problem.degree, penalty) for penalty in lambdas]
    best_index = int(np.argmin([errors.validation_mse for errors in sweep]))
    lambda_sweep = LambdaSweep(
        problem.degree, lambdas, [e.train_mse for e in sweep], [e.validation_mse for e in sweep], best_index
    )
    l2_effect = L2Effect(problem.degree, evaluate(data, problem.degree, 0.0), lambdas[best_index], sweep[best_index])

    degrees = list(range(1, problem.max_degree + 1))
    by_degree = [evaluate(data, degree, 0.0) for degree in degrees]
    validation = [e.validation_mse for e in by_degree]
    feature_sweep = FeatureSweep(degrees, [e.train_mse for e in by_degree], validation, degrees[int(np.argmin(validation))])

    return RegularisationExperiment(problem, seed, problem.noise**2, l2_effect, feature_sweep, lambda_sweep)
