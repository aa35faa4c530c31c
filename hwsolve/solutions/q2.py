"""Q2 (true or false on regularisation): solve_q2(seed=0) -> Q2Solution.

The three statements are reconstructed (the homework gives only the submitted
answers, all "false", with their reasons). Each answer is computed from a
ridge-regression experiment (hwsolve.experiments.regularisation), never
asserted:

- (a) "L2 cannot improve unseen-data error": false iff the test error with the
  validation-chosen lambda is below the test error with lambda = 0.
- (b) "More features cannot increase overfitting": false iff, from the
  best-validation degree to the largest degree, training error falls while
  validation error rises.
- (c) "A larger coefficient is always better and cannot underfit": false iff
  the largest lambda validates worse than the best one, or at the largest
  lambda the training error exceeds the best validation error (the model
  cannot even fit its training data): either half of the claim failing
  refutes it.

Key numbers: Q2Solution.statements[i].{label, answer, agrees_with_submission,
evidence}; Q2Solution.experiment (all the errors behind them).
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsolve.experiments.regularisation import RegularisationExperiment, run_regularisation
from hwsolve.problem.q2 import RECONSTRUCTED_STATEMENTS, SUBMITTED_ANSWERS, RegularisationProblem
from hwsolve.render.numbers import format_number


@dataclass(frozen=True)
class Q2Statement:
    label: str
    statement: str
    reconstructed: bool  # always True: the homework does not state them
    answer: bool  # True/False, computed from the experiment
    submitted_answer: bool
    agrees_with_submission: bool
    evidence: list[str]  # the numbers the answer rests on, as sentences


@dataclass(frozen=True)
class Q2Solution:
    seed: int
    statements: list[Q2Statement]
    experiment: RegularisationExperiment


def _n(value: float) -> str:
    return format_number(value, 4)


def _statement(label: str, answer: bool, evidence: list[str]) -> Q2Statement:
    submitted = SUBMITTED_ANSWERS[label]
    return Q2Statement(label, RECONSTRUCTED_STATEMENTS[label], True, answer, submitted, answer == submitted, evidence)


def judge_l2(experiment: RegularisationExperiment) -> Q2Statement:
    effect = experiment.l2_effect
    improves = effect.with_l2.test_mse < effect.without.test_mse
    evidence = [
        f"Degree {effect.degree}, {experiment.problem.n_train} training points, lambda = 0: train MSE {_n(effect.without.train_mse)}, "
        f"test MSE {_n(effect.without.test_mse)} (||w|| = {_n(effect.without.weight_norm)}).",
        f"lambda = {_n(effect.best_lambda)} (chosen on the validation set): train MSE {_n(effect.with_l2.train_mse)}, "
        f"test MSE {_n(effect.with_l2.test_mse)} (||w|| = {_n(effect.with_l2.weight_norm)}).",
        f"L2 {'lowers' if improves else 'does not lower'} the test error, by a factor {_n(effect.without.test_mse / effect.with_l2.test_mse)}.",
    ]
    return _statement("a", not improves, evidence)


def judge_features(experiment: RegularisationExperiment) -> Q2Statement:
    sweep = experiment.feature_sweep
    best, last = sweep.degrees.index(sweep.best_degree), len(sweep.degrees) - 1
    train_falls = sweep.train_mse[last] < sweep.train_mse[best]
    validation_rises = sweep.validation_mse[last] > sweep.validation_mse[best]
    evidence = [
        f"Without regularisation, degree {sweep.best_degree} has the lowest validation MSE, {_n(sweep.validation_mse[best])} "
        f"(train {_n(sweep.train_mse[best])}).",
        f"Degree {sweep.degrees[last]} ({sweep.degrees[last] + 1} features for {experiment.problem.n_train} points): "
        f"train MSE {_n(sweep.train_mse[last])} ({'lower' if train_falls else 'not lower'}), validation MSE "
        f"{_n(sweep.validation_mse[last])} ({'higher' if validation_rises else 'not higher'}).",
    ]
    return _statement("b", not (train_falls and validation_rises), evidence)


def judge_coefficient(experiment: RegularisationExperiment) -> Q2Statement:
    sweep = experiment.lambda_sweep
    best = sweep.best_index
    validation = sweep.validation_mse
    # "The larger the better ... cannot underfit" is a conjunction: a larger lambda that validates
    # worse than the best one refutes it, and so does underfitting at the largest lambda.
    larger_is_worse = validation[-1] > validation[best]
    underfits = sweep.train_mse[-1] > validation[best] and sweep.train_mse[-1] > sweep.train_mse[best]
    evidence = [
        f"Degree {sweep.degree}, lambda from {_n(sweep.lambdas[0])} to {_n(sweep.lambdas[-1])}: validation MSE "
        f"{_n(validation[0])} at the smallest, {_n(validation[best])} at lambda = {_n(sweep.lambdas[best])} (the best), "
        f"{_n(validation[-1])} at the largest: "
        f"{'a larger lambda is worse past the best one' if larger_is_worse else 'the largest lambda is the best'}.",
        f"At the largest lambda the training MSE is {_n(sweep.train_mse[-1])}, "
        f"{'above' if underfits else 'not above'} the best validation MSE: "
        f"{'the model underfits' if underfits else 'no sign of underfitting'} (noise variance {_n(experiment.noise_variance)}).",
    ]
    return _statement("c", not (larger_is_worse or underfits), evidence)


def solve_q2(seed: int = 0, problem: RegularisationProblem = RegularisationProblem()) -> Q2Solution:
    experiment = run_regularisation(problem, seed)
    return Q2Solution(seed, [judge_l2(experiment), judge_features(experiment), judge_coefficient(experiment)], experiment)
