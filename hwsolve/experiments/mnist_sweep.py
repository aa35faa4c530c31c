"""Orchestration of the Q4 sweep: device and threads, resume, atomic results.json/CSV, seeds.

A results file belongs to one run key (mode, seed, epochs, limit_train, data
checksum, trainer version). A config is written the moment it finishes, so an
interrupt loses only configs still training; on rerun with the same key the
finished ones are loaded, not retrained (unless force), and the rest start
over from their initial weights.
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import torch

from hwsolve.audit.submitted_q4 import SUBMITTED_THRESHOLD, below
from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist_models import Config
from hwsolve.experiments.mnist_modes import MODES, epochs_for
from hwsolve.io import write_atomic, write_json_atomic
from hwsolve.solutions.base import to_jsonable

SCHEMA = "hwsolve.q4.results/1"
TRAINER_VERSION = 4  # bump when a change alters the numbers, so old results are not reused
DEFAULT_THREADS = 2  # the shared 2-core machine; HWSOLVE_THREADS overrides
CSV_FIELDS = (
    "name", "activation", "loss", "optimizer", "epochs_trained", "test_error", "best_epoch",
    "overfitting_onset", "final_train_loss", "final_val_loss", "final_val_accuracy", "wall_time_s",
)


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise HwsolveError("--device cuda: CUDA is not available in this torch build or machine; use --device cpu")
    return device


def set_threads() -> int:
    threads = int(os.environ.get("HWSOLVE_THREADS", DEFAULT_THREADS))
    torch.set_num_threads(threads)
    return threads


def run_key(mode: str, seed: int, epochs: int, limit_train: int | None, data_checksum: str) -> dict:
    return {
        "mode": mode, "seed": seed, "epochs": epochs, "limit_train": limit_train,
        "data_sha256": data_checksum, "trainer_version": TRAINER_VERSION,
    }


def read_results(path: Path) -> dict | None:
    """A results.json, or None if absent or unreadable (a torn file never counts)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else None


def reusable_results(out: Path, key: dict, force: bool = False) -> dict | None:
    """The results document in `out` when it belongs to this run key (and force is off): its configs are reused."""
    previous = read_results(Path(out) / "results.json")
    return previous if previous is not None and previous.get("key") == key and not force else None


def pending_configs(mode: str, configs: list[Config], epochs: int, seed: int, mnist, out: Path,
                    limit_train: int | None = None, force: bool = False) -> list[Config]:
    """The configs run_sweep would train: those not finished in `out` under the same run key."""
    previous = reusable_results(out, run_key(mode, seed, epochs, limit_train, mnist.checksum), force)
    done = {e["name"] for e in previous["configs"]} if previous is not None else set()
    return [c for c in configs if c.name not in done]


def results_csv(entries: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for e in entries:
        row = {k: e.get(k) for k in CSV_FIELDS}
        row["final_train_loss"] = e["train_loss"][-1] if e["train_loss"] else None
        row["final_val_loss"] = e["val_loss"][-1] if e["val_loss"] else None
        row["final_val_accuracy"] = e["val_accuracy"][-1] if e["val_accuracy"] else None
        writer.writerow(row)
    return buffer.getvalue()


def save_results(out: Path, document: dict) -> None:
    document["configs"].sort(key=lambda e: e["homework_index"])
    write_json_atomic(out / "results.json", document)
    write_atomic(out / "results.csv", results_csv(document["configs"]))


def run_sweep(
    mode: str,
    configs: list[Config],
    epochs: int,
    seed: int,
    mnist,
    out: Path,
    limit_train: int | None = None,
    device: str = "cpu",
    force: bool = False,
    progress: bool = True,
    label: str = "",
    on_model_epochs: Callable[[int], None] | None = None,
) -> dict:
    """Train what is missing for `configs`, save as it finishes, return the results document.

    on_model_epochs(n), if given, is told the model-epochs of each finished
    epoch instead of a progress bar being drawn (mnist_parallel's workers).
    """
    from hwsolve.experiments.mnist_trainer import train_lockstep

    out = Path(out)
    spec = MODES[mode]
    key = run_key(mode, seed, epochs, limit_train, mnist.checksum)
    previous = reusable_results(out, key, force)
    document = {
        "schema": SCHEMA,
        "key": key,
        "mode": mode,
        "settings": asdict(spec),
        "device": device,
        "threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "data_folder": str(mnist.folder),
        "configs": list(previous["configs"]) if previous is not None else [],
    }
    done = {e["name"] for e in document["configs"]}
    todo = [c for c in configs if c.name not in done]
    document["retrained"] = [c.name for c in todo]
    started = time.perf_counter()
    if todo:
        total = sum(epochs_for(spec, epochs, c.index) for c in todo)
        bar_label = f"q4 {mode}{label}: {len(todo)} configs, model-epochs"
        bar = progress_bar(total, bar_label, progress and on_model_epochs is None)
        advance = on_model_epochs if on_model_epochs is not None else bar.update

        def on_config_done(summary: dict) -> None:
            summary = to_jsonable(summary)  # a diverged run's NaN/inf become null: strict JSON
            document["configs"] = [e for e in document["configs"] if e["name"] != summary["name"]] + [summary]
            save_results(out, document)

        with bar:
            train_lockstep(
                todo, mnist, spec, epochs, seed, limit_train, device=device,
                on_epoch=lambda epoch, n_models: advance(n_models),
                on_config_done=on_config_done,
            )
    document["last_run_wall_time_s"] = time.perf_counter() - started
    if todo or not (out / "results.json").exists():
        save_results(out, document)
    wanted = {c.name for c in configs}
    document["configs"] = [e for e in document["configs"] if e["name"] in wanted]
    return document


class NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def progress_bar(total: int, label: str, enabled: bool):
    if not enabled or total == 0:
        return NoBar()
    import click

    return click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True, show_pos=True)


def summarise_seeds(per_seed: dict[int, list[dict]], threshold: float = SUBMITTED_THRESHOLD) -> list[dict]:
    """Per config: median and range of the test error over seeds, and how robust '< threshold' is."""
    names = [e["name"] for e in next(iter(per_seed.values()))]
    summary = []
    for name in names:
        errors = {seed: next(e["test_error"] for e in entries if e["name"] == name) for seed, entries in per_seed.items()}
        finite = [v for v in errors.values() if v is not None]
        seeds_below = [seed for seed, v in errors.items() if below(v, threshold)]
        n = len(errors)
        if len(seeds_below) == n:
            verdict = f"robust: < {threshold:g} in all {n} seeds"
        elif not seeds_below:
            verdict = f"robust: >= {threshold:g} in all {n} seeds"
        else:
            verdict = f"luck: < {threshold:g} in {len(seeds_below)} of {n} seeds"
        summary.append({
            "name": name,
            "test_errors": {str(seed): v for seed, v in errors.items()},
            "median": statistics.median(finite) if finite else None,
            "min": min(finite) if finite else None,
            "max": max(finite) if finite else None,
            "seeds_below_threshold": len(seeds_below),
            "n_seeds": n,
            "robust": len(seeds_below) in (0, n),
            "verdict": verdict,
        })
    return summary
