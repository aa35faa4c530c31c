"""Verdicts for Q1c and Q1d, computed from the measured numbers.

Q1c: every verdict is counted over seeds: a width is "enough" in a seed when
its test accuracy is within ADEQUATE_MARGIN of that seed's best width, and it
"underfits" there when its training accuracy is more than UNDERFIT_MARGIN
below that seed's best. The summary gives the median and the range over the
seeds; a verdict is unanimous ("enough", "not enough") only when every seed
agrees, otherwise it "depends on the seed". Nothing here knows in advance
which width wins. The templates turn these records into sentences.

Q1d: the per-layer factors and their bounds (see gradient_flow_summary).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from hwsolve.experiments.width import SeedRuns, WidthExperiment, WidthRun

UNDERFIT_MARGIN = 0.03  # train accuracy this far below the seed's best width: too narrow (or badly started) to fit
# Test accuracy within this of the seed's best width: "enough". Two points is about two standard
# errors of an accuracy near 93% on 1,000 test points: a smaller difference is noise, not a verdict.
ADEQUATE_MARGIN = 0.02
OVERFIT_MARGIN = 0.02  # gap this much larger than the reference run's: overfitting grew

# In how many of the seeds a verdict held; the templates compare against these strings.
Agreement: TypeAlias = Literal["all", "none", "some"]
UNANIMOUS_YES: Final = "all"
UNANIMOUS_NO: Final = "none"
MIXED: Final = "some"


@dataclass(frozen=True)
class Spread:
    """One quantity over the seeds: median and range (values in seed order)."""

    median: float
    low: float
    high: float
    values: list[float]


def spread(values: list[float]) -> Spread:
    return Spread(statistics.median(values), min(values), max(values), list(values))


def _agreement(count: int, total: int) -> Agreement:
    return UNANIMOUS_YES if count == total else (UNANIMOUS_NO if count == 0 else MIXED)


@dataclass(frozen=True)
class WidthSummary:
    width: int  # the width trained
    requested_width: int  # the width the question asks about (differs for a substituted width)
    steps: int
    parameters: int
    train: Spread
    test: Spread
    gap: Spread
    enough_seeds: int  # seeds whose test accuracy is within ADEQUATE_MARGIN of that seed's best width
    underfit_seeds: int  # seeds whose train accuracy is more than UNDERFIT_MARGIN below that seed's best
    seed_count: int
    enough: Agreement  # in how many of the seeds the width was enough

    @property
    def substituted(self) -> bool:
        return self.width != self.requested_width


@dataclass(frozen=True)
class OverfitComparison:
    """A run against a reference run of the same seeds: did the train-test gap grow by more than OVERFIT_MARGIN?"""

    reference_width: int
    reference_steps: int
    width: int
    steps: int
    test_change: Spread  # test accuracy minus the reference's, per seed
    gap_change: Spread  # gap minus the reference's gap, per seed
    overfit_seeds: int
    seed_count: int
    overfits: Agreement  # in how many of the seeds the gap grew


def _by_width(runs: tuple[WidthRun, ...]) -> dict[int, WidthRun]:
    return {run.width: run for run in runs}


def _summary(requested_width: int, runs: list[WidthRun], seeds: tuple[SeedRuns, ...]) -> WidthSummary:
    """`runs` (one per seed, in seed order) judged against the best main-recipe width of each seed."""
    enough = sum(
        run.test_accuracy >= max(r.test_accuracy for r in seed.runs) - ADEQUATE_MARGIN for run, seed in zip(runs, seeds)
    )
    underfit = sum(
        run.train_accuracy < max(r.train_accuracy for r in seed.runs) - UNDERFIT_MARGIN
        for run, seed in zip(runs, seeds)
    )
    return WidthSummary(
        runs[0].width,
        requested_width,
        runs[0].steps,
        runs[0].parameters,
        spread([run.train_accuracy for run in runs]),
        spread([run.test_accuracy for run in runs]),
        spread([run.gap for run in runs]),
        enough,
        underfit,
        len(seeds),
        _agreement(enough, len(seeds)),
    )


def summarise_widths(experiment: WidthExperiment) -> list[WidthSummary]:
    """One summary per width of the main recipe, in the question's order."""
    return [
        _summary(requested, _runs(experiment.seeds, width), experiment.seeds)
        for width, requested in zip(experiment.plan.trained_widths, experiment.problem.widths)
    ]


def summarise_long_runs(experiment: WidthExperiment) -> list[WidthSummary]:
    """The long recipe's runs, judged against the main recipe's best width of each seed."""
    return [
        _summary(width, [_by_width(seed.long_runs)[width] for seed in experiment.seeds], experiment.seeds)
        for width in experiment.problem.long_widths
    ]


def compare_runs(reference: list[WidthRun], other: list[WidthRun]) -> OverfitComparison:
    """`other` against `reference`, seed by seed (both lists in seed order)."""
    gap_change = [run.gap - base.gap for base, run in zip(reference, other)]
    overfit = sum(change > OVERFIT_MARGIN for change in gap_change)
    return OverfitComparison(
        reference[0].width,
        reference[0].steps,
        other[0].width,
        other[0].steps,
        spread([run.test_accuracy - base.test_accuracy for base, run in zip(reference, other)]),
        spread(gap_change),
        overfit,
        len(reference),
        _agreement(overfit, len(reference)),
    )


def adequate_width(summaries: list[WidthSummary]) -> WidthSummary | None:
    """The narrowest width that is enough in every seed."""
    return next(
        (summary for summary in sorted(summaries, key=lambda s: s.width) if summary.enough == UNANIMOUS_YES), None
    )


def widest_against_adequate(experiment: WidthExperiment, summaries: list[WidthSummary]) -> OverfitComparison | None:
    adequate = adequate_width(summaries)
    widest = max(experiment.plan.trained_widths)
    if adequate is None or adequate.width == widest:
        return None
    return compare_runs(_runs(experiment.seeds, adequate.width), _runs(experiment.seeds, widest))


def long_against_short(experiment: WidthExperiment) -> list[OverfitComparison]:
    """Each long-recipe run against the main recipe at the same width (where that width was trained)."""
    comparisons = []
    for width in experiment.problem.long_widths:
        if width in experiment.plan.trained_widths:
            long_runs = [_by_width(seed.long_runs)[width] for seed in experiment.seeds]
            comparisons.append(compare_runs(_runs(experiment.seeds, width), long_runs))
    return comparisons


def _runs(seeds: tuple[SeedRuns, ...], width: int) -> list[WidthRun]:
    return [_by_width(seed.runs)[width] for seed in seeds]
