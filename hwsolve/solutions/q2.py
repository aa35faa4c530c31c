"""Q2 (true or false on regularisation): solve_q2(seed=0) -> Q2Solution.

The three statements are reconstructed: the homework keeps only the submitted
answers (all "false") with their reasons, and each statement is the claim its
reason refutes. The submitted "false" is therefore right by construction, and
agreeing with it is no evidence (the audit does not count it). What is
evidence is the experiment (hwsolve.experiments.regularisation): each answer
is computed from it, never asserted.

Each statement is universal ("cannot", "always"), so one counterexample
refutes it:

- (a) "Regularisation such as L1 or L2 cannot improve unseen-data error":
  false iff, for a penalty it names, the test error with the validation-chosen
  lambda is below the test error with lambda = 0. Both L1 and L2 are tested
  and reported; either one improving refutes the statement.
- (b) "More features cannot increase overfitting": false iff, from the
  best-validation degree to the largest degree, training error falls while
  validation error rises.
- (c) "A larger coefficient is always better and cannot underfit": false iff
  the largest lambda validates worse than the best one, or at the largest
  lambda the training error exceeds the best validation error (the model
  cannot even fit its training data): either half of the claim failing
  refutes it.

A computed NaN or infinity never reaches a verdict: the judge raises instead.
The same judges run on further seeds (Q2Solution.seed_check) so that the
report can say whether the counterexample is typical or a lucky draw.

Key numbers: Q2Solution.statements[i].{label, answer, reconstructed,
evidence}; Q2Solution.experiment (all the errors behind them);
Q2Solution.seed_check.answers[label] (one answer per seed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hwsolve.check.finite import overflow_error
from hwsolve.errors import HwsolveError
from hwsolve.experiments.regularisation import L1, L2, RegularisationExperiment, run_regularisation
from hwsolve.problem.q2 import RECONSTRUCTED_STATEMENTS, RECONSTRUCTION_NOTE, SUBMITTED_ANSWERS, RegularisationProblem

SEEDS_CHECKED = 10  # seeds seed .. seed + 9; about 0.1 s each
EVIDENCE_DIGITS = 4  # significant figures of the errors quoted in Q2Statement.evidence


@dataclass(frozen=True)
class Q2Statement:
    label: str
    statement: str
    reconstructed: bool  # always True: the homework does not state them
    answer: bool  # True/False, computed from the experiment
    submitted_answer: bool
    agrees_with_submission: bool  # by construction of the reconstruction: not evidence
    evidence: list[str]  # the numbers the answer rests on, as plain sentences (text and JSON output)
    findings: dict[str, bool]  # the comparisons the answer is made of, e.g. {"L2": True} (L2 lowers the test error)


@dataclass(frozen=True)
class SeedCheck:
    """The same three judges on further seeds: fresh data, same problem."""

    seeds: list[int]
    answers: dict[str, list[bool]]  # label -> one answer per seed
    penalty_improves: dict[str, list[bool]]  # (a) L2 / L1 -> per seed, whether it lowered the test error

    def count(self, label: str, answer: bool) -> int:
        return sum(1 for value in self.answers[label] if value is answer)

    def improved_count(self, penalty: str) -> int:
        return sum(self.penalty_improves[penalty])


@dataclass(frozen=True)
class Q2Solution:
    seed: int
    statements: list[Q2Statement]
    experiment: RegularisationExperiment
    seed_check: SeedCheck | None = None
    reconstruction_note: str = RECONSTRUCTION_NOTE  # said in every format, JSON included

    def statement(self, label: str) -> Q2Statement:
        return next(s for s in self.statements if s.label == label)

    @property
    def seeds(self) -> list[int]:
        """Every seed the answers rest on: the tables' seed first, then the seed check's."""
        return self.seed_check.seeds if self.seed_check else [self.seed]

    @property
    def improving_penalties(self) -> list[str]:
        """(a): the penalties whose validation-chosen fit lowers the test error, in the experiment's order."""
        findings = self.statement("a").findings
        return [fit.penalty for fit in self.experiment.penalty_effect.fits if findings[fit.penalty]]

    def shown_lambda_rows(self) -> list[int]:
        """Indices of the L2 sweep the report's table shows: the whole powers of ten, the extremes and the best.

        The full sweep is in the JSON output; the table keeps one row per decade.
        """
        sweep = self.experiment.lambda_sweep
        last = len(sweep.lambdas) - 1
        return [
            i
            for i, exponent in enumerate(sweep.log10_lambdas)
            if float(exponent).is_integer() or i in (0, last, sweep.best_index)
        ]


def _quoted(value: float) -> str:
    """A number quoted in the plain-text evidence, to EVIDENCE_DIGITS significant figures.

    Python's general format, not format_number: the evidence strings are part
    of `hwsolve q2 --format json`, and scripts that read them saw this form
    (1.235e-05, 0.000999) before format_number existed.
    """
    return f"{value:.{EVIDENCE_DIGITS}g}"


def lambda_text(log10_lambda: float) -> str:
    """Plain-text lambda for the terminal, as the md/tex fragments print it: a power of ten."""
    return f"10^{log10_lambda:.3g}"


def _require_finite(label: str, **values: float) -> None:
    """No verdict from a NaN or infinite error: every comparison with NaN is False and would decide silently."""
    bad = [f"{name} = {value}" for name, value in values.items() if not math.isfinite(value)]
    if bad:
        raise HwsolveError(f"Q2({label}): no verdict, a computed error is not finite ({', '.join(bad)})")


def _statement(label: str, answer: bool, evidence: list[str], findings: dict[str, bool]) -> Q2Statement:
    submitted = SUBMITTED_ANSWERS[label]
    return Q2Statement(
        label, RECONSTRUCTED_STATEMENTS[label], True, answer, submitted, answer == submitted, evidence, findings
    )


def penalty_improves(experiment: RegularisationExperiment, penalty: str) -> bool:
    """Whether `penalty` at its validation-chosen lambda has a lower test error than lambda = 0."""
    effect = experiment.penalty_effect
    with_penalty = effect.fit(penalty).errors.test_mse
    _require_finite(
        "a", **{"test MSE without penalty": effect.without.test_mse, f"test MSE with {penalty}": with_penalty}
    )
    return with_penalty < effect.without.test_mse


def judge_regularisation(experiment: RegularisationExperiment) -> Q2Statement:
    effect = experiment.penalty_effect
    improves = {fit.penalty: penalty_improves(experiment, fit.penalty) for fit in effect.fits}
    evidence = [
        f"Degree {effect.degree}, {experiment.problem.n_train} training points, no penalty (lambda = 0): "
        f"train MSE {_quoted(effect.without.train_mse)}, test MSE {_quoted(effect.without.test_mse)}."
    ]
    for fit in effect.fits:
        evidence.append(
            f"{fit.penalty} at lambda = {lambda_text(fit.best_log10_lambda)} (chosen on the validation set): "
            f"train MSE {_quoted(fit.errors.train_mse)}, test MSE {_quoted(fit.errors.test_mse)}, "
            f"{fit.errors.nonzero_weights} of {effect.degree} weights non-zero: "
            f"{'lowers' if improves[fit.penalty] else 'does not lower'} the test error."
        )
    return _statement("a", not any(improves.values()), evidence, improves)


def judge_features(experiment: RegularisationExperiment) -> Q2Statement:
    sweep = experiment.feature_sweep
    best, last = sweep.degrees.index(sweep.best_degree), len(sweep.degrees) - 1
    _require_finite(
        "b",
        **{f"train MSE at degree {sweep.degrees[i]}": sweep.train_mse[i] for i in (best, last)},
        **{f"validation MSE at degree {sweep.degrees[i]}": sweep.validation_mse[i] for i in (best, last)},
    )
    train_falls = sweep.train_mse[last] < sweep.train_mse[best]
    validation_rises = sweep.validation_mse[last] > sweep.validation_mse[best]
    evidence = [
        f"Without regularisation, degree {sweep.best_degree} has the lowest validation MSE, "
        f"{_quoted(sweep.validation_mse[best])} (train {_quoted(sweep.train_mse[best])}).",
        f"Degree {sweep.degrees[last]} ({sweep.degrees[last] + 1} features for {experiment.problem.n_train} points): "
        f"train MSE {_quoted(sweep.train_mse[last])} ({'lower' if train_falls else 'not lower'}), validation MSE "
        f"{_quoted(sweep.validation_mse[last])} ({'higher' if validation_rises else 'not higher'}).",
    ]
    return _statement(
        "b",
        not (train_falls and validation_rises),
        evidence,
        {"train_falls": train_falls, "validation_rises": validation_rises},
    )


def judge_coefficient(experiment: RegularisationExperiment) -> Q2Statement:
    sweep = experiment.lambda_sweep
    best = sweep.best_index
    validation = sweep.validation_mse
    _require_finite(
        "c",
        best_validation=validation[best],
        largest_lambda_validation=validation[-1],
        largest_lambda_train=sweep.train_mse[-1],
        best_train=sweep.train_mse[best],
    )
    # "The larger the better ... cannot underfit" is a conjunction: a larger lambda that validates
    # worse than the best one refutes it, and so does underfitting at the largest lambda.
    larger_is_worse = validation[-1] > validation[best]
    underfits = sweep.train_mse[-1] > validation[best] and sweep.train_mse[-1] > sweep.train_mse[best]
    exponents = sweep.log10_lambdas
    evidence = [
        f"Degree {sweep.degree}, L2 with lambda from {lambda_text(exponents[0])} to {lambda_text(exponents[-1])}: "
        f"validation MSE {_quoted(validation[0])} at the smallest, "
        f"{_quoted(validation[best])} at lambda = {lambda_text(exponents[best])} (the best), "
        f"{_quoted(validation[-1])} at the largest: "
        f"{'a larger lambda is worse past the best one' if larger_is_worse else 'the largest lambda is the best'}.",
        f"At the largest lambda the training MSE is {_quoted(sweep.train_mse[-1])}, "
        f"{'above' if underfits else 'not above'} the best validation MSE: "
        f"{'the model underfits' if underfits else 'no sign of underfitting'} "
        f"(noise variance {_quoted(experiment.noise_variance)}).",
    ]
    return _statement(
        "c", not (larger_is_worse or underfits), evidence, {"larger_is_worse": larger_is_worse, "underfits": underfits}
    )


def judge_all(experiment: RegularisationExperiment) -> list[Q2Statement]:
    return [judge_regularisation(experiment), judge_features(experiment), judge_coefficient(experiment)]


def _experiment(problem: RegularisationProblem, seed: int) -> RegularisationExperiment:
    """The experiment, with Python's float OverflowError (noise far too large) said as an overflow: no verdict."""
    try:
        return run_regularisation(problem, seed)
    except OverflowError:
        raise overflow_error(f"in the Q2 regression at seed {seed}, so no verdict") from None


def check_seeds(problem: RegularisationProblem, seeds: list[int]) -> SeedCheck:
    answers: dict[str, list[bool]] = {label: [] for label in RECONSTRUCTED_STATEMENTS}
    improves: dict[str, list[bool]] = {L2: [], L1: []}
    for seed in seeds:
        experiment = _experiment(problem, seed)
        for statement in judge_all(experiment):
            answers[statement.label].append(statement.answer)
        for penalty in improves:
            improves[penalty].append(penalty_improves(experiment, penalty))
    return SeedCheck(list(seeds), answers, improves)


def solve_q2(
    seed: int = 0, problem: RegularisationProblem = RegularisationProblem(), seeds_checked: int = SEEDS_CHECKED
) -> Q2Solution:
    experiment = _experiment(problem, seed)
    seed_check = check_seeds(problem, list(range(seed, seed + seeds_checked))) if seeds_checked > 0 else None
    return Q2Solution(seed, judge_all(experiment), experiment, seed_check)
