"""Orchestration of the Q4 sweep: device and threads, resume, atomic results.json/CSV, seeds.

A results file belongs to one run key (mode, seed, epochs, limit_train, data
checksum, trainer version); a run whose key differs from the finished results
in its folder goes to a sub-folder named by its key (results_folder), so no
setting's results replace another's. A config is written the moment it
finishes, so an interrupt loses only configs still training; on rerun with the
same key the finished ones are loaded, not retrained (unless force), and the
rest start over from their initial weights. What is read back is validated
(results.py); a file that fails is retrained, never reused.
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
from typing import NotRequired, TypedDict

import torch

from hwsolve.data.mnist import Mnist
from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist.config_result import ConfigResult, JsonEntry
from hwsolve.experiments.mnist.configs import Config
from hwsolve.experiments.mnist.modes import MODES, ModeSpec, epochs_for
from hwsolve.experiments.mnist.progress import ProgressFactory, open_bar
from hwsolve.experiments.mnist.results import SCHEMA, InvalidResults, NotAFile, ResultsDocument, RunKey, read_results
from hwsolve.io import remove_leftover_temporaries, write_atomic, write_json_atomic
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
    """auto -> cuda when torch sees a GPU, else cpu; cuda without one is an error that says so."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise HwsolveError("--device cuda: CUDA is not available in this torch build or machine; use --device cpu")
    return device


def sweep_threads() -> int:
    """The torch threads a run of sweeps may use (HWSOLVE_THREADS, else DEFAULT_THREADS); see hwsolve.threads."""
    return int(os.environ.get("HWSOLVE_THREADS", DEFAULT_THREADS))


def run_key(mode: str, seed: int, epochs: int, limit_train: int | None, data_checksum: str) -> RunKey:
    return {
        "mode": mode,
        "seed": seed,
        "epochs": epochs,
        "limit_train": limit_train,
        "data_sha256": data_checksum,
        "trainer_version": TRAINER_VERSION,
    }


def setting_name(key: RunKey) -> str:
    """A folder name that spells out a run key.

    E.g. corrected-seed-0-epochs-2-train-5000-trainer-4-data-1a2b3c4d5e6f.
    """
    limit = "all" if key["limit_train"] is None else key["limit_train"]
    return (
        f"{key['mode']}-seed-{key['seed']}-epochs-{key['epochs']}-train-{limit}"
        f"-trainer-{key['trainer_version']}-data-{key['data_sha256'][:12]}"
    )


def _held_key(folder: Path) -> RunKey | None:
    """The run key of the finished results in `folder`; None when there are none, or none worth keeping.

    A file that fails validation holds nothing to keep: the run retrains over
    it (run_sweep says so). Something that cannot be replaced is refused.
    """
    for name in ("results.json", "results.csv"):
        target = folder / name
        if (target.exists() or target.is_symlink()) and not target.is_file():
            raise NotAFile(f"{target} is not a file (a folder or a broken link?); remove it or use another --out")
    try:
        held = read_results(folder / "results.json")
    except InvalidResults:
        return None
    return held["key"] if held is not None else None


def results_folder(out: Path, key: RunKey) -> Path:
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


def reusable_results(out: Path, key: RunKey, force: bool = False, warn: bool = False) -> ResultsDocument | None:
    """The results document in `out` when it belongs to this run key (and force is off): its configs are reused.

    An invalid file is never reused; warn says so on stderr (once per sweep: run_sweep's call).
    """
    try:
        previous = read_results(Path(out) / "results.json")
    except InvalidResults as error:
        if warn:
            print(f"Warning: {error} -- not reused; its configs are retrained", file=sys.stderr, flush=True)
        return None
    return previous if previous is not None and previous.get("key") == key and not force else None


def pending_configs(
    mode: str,
    configs: list[Config],
    epochs: int,
    seed: int,
    mnist: Mnist,
    out: Path,
    limit_train: int | None = None,
    force: bool = False,
) -> list[Config]:
    """The configs run_sweep would train: those not finished under `out` (its results_folder) for the same run key."""
    key = run_key(mode, seed, epochs, limit_train, mnist.checksum)
    previous = reusable_results(results_folder(out, key), key, force)
    done = {e["name"] for e in previous["configs"]} if previous is not None else set()
    return [c for c in configs if c.name not in done]


def _last(curve: tuple[float | None, ...]) -> float | None:
    return curve[-1] if curve else None


def results_csv(results: list[ConfigResult]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        row: dict[str, object] = {k: getattr(result, k, None) for k in CSV_FIELDS}
        row["final_train_loss"] = _last(result.train_loss)
        row["final_val_loss"] = _last(result.val_loss)
        row["final_val_accuracy"] = _last(result.val_accuracy)
        writer.writerow(row)
    return buffer.getvalue()


def _homework_index(entry: JsonEntry) -> int:
    index = entry["homework_index"]
    assert isinstance(index, int)  # every entry comes from ConfigResult.to_json or a validated file
    return index


def save_results(out: Path, document: ResultsDocument) -> None:
    """results.json, then results.csv from the same snapshot of the configs (repair_csv mends a kill in between)."""
    document["configs"].sort(key=_homework_index)
    write_json_atomic(out / "results.json", document)
    write_atomic(out / "results.csv", results_csv([ConfigResult.from_json(e) for e in document["configs"]]))


def repair_csv(out: Path, configs: list[JsonEntry]) -> None:
    """Rewrite results.csv when it does not hold what results.json does (a run killed between the two renames)."""
    expected = results_csv([ConfigResult.from_json(e) for e in sorted(configs, key=_homework_index)])
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
    mnist: Mnist,
    out: Path,
    limit_train: int | None = None,
    device: str = "cpu",
    force: bool = False,
    progress: ProgressFactory | None = None,
    label: str = "",
    on_model_epochs: Callable[[int], None] | None = None,
) -> ResultsDocument:
    """Train what is missing for `configs`, save as it finishes, return the results document.

    progress draws a bar of model-epochs (None: no bar); on_model_epochs(n), if
    given, is told the model-epochs of each finished epoch instead (parallel.py's workers).
    """
    spec = MODES[mode]
    key = run_key(mode, seed, epochs, limit_train, mnist.checksum)
    out = results_folder(out, key)
    for name in ("results.json", "results.csv"):  # an interrupted write's leftovers go even if nothing is written now
        remove_leftover_temporaries(out / name)
    previous = reusable_results(out, key, force, warn=True)
    document: ResultsDocument = {
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
        with open_bar(progress if on_model_epochs is None else None, total, bar_label) as bar:
            advance = on_model_epochs if on_model_epochs is not None else bar.update
            _train_and_save(todo, mnist, spec, epochs, seed, limit_train, device, out, document, advance)
    document["last_run_wall_time_s"] = time.perf_counter() - started
    if todo or not (out / "results.json").exists():
        save_results(out, document)
    else:
        repair_csv(out, document["configs"])
    wanted = {c.name for c in configs}
    document["configs"] = [e for e in document["configs"] if e["name"] in wanted]
    return document


def _train_and_save(
    todo: list[Config],
    mnist: Mnist,
    spec: ModeSpec,
    epochs: int,
    seed: int,
    limit_train: int | None,
    device: str,
    out: Path,
    document: ResultsDocument,
    advance: Callable[[int], None],
) -> None:
    """Train `todo` in lockstep, saving `document` the moment each config finishes."""
    from hwsolve.experiments.mnist.trainer import train_lockstep

    def on_config_done(result: ConfigResult) -> None:
        document["configs"] = [e for e in document["configs"] if e["name"] != result.name] + [result.to_json()]
        save_results(out, document)

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


class SeedSummary(TypedDict):
    """One config's test error over the seeds of a --seeds run (seeds.json's summary)."""

    name: str
    test_errors: dict[str, float | None]  # seed (as a JSON key) -> test error
    median: float | None
    min: float | None
    max: float | None
    seeds_below_threshold: int
    n_seeds: int
    robust: bool
    verdict: str
    reasons: NotRequired[list[str]]  # added by the Q4 solution: the facts behind the verdict


def _verdict(seeds_below: int, n: int, threshold: float) -> str:
    if seeds_below == n:
        return f"robust: < {threshold:g} in all {n} seeds"
    if not seeds_below:
        return f"robust: >= {threshold:g} in all {n} seeds"
    return f"luck: < {threshold:g} in {seeds_below} of {n} seeds"


def summarise_seeds(
    per_seed: dict[int, list[ConfigResult]], threshold: float = SUBMITTED_THRESHOLD
) -> list[SeedSummary]:
    """Per config: median and range of the test error over seeds, and how robust '< threshold' is."""
    names = [result.name for result in next(iter(per_seed.values()))]
    summary: list[SeedSummary] = []
    for name in names:
        errors = {seed: next(r.test_error for r in results if r.name == name) for seed, results in per_seed.items()}
        finite = [v for v in errors.values() if v is not None]
        seeds_below = [seed for seed, v in errors.items() if below(v, threshold)]
        n = len(errors)
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
                "verdict": _verdict(len(seeds_below), n, threshold),
            }
        )
    return summary
