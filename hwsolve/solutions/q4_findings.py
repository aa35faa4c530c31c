"""What the Q4 runs show, per configuration: across seeds (ConfigFinding), and against the submitted table.

Each configuration gets a finding over the seeds: the median and range of
its test error, in how many seeds it is below 0.1, and the measured facts
behind the reasons the report gives (diverged training, unbounded loss, a
constant prediction).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from hwsolve.experiments.mnist import ConfigResult, ModeSpec
from hwsolve.problem.q4 import SUBMITTED_BELOW_THRESHOLD, SUBMITTED_THRESHOLD, below

if TYPE_CHECKING:  # sweep.py imports torch; the findings only name its TypedDict
    from hwsolve.experiments.mnist.sweep import SeedSummary

EPOCH_BUG_LINE = "for epoch in range(epoch):"
# Adam's update is about lr per weight whatever the gradient's scale; nn.Linear
# draws the first layer's initial weights within +-1/sqrt(784) = 1/28. From
# this lr on, one step can be larger than any initial first-layer weight.
ADAM_LR_TOO_LARGE = 1 / 28

Cause = Literal["nll_raw_logits", "adam_large_lr", "trains"]


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass(frozen=True)
class ConfigFinding:
    """One configuration over the seeds that hold it (n_seeds of them)."""

    name: str
    activation: str
    loss: str
    optimizer: str
    homework_index: int
    epochs_trained: int
    test_errors: list[float | None]  # per seed, in seed order; None: NaN
    test_error: float | None  # the median: what a figure of this mode shows
    median: float | None
    low: float | None
    high: float | None
    seeds_below: int
    n_seeds: int
    cause: Cause
    diverged_seeds: int
    first_nan_epoch: int | None
    final_train_loss: float | None
    lowest_train_loss: float | None
    constant_digits: list[int]  # digits whose constant prediction gives exactly each seed's test error
    submitted_below: bool

    @property
    def finite_errors(self) -> list[float]:
        return [value for value in self.test_errors if value is not None]


def cause_of(loss: str, optimizer: str, mode: ModeSpec) -> Cause:
    """The mechanism that decides a configuration's outcome in this mode.

    'nll_raw_logits': NLLLoss on raw logits (unbounded below); 'adam_large_lr':
    Adam at a learning rate of the order of the initial weights; 'trains': neither.
    """
    if loss == "nll" and not mode.nll_on_log_softmax:
        return "nll_raw_logits"
    if optimizer == "adam" and mode.adam_lr >= ADAM_LR_TOO_LARGE:
        return "adam_large_lr"
    return "trains"


def constant_digit(test_error: float | None, label_counts: list[int] | None) -> int | None:
    """The digit d such that predicting d for every test image gives exactly this test error, if one does."""
    if test_error is None or not label_counts:
        return None
    n_test = sum(label_counts)
    wrong = round(test_error * n_test)
    digits = [digit for digit, count in enumerate(label_counts) if n_test - count == wrong]
    return digits[0] if len(digits) == 1 else None


def _first_nan_epoch(curve: Sequence[float | None]) -> int | None:
    return next((epoch + 1 for epoch, value in enumerate(curve) if value is None), None)


def _finding(
    reference: ConfigResult, runs: list[ConfigResult], mode: ModeSpec, label_counts: list[int] | None, threshold: float
) -> ConfigFinding:
    errors = [run.test_error for run in runs]
    finite = [value for value in errors if value is not None]
    losses = [run.train_loss for run in runs]
    nan_epochs = [_first_nan_epoch(curve) for curve in losses]
    digits = [constant_digit(value, label_counts) for value in errors]
    lowest = [min(v for v in curve if v is not None) for curve in losses if any(v is not None for v in curve)]
    return ConfigFinding(
        name=reference.name,
        activation=reference.activation,
        loss=reference.loss,
        optimizer=reference.optimizer,
        homework_index=reference.homework_index,
        epochs_trained=reference.epochs_trained,
        test_errors=errors,
        test_error=_median(finite),
        median=_median(finite),
        low=min(finite) if finite else None,
        high=max(finite) if finite else None,
        seeds_below=sum(below(value, threshold) for value in errors),
        n_seeds=len(runs),
        cause=cause_of(reference.loss, reference.optimizer, mode),
        diverged_seeds=sum(epoch is not None for epoch in nan_epochs),
        first_nan_epoch=min((epoch for epoch in nan_epochs if epoch is not None), default=None),
        final_train_loss=_median([curve[-1] for curve in losses if curve and curve[-1] is not None]),
        lowest_train_loss=_median(lowest),
        constant_digits=sorted({d for d in digits if d is not None}) if errors and None not in digits else [],
        submitted_below=reference.name in SUBMITTED_BELOW_THRESHOLD,
    )


def config_findings(
    per_seed: dict[int, list[ConfigResult]],
    mode: ModeSpec,
    label_counts: list[int] | None = None,
    threshold: float = SUBMITTED_THRESHOLD,
) -> list[ConfigFinding]:
    """One finding per configuration over the seeds: the test error's median and range, and why.

    `per_seed` maps each seed to its results. Seeds that do not hold a
    configuration are left out of its finding (n_seeds says how many count).
    """
    seeds = list(per_seed)
    by_seed = {seed: {result.name: result for result in results} for seed, results in per_seed.items()}
    findings = []
    for reference in per_seed[seeds[0]]:
        runs = [by_seed[seed][reference.name] for seed in seeds if reference.name in by_seed[seed]]
        findings.append(_finding(reference, runs, mode, label_counts, threshold))
    return findings


def explain_seed_spread(summary: list[SeedSummary], mode: ModeSpec, results: list[ConfigResult], epochs: int) -> None:
    """Add `reasons` to each seed-summary entry: the facts that make a finding robust or luck."""
    trained = {result.name: result.epochs_trained for result in results}
    for entry in summary:
        _, loss, optimizer = entry["name"].split("/")
        reasons = []
        if entry["min"] is not None and entry["max"] is not None and entry["median"] is not None:
            reasons.append(
                f"test error {entry['min']:.4f} to {entry['max']:.4f} across seeds (median {entry['median']:.4f})"
            )
        if entry["n_seeds"] > len([v for v in entry["test_errors"].values() if v is not None]):
            reasons.append("diverged (NaN) for some seeds")
        if optimizer == "adam" and mode.adam_lr >= ADAM_LR_TOO_LARGE:
            reasons.append(f"Adam at lr {mode.adam_lr:g} takes steps of about lr per weight: erratic")
        if trained.get(entry["name"], epochs) < epochs:
            reasons.append(f"trained {trained[entry['name']]} of {epochs} epochs (the `{EPOCH_BUG_LINE}` rebinding)")
        if loss == "nll" and not mode.nll_on_log_softmax:
            reasons.append("NLLLoss on raw logits is unbounded below: it inflates the target logit instead of learning")
        entry["reasons"] = reasons


@dataclass(frozen=True)
class MarkedResult(ConfigResult):
    """One run's result, marked against the submitted table (the JSON's `configs`)."""

    below_threshold: bool = False
    submitted_below_threshold: bool = False
    agrees_with_submitted: bool = False


@dataclass(frozen=True)
class Agreement:
    ours_below: list[str]
    submitted_below: list[str]
    only_ours: list[str]
    only_submitted: list[str]
    matches: bool


def mark(result: ConfigResult, threshold: float = SUBMITTED_THRESHOLD) -> MarkedResult:
    ours, submitted = below(result.test_error, threshold), result.name in SUBMITTED_BELOW_THRESHOLD
    # Every field of the result, by name: Any because they differ in type; MarkedResult's constructor checks them.
    values: dict[str, Any] = {field.name: getattr(result, field.name) for field in fields(ConfigResult)}
    return MarkedResult(
        **values, below_threshold=ours, submitted_below_threshold=submitted, agrees_with_submitted=ours == submitted
    )


def compare_with_submitted(
    results: list[ConfigResult], threshold: float = SUBMITTED_THRESHOLD
) -> tuple[list[MarkedResult], Agreement]:
    """Which configs reach test error < threshold, against the submitted table."""
    marked = [mark(result, threshold) for result in results]
    ours = [m.name for m in marked if m.below_threshold]
    submitted = sorted(SUBMITTED_BELOW_THRESHOLD & {m.name for m in marked})
    return marked, Agreement(
        ours_below=ours,
        submitted_below=submitted,
        only_ours=[n for n in ours if n not in SUBMITTED_BELOW_THRESHOLD],
        only_submitted=[n for n in submitted if n not in ours],
        matches=set(ours) == set(submitted),
    )
