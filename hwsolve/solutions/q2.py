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
from dataclasses import dataclass, field

from hwsolve.check.finite import overflow_error
from hwsolve.errors import HwsolveError
from hwsolve.experiments.regularisation import L1, L2, RegularisationExperiment, run_regularisation
from hwsolve.i18n import N_, _, using
from hwsolve.problem.q2 import RECONSTRUCTED_STATEMENTS, RECONSTRUCTION_NOTE, SUBMITTED_ANSWERS, RegularisationProblem

SEEDS_CHECKED = 10  # seeds seed .. seed + 9; about 0.1 s each
EVIDENCE_DIGITS = 4  # significant figures of the errors quoted in Q2Statement.evidence


@dataclass(frozen=True)
class Sentence:
    """One sentence of evidence, kept as its English message and values: said in the active language when shown."""

    message: str  # in English, marked with N_() where it is written (for the catalog)
    values: dict[str, object] = field(default_factory=dict)

    def text(self) -> str:
        return _(self.message).format(**self.values)


@dataclass(frozen=True)
class Q2Statement:
    """One statement and its answer. The prose (statement, evidence) is said in the active language when it is
    read; the JSON (json_fields) always has it in English."""

    label: str
    reconstructed: bool  # always True: the homework does not state them
    answer: bool  # True/False, computed from the experiment
    submitted_answer: bool
    agrees_with_submission: bool  # by construction of the reconstruction: not evidence
    sentences: tuple[Sentence, ...]  # the numbers the answer rests on (evidence)
    findings: dict[str, bool]  # the comparisons the answer is made of, e.g. {"L2": True} (L2 lowers the test error)

    @property
    def statement(self) -> str:
        """The reconstructed statement."""
        return _(RECONSTRUCTED_STATEMENTS[self.label])

    @property
    def evidence(self) -> list[str]:
        """The numbers the answer rests on, as plain sentences (text and JSON output)."""
        return [sentence.text() for sentence in self.sentences]

    def json_fields(self) -> dict[str, object]:
        """The JSON's fields (hwsolve.io), in English whatever the active language."""
        with using("en"):
            return {
                "label": self.label,
                "statement": self.statement,
                "reconstructed": self.reconstructed,
                "answer": self.answer,
                "submitted_answer": self.submitted_answer,
                "agrees_with_submission": self.agrees_with_submission,
                "evidence": self.evidence,
                "findings": self.findings,
            }


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


def _statement(label: str, answer: bool, evidence: list[Sentence], findings: dict[str, bool]) -> Q2Statement:
    submitted = SUBMITTED_ANSWERS[label]
    return Q2Statement(label, True, answer, submitted, answer == submitted, tuple(evidence), findings)


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
        Sentence(
            N_(
                "Degree {degree}, {n_train} training points, no penalty (lambda = 0): "
                "train MSE {train}, test MSE {test}."
            ),
            {
                "degree": effect.degree,
                "n_train": experiment.problem.n_train,
                "train": _quoted(effect.without.train_mse),
                "test": _quoted(effect.without.test_mse),
            },
        )
    ]
    for fit in effect.fits:
        if improves[fit.penalty]:
            message = N_(
                "{penalty} at lambda = {lambda_} (chosen on the validation set): train MSE {train}, "
                "test MSE {test}, {nonzero} of {degree} weights non-zero: lowers the test error."
            )
        else:
            message = N_(
                "{penalty} at lambda = {lambda_} (chosen on the validation set): train MSE {train}, "
                "test MSE {test}, {nonzero} of {degree} weights non-zero: does not lower the test error."
            )
        values = {
            "penalty": fit.penalty,
            "lambda_": lambda_text(fit.best_log10_lambda),
            "train": _quoted(fit.errors.train_mse),
            "test": _quoted(fit.errors.test_mse),
            "nonzero": fit.errors.nonzero_weights,
            "degree": effect.degree,
        }
        evidence.append(Sentence(message, values))
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
    if train_falls and validation_rises:
        largest = N_(
            "Degree {degree} ({features} features for {n_train} points): "
            "train MSE {train} (lower), validation MSE {validation} (higher)."
        )
    elif train_falls:
        largest = N_(
            "Degree {degree} ({features} features for {n_train} points): "
            "train MSE {train} (lower), validation MSE {validation} (not higher)."
        )
    elif validation_rises:
        largest = N_(
            "Degree {degree} ({features} features for {n_train} points): "
            "train MSE {train} (not lower), validation MSE {validation} (higher)."
        )
    else:
        largest = N_(
            "Degree {degree} ({features} features for {n_train} points): "
            "train MSE {train} (not lower), validation MSE {validation} (not higher)."
        )
    evidence = [
        Sentence(
            N_("Without regularisation, degree {degree} has the lowest validation MSE, {validation} (train {train})."),
            {
                "degree": sweep.best_degree,
                "validation": _quoted(sweep.validation_mse[best]),
                "train": _quoted(sweep.train_mse[best]),
            },
        ),
        Sentence(
            largest,
            {
                "degree": sweep.degrees[last],
                "features": sweep.degrees[last] + 1,
                "n_train": experiment.problem.n_train,
                "train": _quoted(sweep.train_mse[last]),
                "validation": _quoted(sweep.validation_mse[last]),
            },
        ),
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
    if larger_is_worse:
        sweep_message = N_(
            "Degree {degree}, L2 with lambda from {smallest} to {largest}: validation MSE {at_smallest} at the "
            "smallest, {at_best} at lambda = {best} (the best), {at_largest} at the largest: "
            "a larger lambda is worse past the best one."
        )
    else:
        sweep_message = N_(
            "Degree {degree}, L2 with lambda from {smallest} to {largest}: validation MSE {at_smallest} at the "
            "smallest, {at_best} at lambda = {best} (the best), {at_largest} at the largest: "
            "the largest lambda is the best."
        )
    if underfits:
        fit_message = N_(
            "At the largest lambda the training MSE is {train}, above the best validation MSE: "
            "the model underfits (noise variance {noise})."
        )
    else:
        fit_message = N_(
            "At the largest lambda the training MSE is {train}, not above the best validation MSE: "
            "no sign of underfitting (noise variance {noise})."
        )
    evidence = [
        Sentence(
            sweep_message,
            {
                "degree": sweep.degree,
                "smallest": lambda_text(exponents[0]),
                "largest": lambda_text(exponents[-1]),
                "at_smallest": _quoted(validation[0]),
                "at_best": _quoted(validation[best]),
                "best": lambda_text(exponents[best]),
                "at_largest": _quoted(validation[-1]),
            },
        ),
        Sentence(
            fit_message,
            {"train": _quoted(sweep.train_mse[-1]), "noise": _quoted(experiment.noise_variance)},
        ),
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
