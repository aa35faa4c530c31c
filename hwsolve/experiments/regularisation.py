"""Q2: L2 (ridge) and L1 (lasso) regression of a noisy sine on polynomial features (float64, numpy).

Data: x ~ U[-1, 1], y = sin(pi x) + N(0, noise^2), with independent train,
validation and test draws from one seeded generator. Features: Legendre
polynomials P_0..P_d (well conditioned on [-1, 1]); P_0 is the intercept and
is never penalised. Both penalties use the same objective scale, so one grid
of coefficients serves both:

    L2: ||Phi w - y||^2 + lambda ||w[1:]||_2^2   (closed form, see fit_ridge)
    L1: ||Phi w - y||^2 + lambda ||w[1:]||_1     (exact, see fit_lasso)

lambda = 0 is ordinary least squares for both.

Key numbers: RegularisationExperiment.penalty_effect (a), .feature_sweep (b),
.lambda_sweep (c, L2) and .lasso_sweep (the L1 sweep behind (a)); every list
is aligned with its degrees / lambdas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsolve.errors import HwsolveError
from hwsolve.problem.q2 import RegularisationProblem

L2, L1 = "L2", "L1"


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
    weight_norm: float  # ||w||_2 without the intercept: what L2 shrinks
    nonzero_weights: int = -1  # penalised weights that are not exactly 0 (what L1 sets to 0); -1: not counted


@dataclass(frozen=True)
class PenaltyFit:
    """One penalty at the coefficient chosen on the validation set; its test error is unseen by that choice."""

    penalty: str  # L2 or L1
    best_lambda: float
    best_log10_lambda: float  # the grid point, exactly (lambda = 10^this)
    errors: Errors


@dataclass(frozen=True)
class PenaltyEffect:  # (a)
    degree: int
    without: Errors  # lambda = 0 (ordinary least squares)
    fits: list[PenaltyFit]  # L2 then L1

    def fit(self, penalty: str) -> PenaltyFit:
        return next(fit for fit in self.fits if fit.penalty == penalty)


@dataclass(frozen=True)
class FeatureSweep:  # (b)
    degrees: list[int]
    train_mse: list[float]
    validation_mse: list[float]
    best_degree: int  # lowest validation error


@dataclass(frozen=True)
class LambdaSweep:  # (c) for L2; the L1 sweep has the same shape
    degree: int
    lambdas: list[float]
    train_mse: list[float]
    validation_mse: list[float]
    best_index: int
    log10_lambdas: list[float] | None = None  # the grid's exponents: lambdas[i] = 10**log10_lambdas[i]
    penalty: str = L2


@dataclass(frozen=True)
class RegularisationExperiment:
    problem: RegularisationProblem
    seed: int
    noise_variance: float  # the floor no model can beat on validation/test
    penalty_effect: PenaltyEffect
    feature_sweep: FeatureSweep
    lambda_sweep: LambdaSweep  # L2
    lasso_sweep: LambdaSweep | None = None  # L1


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
    """argmin ||Phi w - y||^2 + penalty ||w[1:]||^2 (intercept unpenalised).

    Solved as the least-squares problem [Phi; sqrt(penalty) D] w = [y; 0],
    D = I without its intercept row: the normal equations
    (Phi^T Phi + penalty D^T D) w = Phi^T y without squaring the condition number.
    """
    columns = design.shape[1]
    penalty_rows = np.sqrt(penalty) * np.eye(columns)[1:]
    stacked = np.vstack([design, penalty_rows])
    targets = np.concatenate([y, np.zeros(columns - 1)])
    return np.linalg.lstsq(stacked, targets, rcond=None)[0]


# fit_lasso is the feature-sign search of Lee, Battle, Raina and Ng (NIPS 2006):
# guess the support and signs, solve the quadratic on that support exactly,
# and walk from the current point towards that solution only as far as the
# objective keeps falling (stopping where a weight crosses zero). Each step
# lowers the objective, so it ends after finitely many steps, at a point that
# satisfies the optimality (KKT) conditions to rounding: exact, not
# "converged to a tolerance", however ill-conditioned the Gram matrix.
LASSO_MAX_STEPS = 10_000
KKT_RELATIVE_SLACK = 1e-9


def fit_lasso(design: np.ndarray, y: np.ndarray, penalty: float, start: np.ndarray | None = None) -> np.ndarray:
    """argmin ||Phi w - y||^2 + penalty ||w[1:]||_1 (intercept unpenalised); `start` warm-starts a path."""
    if penalty == 0.0:
        return fit_ridge(design, y, 0.0)
    gram, correlation = design.T @ design, design.T @ y
    weights = np.zeros(design.shape[1]) if start is None else np.array(start, dtype=float)
    slack = KKT_RELATIVE_SLACK * max(penalty / 2.0, float(np.abs(correlation).max()))
    for _ in range(LASSO_MAX_STEPS):
        signs = np.sign(weights)
        signs[0] = 0.0  # the intercept is not penalised
        if _active_violation(gram, correlation, penalty, weights) > slack:
            weights = _feature_sign_step(gram, correlation, penalty, weights, signs)
            continue
        half_gradient = correlation - gram @ weights
        excess = np.where(weights[1:] == 0, np.abs(half_gradient[1:]) - penalty / 2.0, -np.inf)
        if excess.size == 0 or excess.max() <= slack:
            return weights
        entering = 1 + int(np.argmax(excess))
        signs[entering] = np.sign(half_gradient[entering])
        weights = _feature_sign_step(gram, correlation, penalty, weights, signs)
    raise HwsolveError(f"Q2: the L1 fit at lambda = {penalty:g} did not reach its optimality conditions")


def lasso_objective(gram: np.ndarray, correlation: np.ndarray, penalty: float, weights: np.ndarray) -> float:
    """||Phi w - y||^2 + penalty ||w[1:]||_1, less the constant ||y||^2."""
    return float(weights @ gram @ weights - 2.0 * correlation @ weights + penalty * np.abs(weights[1:]).sum())


def _active_violation(gram: np.ndarray, correlation: np.ndarray, penalty: float, weights: np.ndarray) -> float:
    """Largest KKT residual on the intercept and the non-zero weights: g_j = (penalty / 2) sign(w_j), g = c - G w."""
    signs = np.sign(weights)
    signs[0] = 0.0
    active = weights != 0
    active[0] = True
    residual = (correlation - gram @ weights) - penalty / 2.0 * signs
    return float(np.abs(residual[active]).max())


def _feature_sign_step(gram: np.ndarray, correlation: np.ndarray, penalty: float, weights: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Towards the exact minimiser on the support of `signs`, stopping at the best zero crossing on the way."""
    support = np.union1d(np.flatnonzero(signs), [0])
    target_point = np.zeros_like(weights)
    system = gram[np.ix_(support, support)]
    target_point[support] = np.linalg.lstsq(system, correlation[support] - penalty / 2.0 * signs[support], rcond=None)[0]
    candidates = [target_point]
    direction = target_point - weights
    for j in support[support != 0]:
        if weights[j] != 0 and np.sign(target_point[j]) != np.sign(weights[j]):
            crossing = weights + (weights[j] / (weights[j] - target_point[j])) * direction
            crossing[j] = 0.0
            candidates.append(crossing)
    return min(candidates, key=lambda point: lasso_objective(gram, correlation, penalty, point))


def lasso_optimality_violation(gram: np.ndarray, correlation: np.ndarray, penalty: float, weights: np.ndarray) -> float:
    """The largest KKT residual of `weights` for the L1 problem (0 at the optimum, up to rounding).

    With g = correlation - Gram w (half the negative gradient of the squared
    error): g_0 = 0 (intercept); g_j = (penalty / 2) sign(w_j) where w_j != 0;
    |g_j| <= penalty / 2 where w_j = 0.
    """
    half_gradient = correlation - gram @ weights
    zero = weights[1:] == 0
    outside = np.maximum(np.abs(half_gradient[1:][zero]) - penalty / 2.0, 0.0)
    return max(_active_violation(gram, correlation, penalty, weights), float(outside.max()) if outside.size else 0.0)


def mean_squared_error(weights: np.ndarray, x: np.ndarray, y: np.ndarray, degree: int) -> float:
    return float(np.mean((features(x, degree) @ weights - y) ** 2))


def errors_of(data: Dataset, degree: int, weights: np.ndarray) -> Errors:
    return Errors(
        mean_squared_error(weights, data.x_train, data.y_train, degree),
        mean_squared_error(weights, data.x_validation, data.y_validation, degree),
        mean_squared_error(weights, data.x_test, data.y_test, degree),
        float(np.linalg.norm(weights[1:])),
        int(np.count_nonzero(weights[1:])),
    )


def evaluate(data: Dataset, degree: int, penalty: float) -> Errors:
    return errors_of(data, degree, fit_ridge(features(data.x_train, degree), data.y_train, penalty))


def log10_lambda_grid(problem: RegularisationProblem) -> list[float]:
    return [float(value) for value in np.linspace(problem.log10_lambda_min, problem.log10_lambda_max, problem.n_lambdas)]


def lambda_grid(problem: RegularisationProblem) -> list[float]:
    return [10.0**exponent for exponent in log10_lambda_grid(problem)]


def lasso_path(data: Dataset, degree: int, lambdas: list[float]) -> list[Errors]:
    """L1 fits along the grid, from the largest coefficient down (each warm-starts the next)."""
    design = features(data.x_train, degree)
    weights, by_lambda = None, {}
    for penalty in sorted(lambdas, reverse=True):
        weights = fit_lasso(design, data.y_train, penalty, weights)
        by_lambda[penalty] = errors_of(data, degree, weights)
    return [by_lambda[penalty] for penalty in lambdas]


def _sweep(penalty: str, degree: int, lambdas: list[float], exponents: list[float], errors: list[Errors]) -> LambdaSweep:
    best_index = int(np.argmin([e.validation_mse for e in errors]))
    return LambdaSweep(degree, lambdas, [e.train_mse for e in errors], [e.validation_mse for e in errors], best_index, exponents, penalty)


def _best_fit(sweep: LambdaSweep, errors: list[Errors]) -> PenaltyFit:
    best = sweep.best_index
    return PenaltyFit(sweep.penalty, sweep.lambdas[best], sweep.log10_lambdas[best], errors[best])


def run_regularisation(problem: RegularisationProblem = RegularisationProblem(), seed: int = 0) -> RegularisationExperiment:
    data = make_dataset(problem, seed)
    exponents = log10_lambda_grid(problem)
    lambdas = [10.0**exponent for exponent in exponents]

    ridge = [evaluate(data, problem.degree, penalty) for penalty in lambdas]
    lasso = lasso_path(data, problem.degree, lambdas)
    lambda_sweep = _sweep(L2, problem.degree, lambdas, exponents, ridge)
    lasso_sweep = _sweep(L1, problem.degree, lambdas, exponents, lasso)
    effect = PenaltyEffect(problem.degree, evaluate(data, problem.degree, 0.0),
                           [_best_fit(lambda_sweep, ridge), _best_fit(lasso_sweep, lasso)])

    degrees = list(range(1, problem.max_degree + 1))
    by_degree = [evaluate(data, degree, 0.0) for degree in degrees]
    validation = [e.validation_mse for e in by_degree]
    feature_sweep = FeatureSweep(degrees, [e.train_mse for e in by_degree], validation, degrees[int(np.argmin(validation))])

    return RegularisationExperiment(problem, seed, problem.noise**2, effect, feature_sweep, lambda_sweep, lasso_sweep)
