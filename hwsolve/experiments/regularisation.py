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
from typing import cast

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
    log10_lambdas: list[float]  # the grid's exponents: lambdas[i] = 10**log10_lambdas[i]
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
    # lstsq's stubs cannot tell which overload an untyped ndarray takes; its solution is an ndarray.
    weights: np.ndarray = np.linalg.lstsq(stacked, targets, rcond=None)[0]
    return weights


# fit_lasso is the feature-sign search of Lee, Battle, Raina and Ng (NIPS 2006):
# guess the support and signs, solve the quadratic on that support exactly,
# and walk from the current point towards that solution only as far as the
# objective keeps falling (stopping where a weight crosses zero). Each step
# lowers the objective, so it ends after finitely many steps, at a point that
# satisfies the optimality (KKT) conditions to rounding, however
# ill-conditioned the Gram matrix. Where a step cannot lower the objective
# (a singular support, more features than points, or rounding at a tiny
# lambda), cyclic coordinate descent takes over for a few sweeps: it lowers
# the objective whenever the point is not optimal. A point neither can lower
# is optimal to rounding.
LASSO_MAX_STEPS = 2_000
LASSO_FALLBACK_SWEEPS = 10
KKT_RELATIVE_SLACK = 1e-9
OBJECTIVE_RELATIVE_ROUNDING = 1e-14
UNIQUENESS_RIDGE = 1e-12


def fit_lasso(design: np.ndarray, y: np.ndarray, penalty: float, start: np.ndarray | None = None) -> np.ndarray:
    """argmin ||Phi w - y||^2 + penalty ||w[1:]||_1 (intercept unpenalised); `start` warm-starts a path."""
    if penalty == 0.0:
        return fit_ridge(design, y, 0.0)
    gram, correlation = design.T @ design, design.T @ y
    if design.shape[0] < design.shape[1]:
        # More features than points: the lasso's minimiser need not be unique. A ridge term
        # 1e-12 (relative to the Gram matrix's scale) picks one and makes every support solvable.
        gram = gram + UNIQUENESS_RIDGE * np.trace(gram) / gram.shape[0] * np.eye(gram.shape[0])
    weights = np.zeros(design.shape[1]) if start is None else np.array(start, dtype=float)
    slack = KKT_RELATIVE_SLACK * max(penalty / 2.0, float(np.abs(correlation).max()))
    objective = lasso_objective(gram, correlation, penalty, weights)
    for _ in range(LASSO_MAX_STEPS):
        signs = np.sign(weights)
        signs[0] = 0.0  # the intercept is not penalised
        if _active_violation(gram, correlation, penalty, weights) <= slack:
            half_gradient = correlation - gram @ weights
            excess = np.where(weights[1:] == 0, np.abs(half_gradient[1:]) - penalty / 2.0, -np.inf)
            if excess.size == 0 or excess.max() <= slack:
                return weights
            entering = 1 + int(np.argmax(excess))
            signs[entering] = np.sign(half_gradient[entering])
        candidate = _feature_sign_step(gram, correlation, penalty, weights, signs)
        if not _lower(lasso_objective(gram, correlation, penalty, candidate), objective):
            candidate = _coordinate_sweeps(gram, correlation, penalty, weights, LASSO_FALLBACK_SWEEPS)
            if not _lower(lasso_objective(gram, correlation, penalty, candidate), objective):
                return weights  # neither method can lower the objective: optimal to rounding
        weights, objective = candidate, lasso_objective(gram, correlation, penalty, candidate)
    raise HwsolveError(
        f"Q2: the L1 fit at lambda = {penalty:g} did not reach its optimality conditions in {LASSO_MAX_STEPS} steps"
    )


def _lower(new: float, old: float) -> bool:
    return new < old - OBJECTIVE_RELATIVE_ROUNDING * max(abs(old), 1.0)


def _coordinate_sweeps(
    gram: np.ndarray, correlation: np.ndarray, penalty: float, weights: np.ndarray, sweeps: int
) -> np.ndarray:
    """Exact minimisation along one coordinate at a time: soft thresholding at penalty / 2 (the intercept: none)."""
    weights = weights.copy()
    diagonal, threshold = np.diag(gram), penalty / 2.0
    for _ in range(sweeps):
        for j in range(len(weights)):
            if diagonal[j] == 0:
                continue
            rho = correlation[j] - gram[j] @ weights + diagonal[j] * weights[j]
            shrunk = rho if j == 0 else np.sign(rho) * max(abs(rho) - threshold, 0.0)
            weights[j] = shrunk / diagonal[j]
    return weights


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


def _feature_sign_step(
    gram: np.ndarray, correlation: np.ndarray, penalty: float, weights: np.ndarray, signs: np.ndarray
) -> np.ndarray:
    """Towards the exact minimiser on the support of `signs`, stopping at the best zero crossing on the way."""
    support = np.union1d(np.flatnonzero(signs), [0])
    target_point = np.zeros_like(weights)
    system = gram[np.ix_(support, support)]
    target_point[support] = np.linalg.lstsq(system, correlation[support] - penalty / 2.0 * signs[support], rcond=None)[
        0
    ]
    candidates = [target_point]
    direction = target_point - weights
    for j in support[support != 0]:
        if weights[j] != 0 and np.sign(target_point[j]) != np.sign(weights[j]):
            crossing = weights + (weights[j] / (weights[j] - target_point[j])) * direction
            crossing[j] = 0.0
            candidates.append(crossing)
    return min(candidates, key=lambda point: lasso_objective(gram, correlation, penalty, point))


@dataclass(frozen=True)
class Designs:
    """One degree's feature matrices, built once and shared by every fit at that degree."""

    degree: int
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def designs_of(data: Dataset, degree: int) -> Designs:
    return Designs(
        degree, features(data.x_train, degree), features(data.x_validation, degree), features(data.x_test, degree)
    )


def compress(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, Q^T y) from design = QR: ||design w - y||^2 = ||R w - Q^T y||^2 + a constant, so every fit has the
    same minimiser on p rows instead of n (a sweep over many lambdas then costs one QR, not one per lambda)."""
    columns = design.shape[1]
    if design.shape[0] <= columns:
        return design, y
    # The R factor of [design, y] holds R and Q^T y in its first p rows; Q itself is never formed.
    # numpy's stubs declare a (Q, R) pair for every mode; mode="r" returns the R array alone.
    augmented = cast(np.ndarray, np.linalg.qr(np.column_stack([design, y]), mode="r"))
    return augmented[:columns, :columns], augmented[:columns, columns]


def errors_of(data: Dataset, designs: Designs, weights: np.ndarray) -> Errors:
    def mse(design: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean((design @ weights - y) ** 2))

    return Errors(
        mse(designs.train, data.y_train),
        mse(designs.validation, data.y_validation),
        mse(designs.test, data.y_test),
        float(np.linalg.norm(weights[1:])),
        int(np.count_nonzero(weights[1:])),
    )


def evaluate(data: Dataset, degree: int, penalty: float) -> Errors:
    return ridge_path(data, designs_of(data, degree), [penalty])[0]


def ridge_path(data: Dataset, designs: Designs, lambdas: list[float]) -> list[Errors]:
    system, target_values = compress(designs.train, data.y_train)
    return [errors_of(data, designs, fit_ridge(system, target_values, penalty)) for penalty in lambdas]


def log10_lambda_grid(problem: RegularisationProblem) -> list[float]:
    return [
        float(value) for value in np.linspace(problem.log10_lambda_min, problem.log10_lambda_max, problem.n_lambdas)
    ]


def lambda_grid(problem: RegularisationProblem) -> list[float]:
    return [10.0**exponent for exponent in log10_lambda_grid(problem)]


def lasso_path(data: Dataset, designs: Designs, lambdas: list[float]) -> list[Errors]:
    """L1 fits along the grid, from the largest coefficient down (each warm-starts the next)."""
    system, target_values = compress(designs.train, data.y_train)  # the same objective, up to a constant
    weights: np.ndarray | None = None
    by_lambda: dict[float, Errors] = {}
    for penalty in sorted(lambdas, reverse=True):
        weights = fit_lasso(system, target_values, penalty, weights)
        by_lambda[penalty] = errors_of(data, designs, weights)
    return [by_lambda[penalty] for penalty in lambdas]


def _sweep(
    penalty: str, degree: int, lambdas: list[float], exponents: list[float], errors: list[Errors]
) -> LambdaSweep:
    best_index = int(np.argmin([e.validation_mse for e in errors]))
    return LambdaSweep(
        degree,
        lambdas,
        [e.train_mse for e in errors],
        [e.validation_mse for e in errors],
        best_index,
        exponents,
        penalty,
    )


def _best_fit(sweep: LambdaSweep, errors: list[Errors]) -> PenaltyFit:
    best = sweep.best_index
    return PenaltyFit(sweep.penalty, sweep.lambdas[best], sweep.log10_lambdas[best], errors[best])


def run_regularisation(
    problem: RegularisationProblem = RegularisationProblem(), seed: int = 0
) -> RegularisationExperiment:
    data = make_dataset(problem, seed)
    exponents = log10_lambda_grid(problem)
    lambdas = [10.0**exponent for exponent in exponents]

    designs = designs_of(data, problem.degree)
    ridge = ridge_path(data, designs, lambdas)
    lasso = lasso_path(data, designs, lambdas)
    lambda_sweep = _sweep(L2, problem.degree, lambdas, exponents, ridge)
    lasso_sweep = _sweep(L1, problem.degree, lambdas, exponents, lasso)
    effect = PenaltyEffect(
        problem.degree,
        ridge_path(data, designs, [0.0])[0],
        [_best_fit(lambda_sweep, ridge), _best_fit(lasso_sweep, lasso)],
    )

    degrees = list(range(1, problem.max_degree + 1))
    by_degree = [evaluate(data, degree, 0.0) for degree in degrees]
    validation = [e.validation_mse for e in by_degree]
    feature_sweep = FeatureSweep(
        degrees, [e.train_mse for e in by_degree], validation, degrees[int(np.argmin(validation))]
    )

    return RegularisationExperiment(problem, seed, problem.noise**2, effect, feature_sweep, lambda_sweep, lasso_sweep)
