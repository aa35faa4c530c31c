"""Q1 (multilayer perceptrons): the Solution dataclasses and solve_q1().

solve_q1(part=None, seed=0, ...) -> Q1Solution with one sub-solution per part
(None for parts not asked for). Key numbers, by part:

- a (Q1aSolution): proven (bool, SymPy), max_relative_difference (torch,
  stacked vs collapsed), affine_fit_residuals[i].relative_residual (the
  counterexample: > 0 with ReLU/sigmoid, rounding error without).
- b (Q1bSolution): x, mask, test (list), train (rate string -> list),
  train_exact (rate -> exact rationals), expectation_of_scaled_mask ("1").
- c (Q1cSolution): seeds; summaries[i].{width, requested_width, train, test,
  gap (median, low, high over the seeds), enough ("all"/"none"/"some" seeds)};
  long_summaries (the same recipe trained longer); widest_comparison and
  long_comparisons (did the gap grow?); runs_by_seed (every run); substitutions.
- d (Q1dSolution): sigmoid_derivative_max, derivative_maxima,
  relu_derivative_at_zero (0, as in torch), gradient_norms (default init,
  activation -> per-layer list), gradient_norms_by_initialisation,
  layer_factors[i].{fitted_factor, delta_ratios, bounds (max f' ||W_{l+1}||_2),
  typical_factors}.

Q1Solution.reproducibility_notes(): what depended on this machine (a width
replaced because of the time budget, the torch threads), for the report's end.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from hwsolve.check.q1_activation_bounds import DerivativeMaxCheck, autograd_derivative_at, check_derivative_max
from hwsolve.check.q1_dropout import TorchDropoutCheck, check_float_dropout, check_torch_dropout, dropout_output_float
from hwsolve.check.q1_linear_collapse import AffineFitResidual, CollapseCheck, check_linear_collapse
from hwsolve.derive.q1_activation_bounds import Z, derive_activation_bounds
from hwsolve.derive.q1_dropout import derive_dropout_expectation, inverted_dropout_exact, inverted_dropout_test_exact
from hwsolve.derive.q1_linear_collapse import derive_linear_collapse, induction_step_holds
from hwsolve.errors import VerificationError
from hwsolve.experiments.gradient_flow import GradientFlowResult, run_gradient_flow
from hwsolve.experiments.width import SeedRuns, WidthSubstitution, run_width_experiment, substitution_reason
from hwsolve.i18n import _, language, ngettext
from hwsolve.problem.q1 import DropoutProblem, GradientFlowProblem, LinearCollapseProblem, WidthProblem
from hwsolve.solutions.base import template_only
from hwsolve.solutions.q1_conclusions import (
    ADEQUATE_MARGIN,
    OVERFIT_MARGIN,
    UNDERFIT_MARGIN,
    OverfitComparison,
    WidthSummary,
    adequate_width,
    long_against_short,
    summarise_long_runs,
    summarise_widths,
    widest_against_adequate,
)

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
    seeds: list[int]
    summaries: list[WidthSummary]  # the main recipe, one per width asked for (in the question's order)
    long_summaries: list[WidthSummary]  # the same recipe trained problem.long_steps steps
    adequate_width: int | None  # the narrowest width that is enough in every seed
    widest_comparison: OverfitComparison | None  # the widest trained width against adequate_width
    long_comparisons: list[OverfitComparison]  # long recipe against the main one, same width
    substitutions: list[WidthSubstitution]  # widths too slow for the time budget, and what was trained instead
    runs_by_seed: list[SeedRuns]
    planned_seconds: float  # the plan's estimate of all training, from steps timed beforehand on this machine
    cache_files: list[str]
    plan_file: str
    margins: dict[str, float]  # the thresholds the verdicts use
    from_cache: bool = template_only(False)  # every result was read from the cache files, none trained

    def reason(self, substitution: WidthSubstitution) -> str:
        """Why a width was substituted, in the active language: the plan's reason as recorded (in English, as the
        plan file and the JSON keep it), or said again from its numbers in another language."""
        if language() == "en":
            return substitution.reason
        return substitution_reason(substitution, self.problem)


@dataclass(frozen=True)
class DerivativeMaximum:
    derivative_latex: str
    maximum_exact: str  # "1/4"
    maximum: float
    argmax: str | None  # "0"; None for ReLU (any z > 0)
    stationary_points: list[str]  # solutions of f'' = 0
    check: DerivativeMaxCheck


@dataclass(frozen=True)
class LayerFactor:
    """How the gradient changes per layer, for one activation and initialisation (layers l = 1..depth-1)."""

    initialisation: str  # "default" or "xavier_he"
    activation: str
    fitted_factor: float  # ||dL/dW_l|| / ||dL/dW_{l+1}|| from a line through the logs (an observation)
    r_squared: float
    delta_ratios: list[float]  # ||delta_l|| / ||delta_{l+1}||
    bounds: list[float]  # max f' * ||W_{l+1}||_2: delta_ratios[l] never exceeds bounds[l]
    typical_factors: list[float]  # RMS f'(z_l) * ||W_{l+1}||_F / sqrt(rows): what a random-direction delta would get
    largest_ratio_over_bound: float  # max_l delta_ratios / bounds, <= 1
    median_delta_ratio: float
    median_bound: float
    median_typical_factor: float
    median_spectral_norm: float  # of the hidden weight matrices W_2 .. W_{depth-1}
    median_typical_gain: float  # ||W||_F / sqrt(rows) of the same matrices
    end_to_end_ratio: float  # ||dL/dW_1|| / ||dL/dW_depth||


@dataclass(frozen=True)
class Q1dSolution:
    problem: GradientFlowProblem
    sigmoid_derivative_max: float
    derivative_maxima: dict[str, DerivativeMaximum]
    relu_derivative_at_zero: float  # SymPy's piecewise derivative at 0, equal to torch's autograd value
    gradient_norms: dict[str, list[float]]  # default init: activation -> ||dL/dW_l||, l = 1..depth
    gradient_norms_by_initialisation: dict[str, dict[str, list[float]]]
    layer_factors: list[LayerFactor]

    def factor(self, initialisation: str, activation: str) -> LayerFactor:
        return next(f for f in self.layer_factors if (f.initialisation, f.activation) == (initialisation, activation))


@dataclass(frozen=True)
class Q1Solution:
    part: str | None  # None: all parts
    seed: int
    a: Q1aSolution | None = None
    b: Q1bSolution | None = None
    c: Q1cSolution | None = None
    d: Q1dSolution | None = None

    def reproducibility_notes(self) -> list[str]:
        """What depended on the machine that built the report: never part of an answer (in the active language)."""
        if self.c is None:
            return []
        problem = self.c.problem
        trained = sum(run.seconds for seed in self.c.runs_by_seed for run in seed.runs + seed.long_runs)
        notes = [
            ngettext(
                "Q1(c) trained all {seeds} seeds in {trained} s of wall-clock time on {threads} torch thread; "
                "its plan, which times the machine at full speed (CPU time), expected {planned} s of its "
                "{budget} s budget (wall-clock time also counts waiting for a core on a busy machine). "
                "The results are cached under build/q1/ and reused on later runs.",
                "Q1(c) trained all {seeds} seeds in {trained} s of wall-clock time on {threads} torch threads; "
                "its plan, which times the machine at full speed (CPU time), expected {planned} s of its "
                "{budget} s budget (wall-clock time also counts waiting for a core on a busy machine). "
                "The results are cached under build/q1/ and reused on later runs.",
                problem.threads,
            ).format(
                seeds=len(self.c.seeds),
                trained=f"{trained:.0f}",
                threads=problem.threads,
                planned=f"{self.c.planned_seconds:.0f}",
                budget=f"{problem.time_budget_s:g}",
            )
        ]
        for substitution in self.c.substitutions:
            notes.append(
                _("Q1(c): the {width}-unit network was not trained: {reason}.").format(
                    width=f"{substitution.requested_width:,}", reason=self.c.reason(substitution)
                )
            )
        return notes


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
    error = max(
        (
            abs(value - float(exact_value))
            for rate in problem.rates
            for value, exact_value in zip(floats[rate], exact[rate])
        ),
        default=0.0,
    )
    for rate in problem.rates:
        check_float_dropout(problem.x, problem.mask, rate, floats[rate])
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
    """Seeds seed, seed + 1, ..., seed + problem.seed_count - 1; each cached on its own."""
    experiment, loaded = run_width_experiment(problem, seed, build_dir, force, progress)
    summaries = summarise_widths(experiment)
    adequate = adequate_width(summaries)
    return Q1cSolution(
        problem=problem,
        seeds=[runs.seed for runs in experiment.seeds],
        summaries=summaries,
        long_summaries=summarise_long_runs(experiment),
        adequate_width=None if adequate is None else adequate.width,
        widest_comparison=widest_against_adequate(experiment, summaries),
        long_comparisons=long_against_short(experiment),
        substitutions=list(experiment.plan.substitutions),
        runs_by_seed=list(experiment.seeds),
        planned_seconds=experiment.plan.estimated_seconds,
        cache_files=list(experiment.cache_files),
        plan_file=experiment.plan_file,
        margins={"underfit": UNDERFIT_MARGIN, "adequate": ADEQUATE_MARGIN, "overfit": OVERFIT_MARGIN},
        from_cache=loaded,
    )


def _derivative_latex(derivative: sp.Expr) -> str:
    """One-line LaTeX (a cases environment breaks Markdown tables): '0 if z < 0, 1 otherwise'."""
    if not isinstance(derivative, sp.Piecewise):
        return str(sp.latex(derivative))  # SymPy is untyped: its latex() is a str
    pieces = [
        f"{sp.latex(value)}"
        + (r"\ \text{otherwise}" if condition is sp.true else rf"\ \text{{if }} {sp.latex(condition)}")
        for value, condition in derivative.args
    ]
    return r",\ ".join(pieces)


def _layer_factor(
    result: GradientFlowResult, initialisation: str, activation: str, max_derivative: float
) -> LayerFactor:
    layers = result.layers[initialisation][activation]
    fit = result.fits[initialisation][activation]
    ratios = layers.delta_ratios
    # delta_l = f'(z_l) * (delta_{l+1} W_{l+1}): layer l's ratio passes W_{l+1}, index l in the 0-based lists.
    bounds = [max_derivative * norm for norm in layers.spectral_norms[1:]]
    typical = [rms * gain for rms, gain in zip(layers.rms_derivative, layers.typical_gains[1:])]
    worst = max(ratio / bound for ratio, bound in zip(ratios, bounds))
    if worst > 1 + 1e-9:
        raise VerificationError(
            f"{activation}, {initialisation}: a per-layer gradient ratio exceeds max f' ||W||_2 by {worst:.3g}x"
        )
    norms = result.norms[initialisation][activation]
    return LayerFactor(
        initialisation,
        activation,
        fit.factor,
        fit.r_squared,
        ratios,
        bounds,
        typical,
        worst,
        statistics.median(ratios),
        statistics.median(bounds),
        statistics.median(typical),
        statistics.median(layers.spectral_norms[1:-1]),
        statistics.median(layers.typical_gains[1:-1]),
        norms[0] / norms[-1],
    )


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
    relu_at_zero = float(bounds["relu"].derivative.subs(Z, 0))
    if relu_at_zero != autograd_derivative_at("relu", 0.0):
        raise VerificationError(
            f"relu'(0) is {relu_at_zero} in SymPy but {autograd_derivative_at('relu', 0.0)} in torch"
        )
    result: GradientFlowResult = run_gradient_flow(problem, seed)
    return Q1dSolution(
        problem=problem,
        sigmoid_derivative_max=maxima["sigmoid"].maximum,
        derivative_maxima=maxima,
        relu_derivative_at_zero=relu_at_zero,
        gradient_norms=result.norms.get("default", next(iter(result.norms.values()))),
        gradient_norms_by_initialisation=result.norms,
        layer_factors=[
            _layer_factor(result, initialisation, activation, maxima[activation].maximum)
            for initialisation in result.norms
            for activation in result.norms[initialisation]
        ],
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
    """Solve the requested part (or all four). Part c trains once (within problem.time_budget_s), then is cached."""
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
