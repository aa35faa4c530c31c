"""`hwsolve q4`: JSON output, resume, interrupts, seeds, subsets, errors. Tiny runs (--limit-train)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from hwsolve.cli import cli
from hwsolve.data.mnist import load_mnist
from hwsolve.experiments.mnist import ConfigResult, parse_configs
from hwsolve.experiments.mnist import sweep as mnist_sweep
from hwsolve.experiments.mnist.modes import CORRECTED, HOMEWORK
from hwsolve.experiments.mnist.trainer import train_lockstep
from hwsolve.io import to_jsonable

HWSOLVE = Path(sys.executable).parent / "hwsolve"
pytestmark = pytest.mark.mnist
TINY = ["--limit-train", "1280", "--no-progress"]


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, ["q4", *args])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_json_has_the_required_fields(tmp_path):
    result = run(
        "--mode",
        "homework",
        "--epochs",
        "3",
        "--configs",
        "relu/*/sgd",
        *TINY,
        "--out",
        str(tmp_path),
        "--format",
        "json",
    )
    data = json.loads(result.output)
    assert data["mode"] == "homework" and [e["name"] for e in data["configs"]] == [
        "relu/cross_entropy/sgd",
        "relu/nll/sgd",
    ]
    for entry in data["configs"]:
        assert {"activation", "loss", "optimizer", "test_error", "val_loss", "train_loss"} <= entry.keys()
        assert isinstance(entry["test_error"], float)
        assert len(entry["val_loss"]) == len(entry["train_loss"]) == entry["epochs_trained"]
    # relu/nll/sgd is homework index 2: 3 - 2 = 1 epoch, as the submitted loop trains it
    assert [e["epochs_trained"] for e in data["configs"]] == [3, 1]
    assert (tmp_path / "results.json").exists() and (tmp_path / "results.csv").read_text().count("\n") == 3


def test_resume_force_and_key(tmp_path):
    out = ["--out", str(tmp_path), "--format", "json", *TINY, "--epochs", "1"]
    first = json.loads(run("--configs", "relu/cross_entropy/sgd", *out).output)
    stored = json.loads((tmp_path / "results.json").read_text())
    assert stored["retrained"] == ["relu/cross_entropy/sgd"]
    second = json.loads(run("--configs", "relu/cross_entropy/sgd,sigmoid/nll/adam", *out).output)
    stored = json.loads((tmp_path / "results.json").read_text())
    assert len(stored["configs"]) == 2
    assert second["configs"][0] == first["configs"][0]  # reused, not retrained
    run("--configs", "relu/cross_entropy/sgd", "--force", *out)
    assert json.loads((tmp_path / "results.json").read_text())["retrained"] == ["relu/cross_entropy/sgd"]
    run("--configs", "relu/cross_entropy/sgd", "--seed", "5", *out)  # new key: nothing reused, nothing replaced
    assert json.loads((tmp_path / "results.json").read_text())["key"]["seed"] == 0
    (own,) = tmp_path.glob("corrected-seed-5-epochs-1-train-1280-*")
    assert json.loads((own / "results.json").read_text())["key"]["seed"] == 5


def test_interrupt_keeps_finished_configs_and_rerun_completes(tmp_path):
    """Homework mode finishes configs at different epochs; an interrupt keeps those, nothing torn."""
    mnist = load_mnist()
    configs = parse_configs("relu/cross_entropy/sgd,relu/cross_entropy/adam,relu/nll/sgd")  # 3, 2, 1 epochs

    class InterruptingBar:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mnist_sweep.run_sweep(
            "homework", configs, 3, 0, mnist, tmp_path, limit_train=1280, progress=lambda *a: InterruptingBar()
        )
    # The bar interrupts after epoch 1, before anything is retired: nothing is saved yet.
    assert not (tmp_path / "results.json").exists()

    calls = []

    class SecondEpochInterrupt(InterruptingBar):
        def update(self, n):
            calls.append(n)
            if len(calls) == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mnist_sweep.run_sweep(
            "homework", configs, 3, 0, mnist, tmp_path, limit_train=1280, progress=lambda *a: SecondEpochInterrupt()
        )
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [e["name"] for e in saved["configs"]] == ["relu/nll/sgd"]  # finished after epoch 1
    document = mnist_sweep.run_sweep("homework", configs, 3, 0, mnist, tmp_path, limit_train=1280)
    assert document["retrained"] == ["relu/cross_entropy/sgd", "relu/cross_entropy/adam"]
    assert [e["epochs_trained"] for e in document["configs"]] == [3, 2, 1]


def test_subset_gives_the_same_numbers_as_the_full_sweep():
    """Per-config seeds and shared batches/masks: a subset reproduces the full sweep (float64)."""
    mnist = load_mnist()
    for mode in (HOMEWORK, CORRECTED):
        full = train_lockstep(parse_configs(None), mnist, mode, 2, 3, 640, dtype=torch.float64)
        subset = train_lockstep(parse_configs("relu/cross_entropy/adam"), mnist, mode, 2, 3, 640, dtype=torch.float64)
        reference = next(e for e in full if e.name == "relu/cross_entropy/adam")
        for key in ("train_loss", "val_loss_sum", "test_error"):
            assert getattr(subset[0], key) == pytest.approx(getattr(reference, key), rel=1e-10, abs=1e-12)


def test_same_seed_same_json_except_timing(tmp_path):
    args = ["--configs", "sigmoid/cross_entropy/*", *TINY, "--epochs", "2", "--format", "json", "--force"]
    a = json.loads(run(*args, "--out", str(tmp_path / "a")).output)
    b = json.loads(run(*args, "--out", str(tmp_path / "b")).output)
    for data in (a, b):
        data.pop("wall_time_s"), data.pop("results_path")
        for entry in data["configs"]:
            entry.pop("wall_time_s")
    assert a == b


def test_seeds_report_median_range_and_verdict(tmp_path):
    result = run(
        "--mode",
        "homework",
        "--configs",
        "relu/cross_entropy/sgd,relu/cross_entropy/adam",
        "--seeds",
        "0-2",
        "--epochs",
        "2",
        *TINY,
        "--out",
        str(tmp_path),
        "--format",
        "json",
    )
    data = json.loads(result.output)
    per_seed = {}
    for seed in (0, 1, 2):
        folder = tmp_path if seed == 0 else tmp_path / f"seed-{seed}"
        per_seed[seed] = {
            e["name"]: e["test_error"] for e in json.loads((folder / "results.json").read_text())["configs"]
        }
    for row in data["seeds_summary"]:
        values = [per_seed[s][row["name"]] for s in (0, 1, 2)]
        assert row["median"] == statistics.median(values)
        assert (row["min"], row["max"]) == (min(values), max(values))
        below = sum(v < 0.1 for v in values)
        assert row["robust"] == (below in (0, 3))
        assert row["verdict"].startswith("robust" if row["robust"] else "luck")
    text = run(
        "--mode",
        "homework",
        "--configs",
        "relu/cross_entropy/sgd,relu/cross_entropy/adam",
        "--seeds",
        "0,1,2",
        "--epochs",
        "2",
        *TINY,
        "--out",
        str(tmp_path),
    ).output
    assert "Across seeds 0, 1, 2" in text and "Adam at lr 0.1" in text


# Per format: markers from templates/{text,md,tex}/q4.* (heading and the config's results-table row).
FORMAT_MARKERS = {
    "text": ["Q4: MNIST sweep, corrected mode", "\nrelu/cross_entropy/sgd              1 ", "\nTest error < 0.1: "],
    "md": ["## Question 4", "\n| ReLU | CE | SGD | "],
    "tex": ["\\section{Question 4", "\\begin{tabular}", "\nReLU & CE & SGD & "],
}


@pytest.mark.parametrize("fmt", ["text", "md", "tex"])
def test_formats_render(tmp_path, fmt):
    result = run("--configs", "relu/cross_entropy/sgd", *TINY, "--epochs", "1", "--out", str(tmp_path), "--format", fmt)
    for marker in FORMAT_MARKERS[fmt]:
        assert marker in result.output, (fmt, marker)
    for other, markers in FORMAT_MARKERS.items():
        if other != fmt:
            assert markers[0] not in result.output, (fmt, other)


@pytest.mark.parametrize(
    "args, exit_code, message",
    [
        (["--configs", "tanh/nll/sgd"], 2, "tanh"),
        (["--seeds", "4-1"], 2, "--seeds"),
        (["--seeds", "a,b"], 2, "--seeds"),
        (["--mode", "fast"], 2, "--mode"),
        (["--limit-train", "5"], 2, "--limit-train"),
        (["--device", "cuda", "--limit-train", "1280"], 1, "CUDA"),
        (["--data-dir", "/nonexistent-mnist", "--limit-train", "1280"], None, "MNIST not found"),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path, args, exit_code, message):
    if "--device" in args and torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    env = dict(os.environ)
    if "--data-dir" in args:
        env["HWSOLVE_DATA"] = str(tmp_path / "nothing")
        env["XDG_CACHE_HOME"] = str(tmp_path)
        exit_code = 1
    done = subprocess.run(
        [str(HWSOLVE), "q4", *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == exit_code
    assert message in done.stderr and "Traceback" not in done.stderr
    if exit_code == 1:
        assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_relu_ce_sgd_two_epochs_on_full_data_under_ten_percent(tmp_path):
    data = json.loads(
        run(
            "--mode",
            "homework",
            "--configs",
            "relu/cross_entropy/sgd",
            "--epochs",
            "2",
            "--no-progress",
            "--out",
            str(tmp_path),
            "--format",
            "json",
        ).output
    )
    entry = data["configs"][0]
    assert entry["epochs_trained"] == 2 and entry["n_train"] == 48000 and entry["n_val"] == 11872
    assert entry["test_error"] < 0.10


def test_load_q4_results_reads_without_training(tmp_path):
    from hwsolve.errors import HwsolveError
    from hwsolve.solutions.q4 import load_q4_results

    with pytest.raises(HwsolveError, match="no Q4 results"):
        load_q4_results("corrected", tmp_path)
    produced = json.loads(
        run("--configs", "relu/*/*", *TINY, "--epochs", "1", "--out", str(tmp_path), "--format", "json").output
    )
    loaded = load_q4_results("corrected", tmp_path)
    assert [e.test_error for e in loaded.configs] == [e["test_error"] for e in produced["configs"]]
    assert to_jsonable(loaded.agreement) == produced["agreement"] and loaded.mode == "corrected"


def test_a_diverged_config_is_saved_as_null_not_a_crash(tmp_path, monkeypatch):
    """Raw-logit NLL can diverge to NaN in homework mode; results.json must stay strict JSON."""
    import hwsolve.experiments.mnist.trainer as trainer

    def diverging(configs, *args, on_config_done=None, **kwargs):
        nan = float("nan")
        curves = {
            "train_loss": [1.0, nan],
            "val_loss": [nan, nan],
            "val_loss_sum": [nan, nan],
            "val_accuracy": [0.1, 0.1],
        }
        result = ConfigResult.from_curves(configs[0], curves, nan, None, 0.0, (1024, 256, 10000))
        on_config_done(result)
        return [result]

    monkeypatch.setattr(trainer, "train_lockstep", diverging)
    document = mnist_sweep.run_sweep(
        "homework", parse_configs("relu/nll/sgd"), 2, 0, load_mnist(), tmp_path, limit_train=1280
    )
    stored = json.loads((tmp_path / "results.json").read_text())
    assert stored["configs"][0]["test_error"] is None and stored["configs"][0]["val_loss"] == [None, None]
    assert document["configs"][0]["test_error"] is None
