"""Q4: the MNIST sweep as a Solution (JSON output and template context).

Entry points for other code (the report calls these):
- solve_q4(mode=..., ...) trains what is missing and returns a Q4Solution;
- load_q4_results(mode, out=None) reads finished results without training.

Files, under out (default build/q4/<mode>/):
- results.json / results.csv: the run of --seed;
- seed-<s>/results.json: the other seeds of --seeds;
- seeds.json: the per-config seed summary of the last --seeds run.

results.json schema ("hwsolve.q4.results/1"):
    schema, key {mode, seed, epochs, limit_train, data_sha256, trainer_version},
    mode, settings (the ModeSpec: nll_on_log_softmax, dropout, sgd_lr, adam_lr,
    shuffle, keep_best, shrinking_epochs), device, threads, torch_version,
    data_folder, last_run_wall_time_s, retrained [names trained by the last run],
    configs: [one entry per config, homework loop order]:
        name ("relu/cross_entropy/sgd"), activation, loss, optimizer,
        homework_index (k, 0..11, activation outer, loss middle, optimiser inner),
        epochs_trained (E - k in homework mode, E in corrected mode),
        test_error (float; corrected: of the best-validation weights,
            homework: of the last epoch's weights; null if NaN),
        best_epoch (1-based epoch of the lowest validation loss),
        overfitting_onset (1-based epoch after which validation loss stays above
            its minimum; null when none),
        rising_epochs (1-based epochs whose validation loss rose: the homework
            check as intended),
        as_written_overfit_epochs (0-based `epoch` values the submitted check
            would print; it only fires above 999999999),
        train_loss, val_loss (mean per sample), val_loss_sum (the homework's
            sum of loss*batch size), val_accuracy: lists with one value per
            epoch (the test set is looked at once, for the weights that count),
        wall_time_s (this config's share of the lockstep run: each epoch's
            time divided by the models in it), n_train, n_val, n_test.
Timing fields are the only ones that differ between two CPU runs of one seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hwsolve.audit.submitted_q4 import SOURCE, SUBMITTED_BELOW_THRESHOLD, SUBMITTED_THRESHOLD, below
from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist_models import parse_configs
from hwsolve.experiments.mnist_modes import DIFFERENCES, MODES
from hwsolve.io import default_build_dir, write_json_atomic

EPOCH_BUG_LINE = "for epoch in range(epoch):"


@dataclass
class Q4Solution:
    mode: str
    settings: dict
    epochs: int
    seed: int
    limit_train: int | None
    device: str
    threshold: float
    configs: list[dict]
    agreement: dict
    differences: list[dict]
    submitted_source: str
    results_path: str
    seeds: list[int] = field(default_factory=list)
    seeds_summary: list[dict] | None = None
    epoch_bug_line: str = EPOCH_BUG_LINE
    wall_time_s: float | None = None


def default_out(mode: str) -> Path:
    return default_build_dir() / "q4" / mode


def seed_dir(out: Path, seed: int, primary_seed: int) -> Path:
    return out if seed == primary_seed else out / f"seed-{seed}"


def compare_with_submitted(entries: list[dict], threshold: float = SUBMITTED_THRESHOLD) -> dict:
    """Which configs reach test error < threshold, against the submitted table (marks each entry)."""
    ours = []
    for e in entries:
        e["below_threshold"] = below(e["test_error"], threshold)
        e["submitted_below_threshold"] = e["name"] in SUBMITTED_BELOW_THRESHOLD
        e["agrees_with_submitted"] = e["below_threshold"] == e["submitted_below_threshold"]
        if e["below_threshold"]:
            ours.append(e["name"])
    compared = {e["name"] for e in entries}
    submitted = sorted(SUBMITTED_BELOW_THRESHOLD & compared)
    return {
        "ours_below": ours,
        "submitted_below": submitted,
        "only_ours": [n for n in ours if n not in SUBMITTED_BELOW_THRESHOLD],
        "only_submitted": [n for n in submitted if n not in ours],
        "matches": set(ours) == set(submitted),
    }


def explain_seed_spread(summary: list[dict], settings: dict, entries: list[dict], epochs: int) -> None:
    """Add `reasons` to each seed-summary entry: the facts that make a finding robust or luck."""
    trained = {e["name"]: e["epochs_trained"] for e in entries}
    for entry in summary:
        _, loss, optimizer = entry["name"].split("/")
        reasons = []
        if entry["min"] is not None:
            reasons.append(f"test error {entry['min']:.4f} to {entry['max']:.4f} across seeds (median {entry['median']:.4f})")
        if entry["n_seeds"] > len([v for v in entry["test_errors"].values() if v is not None]):
            reasons.append("diverged (NaN) for some seeds")
        if optimizer == "adam" and settings["adam_lr"] >= 0.01:
            reasons.append(f"Adam at lr {settings['adam_lr']:g} takes steps of about lr per weight: erratic")
        if trained.get(entry["name"], epochs) < epochs:
            reasons.append(f"trained {trained[entry['name']]} of {epochs} epochs (the `{EPOCH_BUG_LINE}` rebinding)")
        if loss == "nll" and not settings["nll_on_log_softmax"]:
            reasons.append("NLLLoss on raw logits is unbounded below: it inflates the target logit instead of learning")
        entry["reasons"] = reasons


def _solution(mode: str, document: dict, out: Path, seeds: list[int], seeds_summary, wall: float | None) -> Q4Solution:
    key = document["key"]
    entries = document["configs"]
    return Q4Solution(
        mode=mode,
        settings=document["settings"],
        epochs=key["epochs"],
        seed=key["seed"],
        limit_train=key["limit_train"],
        device=document["device"],
        threshold=SUBMITTED_THRESHOLD,
        configs=entries,
        agreement=compare_with_submitted(entries),
        differences=list(DIFFERENCES),
        submitted_source=SOURCE,
        results_path=str(out / "results.json"),
        seeds=seeds,
        seeds_summary=seeds_summary,
        wall_time_s=wall,
    )


def solve_q4(
    mode: str = "corrected",
    epochs: int = 30,
    configs: str | None = None,
    seed: int = 0,
    seeds: list[int] | None = None,
    limit_train: int | None = None,
    device: str = "auto",
    data_dir: str | Path | None = None,
    out: str | Path | None = None,
    force: bool = False,
    progress: bool = True,
) -> Q4Solution:
    """Run (or resume) the sweep and compare with the submitted table. Raises HwsolveError on bad input/data."""
    from hwsolve.data.mnist import load_mnist
    from hwsolve.experiments.mnist_sweep import resolve_device, run_sweep, set_threads, summarise_seeds

    if mode not in MODES:
        raise HwsolveError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        chosen = parse_configs(configs)
    except ValueError as error:
        raise HwsolveError(f"--configs: {error}") from None
    device = resolve_device(device)
    set_threads()
    mnist = load_mnist(data_dir)
    out = Path(out) if out is not None else default_out(mode)
    run_seeds = list(seeds) if seeds else [seed]
    documents, wall = {}, 0.0
    for s in run_seeds:
        label = f" seed {s}" if len(run_seeds) > 1 else ""
        documents[s] = run_sweep(mode, chosen, epochs, s, mnist, seed_dir(out, s, seed), limit_train, device, force, progress, label)
        wall += documents[s]["last_run_wall_time_s"]
    summary = None
    if len(run_seeds) > 1:
        summary = summarise_seeds({s: documents[s]["configs"] for s in run_seeds})
        explain_seed_spread(summary, documents[run_seeds[0]]["settings"], documents[run_seeds[0]]["configs"], epochs)
        write_json_atomic(out / "seeds.json", {"seeds": run_seeds, "key": documents[run_seeds[0]]["key"], "summary": summary})
    primary = run_seeds[0]
    return _solution(mode, documents[primary], seed_dir(out, primary, seed), run_seeds, summary, wall)


def load_q4_results(mode: str = "corrected", out: str | Path | None = None) -> Q4Solution:
    """The finished results under out (default build/q4/<mode>/), without training anything."""
    from hwsolve.experiments.mnist_sweep import read_results

    out = Path(out) if out is not None else default_out(mode)
    document = read_results(out / "results.json")
    if document is None:
        raise HwsolveError(f"no Q4 results in {out}; run `hwsolve q4 --mode {mode}` first")
    seeds_summary, seeds = None, [document["key"]["seed"]]
    try:
        seeds_file = json.loads((out / "seeds.json").read_text(encoding="utf-8"))
        if seeds_file.get("key", {}).get("epochs") == document["key"]["epochs"]:
            seeds_summary, seeds = seeds_file["summary"], seeds_file["seeds"]
    except (OSError, ValueError):
        pass
    return _solution(mode, document, out, seeds, seeds_summary, document.get("last_run_wall_time_s"))
