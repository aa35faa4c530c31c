"""Q1(c) over several seeds: medians, ranges and verdict counts recomputed from the cache files alone."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hwsolve.problem.q1 import WidthProblem
from hwsolve.solutions.q1 import solve_q1c

PROBLEM = WidthProblem(
    widths=(2, 4, 48), n_train=80, n_test=300, steps=80, seed_count=3, long_steps=240, long_widths=(48,)
)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    return solve_q1c(PROBLEM, seed=10, build_dir=tmp_path_factory.mktemp("build"))


def _cached_runs(solution) -> list[dict]:
    """The raw per-seed records, read back from the JSON files the experiment wrote."""
    return [json.loads(Path(name).read_text(encoding="utf-8")) for name in solution.cache_files]


def test_the_default_verdicts_never_rest_on_one_seed():
    assert WidthProblem().seed_count >= 3
    assert WidthProblem().seeds(7) == tuple(range(7, 7 + WidthProblem().seed_count))


def test_one_cache_file_per_seed(solved):
    records = _cached_runs(solved)
    assert [record["seed"] for record in records] == [10, 11, 12] == solved.seeds
    assert len(set(solved.cache_files)) == 3


@pytest.mark.parametrize("field", ["train_accuracy", "test_accuracy", "gap"])
def test_median_and_range_per_width_from_the_cache_files(solved, field):
    records = _cached_runs(solved)
    name = {"train_accuracy": "train", "test_accuracy": "test", "gap": "gap"}[field]
    for summary in solved.summaries:
        values = np.array(
            [next(run[field] for run in record["runs"] if run["width"] == summary.width) for record in records]
        )
        spread = getattr(summary, name)
        assert summary.seed_count == len(values) == 3
        assert spread.median == pytest.approx(float(np.median(values)), abs=1e-15)
        assert (spread.low, spread.high) == (pytest.approx(values.min()), pytest.approx(values.max()))
    for summary in solved.long_summaries:
        values = np.array(
            [next(run[field] for run in record["long_runs"] if run["width"] == summary.width) for record in records]
        )
        assert getattr(summary, name).median == pytest.approx(float(np.median(values)), abs=1e-15)
        assert all(run["steps"] == PROBLEM.long_steps for record in records for run in record["long_runs"])


def test_enough_and_underfit_counts_from_the_cache_files(solved):
    records = _cached_runs(solved)
    for summary in solved.summaries:
        enough = underfit = 0
        for record in records:
            best_test = max(run["test_accuracy"] for run in record["runs"])
            best_train = max(run["train_accuracy"] for run in record["runs"])
            run = next(run for run in record["runs"] if run["width"] == summary.width)
            enough += run["test_accuracy"] >= best_test - 0.02
            underfit += run["train_accuracy"] < best_train - 0.03
        assert (summary.enough_seeds, summary.underfit_seeds) == (enough, underfit)
        assert summary.enough == {3: "all", 0: "none"}.get(enough, "some")


def test_longer_training_compared_seed_by_seed(solved):
    records = _cached_runs(solved)
    (comparison,) = solved.long_comparisons
    changes = [
        next(r["gap"] for r in record["long_runs"] if r["width"] == 48)
        - next(r["gap"] for r in record["runs"] if r["width"] == 48)
        for record in records
    ]
    assert comparison.gap_change.values == pytest.approx(changes)
    assert comparison.overfit_seeds == sum(change > 0.02 for change in changes)
