"""Q1 (multilayer perceptrons): the Solution dataclasses and solve_q1().

solve_q1(part=None, seed=0, ...) -> Q1Solution with one sub-solution per part
(None for parts not asked for). Key numbers, by part:

- a (Q1aSolution): proven (bool, SymPy), max_relative_difference (torch,
  stacked vs collapsed), affine_fit_residuals[i].relative_residual (the
  counterexample: > 0 with ReLU/sigmoid, rounding error without).
- b (Q1bSolution): x, mask, test (list), train (rate string -> list),
  train_exact (rate -> exact rationals), expectation_of_scaled_mask ("1").
- c (Q1cSolution): runs[i].{width, parameters, train_accuracy, test_accuracy,
  gap}, substitutions (why the widest width was replaced), conclusions.
- d (Q1dSolution): sigmoid_derivative_max, derivative_maxima, gradient_norms
  (default init, activation -> per-layer list), gradient_norms_by_initialisation,
  sigmoid_shrink[init].factor vs bound_quarter, conclusions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sympy as sp

from hwsolve.check.activation_bounds import DerivativeMaxCheck, check_derivative_max
from hwsolve.check.dropout import TorchDropoutCheck, check_torch_dropout, dropout_output_float
from hwsolve.check.linear_collapse import AffineFitResidual, CollapseCheck, check_linear_collapse
from hwsolve.derive.activation_bounds import derive_activation_bounds
from hwsolve.derive.dropout import derive_dropout_expectation, inverted_dropout_exact, inverted_dropout_test_exact
from hwsolve.derive.linear_collapse import derive_linear_collapse, induction_step_holds
from hwsolve.errors import VerificationError
from hwsolve.experiments.gradient_flow import GradientFlowResult, ShrinkFit, run_gradient_flow
from hwsolve.experiments.width import WidthRun, WidthSubstitution, cache_path, run_width_experiment
from hwsolve.problem.q1 import DropoutProblem, GradientFlowProblem, LinearCollapseProblem, WidthProblem
from hwsolve.solutions.base import template_only
from hwsolve.solutions.q1_conclusions import gradient_flow_conclusions, width_conclusions

PARTS = ("a", "b", "c", "d")
PROVEN_LAYER_COUNTS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Q1aSolution:
    proven: bool  # (X W1 + 1 b1) W2 + 1 b2 - (X W + 1 b) expands to 0
    proven_for_layers: dict[int, bool]  # N -> the N-layer closed form expands to 0
    induction_step: bool  # N layers collapse => N+1 layers collapse
    stacked_latex: str  # two layers, as SymPy prints them
    weight_latex: str  # W = W1 W2
    bias_latex: str  # b = b1 W2 + b2
    three_layer_bias_latex: str  # an instance of the N-layer bias formula
    collapse_checks: list[CollapseCheck]
    max_relative_difference: float  # over all checked shapes
    affine_fit_residuals: list[AffineFitResidual]


@dataclass(frozen=True)
class Q1bSolution:
    x: list[float]
    mask: list[int]
    rates: list[str]
    test: list[float]  # test-time output: x itself
    train: dict[str, list[float]]  # rate as written -> x m / (1 - p)
    train_exact: dict[str, list[str]]  # the same, as exact rationals ("-15/2")
    expectation_of_scaled_mask: str  # E[m/(1-p)] from SymPy: "1"
    variance_of_scaled_mask: str  # Var[m/(1-p)] = p/(1-p)
    variance_latex: str
    max_float_error: float  # |torch float64 - exact| over all rates
    torch_checks: list[TorchDropoutCheck]


@dataclass(frozen=True)
class Q1cSolution:
    # The torch thread count is problem.threads: the cache key includes it, so a reused result ran with it too.
    problem: WidthProblem
    runs: list[WidthRun]
    substitutions: list[WidthSubstitution]
    conclusions: list[str]
    cache_file: str
    from_cache: bool = template_only(False)  # the results were read from cache_file, not trained


@dataclass(frozen=True)
class DerivativeMaximum:
    derivative_latex: str
    maximum_exact: str  # "1/4"
    maximum: float
    argmax: str | None  # "0"; None for ReLU (any z > 0)
    stationary_points: list[str]  # solutions of f'' = 0
    check: DerivativeMaxCheck


@dataclass(frozen=True)
class Q1dSolution:
    problem: GradientFlowProblem
    sigmoid_derivative_max: float
    derivative_maxima: dict[str, DerivativeMaximum]
    gradient_norms: dict[str, list[float]]  # default init: activation -> ||dL/dW_l||, l = 1..depth
    gradient_norms_by_initialisation: dict[str, dict[str, list[float]]]
    sigmoid_shrink: dict[str, ShrinkFit]
    conclusions: list[str]


@dataclass(frozen=True)
class Q1Solution:
    part: str | None  # None: all parts
    seed: int
    a: Q1aSolution | None = None
    b: Q1bSolution | None = None
    c: Q1cSolution | None = None
    d: Q1dSolution | None = None


def solve_q1a(problem: LinearCollapseProblem = LinearCollapseProblem(), seed: int = 0) -> Q1aSolution:
    derivations = {layers: derive_linear_collapse(layers) for layers in PROVEN_LAYER_COUNTS}
    two = derivations[2]
    proven = {layers: derivation.proven for layers, derivation in derivations.items()}
    induction = induction_step_holds()
    if not (two.proven and all(proven.values()) and induction):
        raise VerificationError("SymPy could not expand the stacked layers to the collapsed form")
    checks, residuals = check_linear_collapse(problem, seed)
    return Q1aSolution(
        proven=two.proven,
        proven_for_layers=proven,
        induction_step=induction,
        stacked_latex=sp.latex(two.stacked),
        weight_latex=sp.latex(two.weight),
        bias_latex=sp.latex(two.bias),
        three_layer_bias_latex=sp.latex(derivations[3].bias),
        collapse_checks=checks,
        max_relative_difference=max(check.max_relative_difference for check in checks),
        affine_fit_residuals=residuals,
    )


def solve_q1b(problem: DropoutProblem = DropoutProblem(), seed: int = 0) -> Q1bSolution:
    expectation = derive_dropout_expectation()
    if not expectation.unbiased:
        raise VerificationError(f"E[m/(1-p)] simplified to {expectation.scaled_mask_expectation}, not 1")
    exact = {rate: inverted_dropout_exact(problem.x, problem.mask, rate) for rate in problem.rates}
    floats = {rate: dropout_output_float(problem.x, problem.mask, rate) for rate in problem.rates}
    error = max((abs(value - float(exact_value)) for rate in problem.rates for value, exact_value in zip(floats[rate], exact[rate])), default=0.0)
    if error > 1e-12 * max(1.0, max(abs(value) for value in problem.x)) / (1 - max(float(rate) for rate in problem.rates)):
        raise VerificationError(f"float64 dropout output differs from the exact value by {error}")
    test = [float(value) for value in inverted_dropout_test_exact(problem.x)]
    return Q1bSolution(
        x=list(problem.x),
        mask=list(problem.mask),
        rates=list(problem.rates),
        test=test,
        train=floats,
        train_exact={rate: [str(value) for value in values] for rate, values in exact.items()},
        expectation_of_scaled_mask=str(expectation.scaled_mask_expectation),
        variance_of_scaled_mask=str(expectation.scaled_mask_variance),
        variance_latex=sp.latex(expectation.scaled_mask_variance),
        max_float_error=error,
        torch_checks=[check_torch_dropout(problem.x, rate, seed) for rate in problem.rates],
    )


def solve_q1c(
    problem: WidthProblem = WidthProblem(),
    seed: int = 0,
    build_dir: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Q1cSolution:
    experiment, loaded = run_width_experiment(problem, seed, build_dir, force, progress)
    return Q1cSolution(
        problem=problem,
        runs=list(experiment.runs),
        substitutions=list(experiment.substitutions),
        conclusions=width_conclusions(experiment),
        cache_file=str(cache_path(problem, seed, build_dir)),
        from_cache=loaded,
    )


def _derivative_latex(derivative: sp.Expr) -> str:
    """One-line LaTeX (a cases environment breaks Markdown tables): '0 if z < 0, 1 otherwise'."""
    if not isinstance(derivative, sp.Piecewise):
        return sp.latex(derivative)
    pieces = [
        f"{sp.latex(value)}" + (r"\ \text{otherwise}" if condition is sp.true else rf"\ \text{{if }} {sp.latex(condition)}")
        for value, condition in derivative.args
    ]
    return r",\ ".join(pieces)


def solve_q1d(problem: GradientFlowProblem = GradientFlowProblem(), seed: int = 0) -> Q1dSolution:
    bounds = derive_activation_bounds()
    maxima = {
        name: DerivativeMaximum(
            derivative_latex=_derivative_latex(bound.derivative),
            maximum_exact=str(bound.maximum),
            maximum=bound.maximum_float,
            argmax=None if bound.argmax is None else str(bound.argmax),
            stationary_points=[str(point) for point in bound.stationary_points],
            check=check_derivative_max(name, bound.maximum_float),
        )
        for name, bound in bounds.items()
    }
    result: GradientFlowResult = run_gradient_flow(problem, seed)
    return Q1dSolution(
        problem=problem,
        sigmoid_derivative_max=maxima["sigmoid"].maximum,
        derivative_maxima=maxima,
        gradient_norms=result.norms.get("default", next(iter(result.norms.values()))),
        gradient_norms_by_initialisation=result.norms,
        sigmoid_shrink=result.sigmoid_fits,
        conclusions=gradient_flow_conclusions(result, maxima["sigmoid"].maximum),
    )


def solve_q1(
    part: str | None = None,
    seed: int = 0,
    collapse: LinearCollapseProblem = LinearCollapseProblem(),
    dropout: DropoutProblem = DropoutProblem(),
    width: WidthProblem = WidthProblem(),
    gradient_flow: GradientFlowProblem = GradientFlowProblem(),
    build_dir: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Q1Solution:
    """Solve the requested part (or all four). Part c may train for about a minute, then is cached."""
    if part is not None and part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    wanted = PARTS if part is None else (part,)
    return Q1Solution(
        part=part,
        seed=seed,
        a=solve_q1a(collapse, seed) if "a" in wanted else None,
        b=solve_q1b(dropout, seed) if "b" in wanted else None,
        c=solve_q1c(width, seed, build_dir, force, progress) if "c" in wanted else None,
        d=solve_q1d(gradient_flow, seed) if "d" in wanted else None,
    )
