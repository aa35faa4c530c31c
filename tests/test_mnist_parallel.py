"""Sweeps side by side in worker processes give the same numbers as one after the other, and resume the same way."""

from __future__ import annotations

import json

import pytest

from hwsolve.data.mnist import load_mnist
from hwsolve.experiments.mnist import parse_configs, read_results
from hwsolve.experiments.mnist.parallel import SweepJob, run_sweeps, worker_count

pytestmark = pytest.mark.mnist
CONFIGS = "relu/cross_entropy/sgd,sigmoid/nll/adam"
# What may differ between two runs of the same sweep: the clock, the thread count, where it ran.
RUN_FACTS = {"wall_time_s", "last_run_wall_time_s", "threads"}
# float32 sums whose order can follow the thread count: when a single model is left in the stack (homework
# mode's last epochs), its first-layer GEMM is small enough that 1 and 2 threads split it differently.
LOSSES = ("train_loss", "val_loss", "val_loss_sum")


def assert_same_numbers(one: dict, other: dict) -> None:
    assert numbers(one) | {"configs": None} == numbers(other) | {"configs": None}
    for a, b in zip(numbers(one)["configs"], numbers(other)["configs"], strict=True):
        assert {k: v for k, v in a.items() if k not in LOSSES} == {k: v for k, v in b.items() if k not in LOSSES}
        for name in LOSSES:
            assert a[name] == pytest.approx(b[name], rel=1e-6), (a["name"], name)


def numbers(document: dict) -> dict:
    kept = {k: v for k, v in document.items() if k not in RUN_FACTS}
    kept["configs"] = [{k: v for k, v in e.items() if k not in RUN_FACTS} for e in document["configs"]]
    return kept


def jobs_under(root):
    return [
        SweepJob("homework", 0, root / "homework"),
        SweepJob("homework", 1, root / "homework" / "seed-1"),
        SweepJob("corrected", 0, root / "corrected"),
    ]


def test_parallel_sweeps_equal_sequential_ones_value_for_value(tmp_path):
    mnist, configs = load_mnist(), parse_configs(CONFIGS)
    # Sequential oracle: in this process with its torch threads, each sweep after the other.
    sequential = run_sweeps(jobs_under(tmp_path / "seq"), configs, 2, mnist, 640, progress=None, threads=1)
    parallel = run_sweeps(jobs_under(tmp_path / "par"), configs, 2, mnist, 640, progress=None, threads=2)
    for one, other in zip(sequential.values(), parallel.values()):
        assert other["threads"] == 1  # two workers of one thread each
        assert_same_numbers(one, other)
    for job in jobs_under(tmp_path / "par"):  # what the workers saved is what they returned
        saved = read_results(job.out / "results.json")
        assert numbers(saved) == numbers(parallel[job])
        assert (job.out / "results.csv").read_text().count("\n") == 1 + len(configs)


def test_a_rerun_reads_finished_sweeps_and_trains_only_the_missing_ones(tmp_path):
    mnist, configs = load_mnist(), parse_configs(CONFIGS)
    first = run_sweeps(jobs_under(tmp_path)[:2], configs, 2, mnist, 640, progress=None, threads=2)
    again = run_sweeps(jobs_under(tmp_path), configs, 2, mnist, 640, progress=None, threads=2)
    assert [doc["retrained"] for doc in again.values()] == [[], [], [c.name for c in configs]]
    for job, document in first.items():
        assert numbers(again[job])["configs"] == numbers(document)["configs"]
    assert json.loads((tmp_path / "corrected" / "results.json").read_text())["key"]["mode"] == "corrected"


def test_worker_errors_reach_the_caller_as_they_are(tmp_path, monkeypatch):
    """A worker's HwsolveError (here: MNIST gone after the parent loaded it) is raised in the parent."""
    from hwsolve.errors import HwsolveError

    mnist, configs = load_mnist(), parse_configs(CONFIGS)
    monkeypatch.delenv("HWSOLVE_DATA")  # the workers inherit the environment: no other copy to find
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)

    class Moved:
        folder, checksum = tmp_path / "nowhere", mnist.checksum

    with pytest.raises(HwsolveError, match="nowhere|MNIST"):
        run_sweeps(jobs_under(tmp_path)[:2], configs, 2, Moved(), 640, progress=None, threads=2)


def test_worker_count_uses_one_thread_per_sweep_and_one_process_on_a_gpu():
    assert worker_count(jobs=4, threads=2, device="cpu") == 2
    assert worker_count(jobs=1, threads=2, device="cpu") == 1
    assert worker_count(jobs=4, threads=1, device="cpu") == 1
    assert worker_count(jobs=4, threads=8, device="cuda") == 1
