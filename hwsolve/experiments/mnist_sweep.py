"""Orchestration of the Q4 sweep: device and threads, resume, atomic results.json/CSV, seeds.

A results file belongs to one run key (mode, seed, epochs, limit_train, data
checksum, trainer version); a run whose key differs from the finished results
in its folder goes to a sub-folder named by its key (results_folder), so no
setting's results replace another's. A config is written the moment it
finishes, so an interrupt loses only configs still training; on rerun with the
same key the finished ones are loaded, not retrained (unless force), and the
rest start over from their initial weights. What is read back is validated
(results_check); a file that fails is retrained, never reused.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch

from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist_models import Config
from hwsolve.experiments.mnist_modes import MODES, epochs_for
from hwsolve.experiments.results_check import SCHEMA, InvalidResults, NotAFile, load_results
from hwsolve.io import remove_leftover_temporaries, to_jsonable, write_atomic, write_json_atomic
from hwsolve.problem.q4 import SUBMITTED_THRESHOLD, below

TRAINER_VERSION = 4  # bump when a change alters the numbers, so old results are not reused
DEFAULT_THREADS = 2  # the shared 2-core machine; HWSOLVE_THREADS overrides
CSV_FIELDS = (
    "name",
    "activation",
    "loss",
    "optimizer",
    "epochs_trained",
    "test_error",
    "best_epoch",
    "overfitting_onset",
    "final_train_loss",
    "final_val_loss",
    "final_val_accuracy",
    "wall_time_s",
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
        "mode": mode,
        "seed": seed,
        "epochs": epochs,
        "limit_train": limit_train,
        "data_sha256": data_checksum,
        "trainer_version": TRAINER_VERSION,
    }


def setting_name(key: dict) -> str:
    """A folder name that spells out a run key, e.g. corrected-seed-0-epochs-2-train-5000-trainer-4-data-1a2b3c4d5e6f."""
    limit = "all" if key["limit_train"] is None else key["limit_train"]
    return (
        f"{key['mode']}-seed-{key['seed']}-epochs-{key['epochs']}-train-{limit}"
        f"-trainer-{key['trainer_version']}-data-{key['data_sha256'][:12]}"
    )


def _held_key(folder: Path) -> dict | None:
    """The run key of the finished results in `folder`; None when there are none, or none worth keeping.

    A file that fails validation holds nothing to keep: the run retrains over
    it (run_sweep says so). Something that cannot be replaced is refused.
    """
    for name in ("results.json", "results.csv"):
        target = folder / name
        if (target.exists() or target.is_symlink()) and not target.is_file():
            raise NotAFile(f"{target} is not a file (a folder or a broken link?); remove it or use another --out")
    try:
        held = load_results(folder / "results.json")
    except InvalidResults:
        return None
    return held["key"] if held is not None else None


def results_folder(out: Path, key: dict) -> Path:
    """Where the run of `key` keeps its results: `out`, unless out holds another setting's finished results.

    Then it is out/<setting_name(key)>/, so results of different settings
    (mode, seed, epochs, limit_train, data, trainer version) never replace each
    other, and a rerun of the same settings finds its own folder again.
    """
    out = Path(out)
    held = _held_key(out)
    if held is None or held == key:
        return out
    own = out / setting_name(key)
    held = _held_key(own)
    if held is not None and held != key:
        raise HwsolveError(f"{own} holds results of other settings than its name says; remove it or use another --out")
    return own


def reusable_results(out: Path, key: dict, force: bool = False, warn: bool = False) -> dict | None:
    """The results document in `out` when it belongs to this run key (and force is off): its configs are reused.

    An invalid file is never reused; warn says so on stderr (once per sweep: run_sweep's call).
    """
    try:
        previous = load_results(Path(out) / "results.json")
    except InvalidResults as error:
        if warn:
            import click

            click.echo(f"Warning: {error} -- not reused; its configs are retrained", err=True)
        return None
    return previous if previous is not None and previous.get("key") == key and not force else None


def pending_configs(
    mode: str,
    configs: list[Config],
    epochs: int,
    seed: int,
    mnist,
    out: Path,
    limit_train: int | None = None,
    force: bool = False,
) -> list[Config]:
    """The configs run_sweep would train: those not finished under `out` (its results_folder) for the same run key."""
    key = run_key(mode, seed, epochs, limit_train, mnist.checksum)
    previous = reusable_results(results_folder(out, key), key, force)
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
    """results.json, then results.csv from the same snapshot of the configs (repair_csv mends a kill in between)."""
    document["configs"].sort(key=lambda e: e["homework_index"])
    write_json_atomic(out / "results.json", document)
    write_atomic(out / "results.csv", results_csv(document["configs"]))


def repair_csv(out: Path, configs: list[dict]) -> None:
    """Rewrite results.csv when it does not hold what results.json does (a run killed between the two renames)."""
    expected = results_csv(sorted(configs, key=lambda e: e["homework_index"]))
    try:
        current = (out / "results.csv").read_text(encoding="utf-8")
    except (OSError, ValueError):
        current = None
    if current != expected:
        write_atomic(out / "results.csv", expected)


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

    spec = MODES[mode]
    key = run_key(mode, seed, epochs, limit_train, mnist.checksum)
    out = results_folder(out, key)
    for name in ("results.json", "results.csv"):  # an interrupted write's leftovers go even if nothing is written now
        remove_leftover_temporaries(out / name)
    previous = reusable_results(out, key, force, warn=True)
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
                todo,
                mnist,
                spec,
                epochs,
                seed,
                limit_train,
                device=device,
                on_epoch=lambda epoch, n_models: advance(n_models),
                on_config_done=on_config_done,
            )
    document["last_run_wall_time_s"] = time.perf_counter() - started
    if todo or not (out / "results.json").exists():
        save_results(out, document)
    else:
        repair_csv(out, document["configs"])
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
        errors = {
            seed: next(e["test_error"] for e in entries if e["name"] == name) for seed, entries in per_seed.items()
        }
        finite = [v for v in errors.values() if v is not None]
        seeds_below = [seed for seed, v in errors.items() if below(v, threshold)]
        n = len(errors)
        if len(seeds_below) == n:
            verdict = f"robust: < {threshold:g} in all {n} seeds"
        elif not seeds_below:
            verdict = f"robust: >= {threshold:g} in all {n} seeds"
        else:
            verdict = f"luck: < {threshold:g} in {len(seeds_below)} of {n} seeds"
        summary.append(
            {
                "name": name,
                "test_errors": {str(seed): v for seed, v in errors.items()},
                "median": statistics.median(finite) if finite else None,
                "min": min(finite) if finite else None,
                "max": max(finite) if finite else None,
                "seeds_below_threshold": len(seeds_below),
                "n_seeds": n,
                "robust": len(seeds_below) in (0, n),
                "verdict": verdict,
            }
        )
    return summary
