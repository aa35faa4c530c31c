"""Q4: the MNIST sweep as a Solution (JSON output and template context).

Entry points for other code (the report calls these):
- solve_q4(mode=..., ...) trains what is missing and returns a Q4Solution;
- load_q4_results(mode, out=None) reads finished results without training.

Files, under out (default build/q4/<mode>/ for the full sweep, see default_out):
- results.json / results.csv: the run of --seed;
- seed-<s>/results.json: the other seeds of --seeds;
- seeds.json: the per-config seed summary of the last --seeds run.
When out holds finished results of other settings, they are kept and this
run's files go to out/<setting name>/ instead (sweep_jobs). What is read back
is validated (results_check): readers refuse a file that fails, the sweep
retrains it.

Across seeds, each configuration gets a `finding` (config_findings): median
and range of the test error, in how many seeds it is below 0.1, and the
measured facts behind the reasons the report gives (diverged training,
unbounded loss, a constant prediction).

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
Timing fields are the only ones that differ between two CPU runs of one seed
with the same torch thread count. The thread count (threads: 1 for sweeps run
side by side) can change the float32 losses of a model that trains alone in
the stack (homework mode's last epochs) in the last digits; test errors were
identical in every seed compared.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist_models import parse_configs
from hwsolve.experiments.mnist_modes import DIFFERENCES, MODES
from hwsolve.experiments.mnist_parallel import SweepJob
from hwsolve.experiments.results_check import InvalidResults, NotAFile
from hwsolve.io import default_build_dir, write_json_atomic
from hwsolve.problem.q4 import SOURCE, SUBMITTED_BELOW_THRESHOLD, SUBMITTED_THRESHOLD, below
from hwsolve.solutions.base import template_only

EPOCH_BUG_LINE = "for epoch in range(epoch):"
FULL_EPOCHS = 30  # the homework's sweep: `hwsolve q4`'s default, and the report's
# Adam's update is about lr per weight whatever the gradient's scale; nn.Linear
# draws the first layer's initial weights within +-1/sqrt(784) = 1/28. From
# this lr on, one step can be larger than any initial first-layer weight.
ADAM_LR_TOO_LARGE = 1 / 28


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
    findings: list[dict] = field(default_factory=list)  # one per config across all seeds (config_findings)
    test_label_counts: list[int] | None = None  # images per digit in the test set, when the data was at hand
    epoch_bug_line: str = EPOCH_BUG_LINE
    wall_time_s: float | None = None
    threads: int | None = None  # torch threads of the primary seed's run
    per_seed_configs: dict = template_only(default_factory=dict)  # seed -> that seed's configs (the curves)

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    def below_in(self, which: str) -> list[dict]:
        """Findings whose 'median' test error is below the threshold (the answer), or that are
        below it in 'all', 'some' (not all) or 'none' of the seeds."""
        tests = {
            "median": lambda f: below(f["median"], self.threshold),
            "all": lambda f: f["seeds_below"] == f["n_seeds"],
            "some": lambda f: 0 < f["seeds_below"] < f["n_seeds"],
            "none": lambda f: f["seeds_below"] == 0,
        }
        return [finding for finding in self.findings if tests[which](finding)]

    def with_cause(self, cause: str) -> list[dict]:
        return [finding for finding in self.findings if finding["cause"] == cause]

    def differences_of_kind(self, kind: str) -> list[dict]:
        return [difference for difference in self.differences if difference.get("kind") == kind]


def default_out(mode: str, epochs: int = FULL_EPOCHS, limit_train: int | None = None) -> Path:
    """build/q4/<mode>/ for the full sweep (where the report looks); a quick run's own folder otherwise.

    Other epochs go to build/q4/epochs-<E>/<mode>/, as the report's own quick
    sweeps do; a --limit-train run adds -train-<N>. A quick try never lands
    in the folder of the finished full sweep.
    """
    if epochs == FULL_EPOCHS and limit_train is None:
        return default_build_dir() / "q4" / mode
    setting = f"epochs-{epochs}" + (f"-train-{limit_train}" if limit_train is not None else "")
    return default_build_dir() / "q4" / setting / mode


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


def cause_of(loss: str, optimizer: str, settings: dict) -> str:
    """The mechanism that decides a configuration's outcome in this mode.

    'nll_raw_logits': NLLLoss on raw logits (unbounded below); 'adam_large_lr':
    Adam at a learning rate of the order of the initial weights; 'trains': neither.
    """
    if loss == "nll" and not settings["nll_on_log_softmax"]:
        return "nll_raw_logits"
    if optimizer == "adam" and settings["adam_lr"] >= ADAM_LR_TOO_LARGE:
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


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def config_findings(
    per_seed: dict[int, list[dict]],
    settings: dict,
    label_counts: list[int] | None = None,
    threshold: float = SUBMITTED_THRESHOLD,
) -> list[dict]:
    """One finding per configuration over the seeds: the test error's median and range, and why.

    `per_seed` maps each seed to its results.json configs. Seeds that do not
    hold a configuration are left out of its finding (n_seeds says how many count).
    """
    seeds = list(per_seed)
    by_seed = {seed: {entry["name"]: entry for entry in entries} for seed, entries in per_seed.items()}
    findings = []
    for reference in per_seed[seeds[0]]:
        name = reference["name"]
        entries = [by_seed[seed][name] for seed in seeds if name in by_seed[seed]]
        errors = [entry["test_error"] for entry in entries]
        finite = [value for value in errors if value is not None]
        losses = [entry.get("train_loss") or [] for entry in entries]
        nan_epochs = [next((epoch + 1 for epoch, value in enumerate(curve) if value is None), None) for curve in losses]
        digits = [constant_digit(value, label_counts) for value in errors]
        findings.append(
            {
                "name": name,
                "activation": reference["activation"],
                "loss": reference["loss"],
                "optimizer": reference["optimizer"],
                "homework_index": reference.get("homework_index"),
                "epochs_trained": reference.get("epochs_trained"),
                "test_errors": errors,
                "test_error": _median(finite),  # the median: what a figure of this mode shows
                "median": _median(finite),
                "low": min(finite) if finite else None,
                "high": max(finite) if finite else None,
                "seeds_below": sum(below(value, threshold) for value in errors),
                "n_seeds": len(entries),
                "cause": cause_of(reference["loss"], reference["optimizer"], settings),
                "diverged_seeds": sum(epoch is not None for epoch in nan_epochs),
                "first_nan_epoch": min((epoch for epoch in nan_epochs if epoch is not None), default=None),
                "final_train_loss": _median([curve[-1] for curve in losses if curve and curve[-1] is not None]),
                "lowest_train_loss": _median(
                    [min(v for v in curve if v is not None) for curve in losses if any(v is not None for v in curve)]
                ),
                "constant_digits": sorted(set(digits)) if errors and None not in digits else [],
                "submitted_below": name in SUBMITTED_BELOW_THRESHOLD,
            }
        )
    return findings


def explain_seed_spread(summary: list[dict], settings: dict, entries: list[dict], epochs: int) -> None:
    """Add `reasons` to each seed-summary entry: the facts that make a finding robust or luck."""
    trained = {e["name"]: e["epochs_trained"] for e in entries}
    for entry in summary:
        _, loss, optimizer = entry["name"].split("/")
        reasons = []
        if entry["min"] is not None:
            reasons.append(
                f"test error {entry['min']:.4f} to {entry['max']:.4f} across seeds (median {entry['median']:.4f})"
            )
        if entry["n_seeds"] > len([v for v in entry["test_errors"].values() if v is not None]):
            reasons.append("diverged (NaN) for some seeds")
        if optimizer == "adam" and settings["adam_lr"] >= ADAM_LR_TOO_LARGE:
            reasons.append(f"Adam at lr {settings['adam_lr']:g} takes steps of about lr per weight: erratic")
        if trained.get(entry["name"], epochs) < epochs:
            reasons.append(f"trained {trained[entry['name']]} of {epochs} epochs (the `{EPOCH_BUG_LINE}` rebinding)")
        if loss == "nll" and not settings["nll_on_log_softmax"]:
            reasons.append("NLLLoss on raw logits is unbounded below: it inflates the target logit instead of learning")
        entry["reasons"] = reasons


def _errors_of(entry: dict) -> list[float]:
    """All test errors an entry stands for: a finding's per-seed list, or one run's value."""
    values = entry["test_errors"] if "test_errors" in entry else [entry.get("test_error")]
    return [value for value in values if value is not None]


EFFECT_GROUPS: tuple[tuple[str, Callable[[dict], bool]], ...] = (
    ("all", lambda e: True),
    ("nll", lambda e: e["loss"] == "nll"),
    ("adam", lambda e: e["optimizer"] == "adam"),
    ("cross_entropy_sgd", lambda e: e["loss"] == "cross_entropy" and e["optimizer"] == "sgd"),
)


def _pooled_median(entries: list[dict], keep: Callable[[dict], bool]) -> tuple[float | None, int]:
    values = [value for entry in entries if keep(entry) for value in _errors_of(entry)]
    return _median(values), len(values)


def measured_effects(homework: list[dict], corrected: list[dict]) -> list[dict]:
    """Median test error of the groups each change touches, in each mode, over all its runs (configs x seeds).

    Each row: group ('all', 'nll', 'adam', 'cross_entropy_sgd'), the two
    medians and how many runs each pools. Entries are findings (all seeds) or
    one run's configs.
    """
    rows = []
    for group, keep in EFFECT_GROUPS:
        homework_median, homework_runs = _pooled_median(homework, keep)
        corrected_median, corrected_runs = _pooled_median(corrected, keep)
        rows.append(
            {
                "group": group,
                "homework": homework_median,
                "corrected": corrected_median,
                "homework_runs": homework_runs,
                "corrected_runs": corrected_runs,
            }
        )
    return rows


def count_test_labels(data_dir: str | Path | None = None) -> list[int] | None:
    """Test images per digit, read from the MNIST labels file; None when the data is not at hand."""
    import numpy as np

    from hwsolve.data.mnist import locate_mnist, read_mnist_file

    try:
        labels, _ = read_mnist_file(locate_mnist(data_dir), "test_labels")
    except HwsolveError:
        return None
    return np.bincount(labels, minlength=10).tolist()


def _solution(
    mode: str, documents: dict[int, dict], out: Path, wall: float | None, label_counts: list[int] | None
) -> Q4Solution:
    """The Q4Solution of one mode from its per-seed results documents (the first seed is the primary)."""
    from hwsolve.experiments.mnist_sweep import summarise_seeds

    seeds = list(documents)
    primary = documents[seeds[0]]
    key = primary["key"]
    entries = primary["configs"]
    summary = None
    if len(seeds) > 1:
        summary = summarise_seeds({seed: documents[seed]["configs"] for seed in seeds})
        explain_seed_spread(summary, primary["settings"], entries, key["epochs"])
    return Q4Solution(
        mode=mode,
        settings=primary["settings"],
        epochs=key["epochs"],
        seed=key["seed"],
        limit_train=key["limit_train"],
        device=primary["device"],
        threshold=SUBMITTED_THRESHOLD,
        configs=entries,
        agreement=compare_with_submitted(entries),
        differences=list(DIFFERENCES),
        submitted_source=SOURCE,
        results_path=str(out / "results.json"),
        seeds=seeds,
        seeds_summary=summary,
        findings=config_findings(
            {seed: documents[seed]["configs"] for seed in seeds}, primary["settings"], label_counts
        ),
        test_label_counts=label_counts,
        wall_time_s=wall,
        threads=primary.get("threads"),
        per_seed_configs={seed: documents[seed]["configs"] for seed in seeds},
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
    train_also: Sequence[SweepJob] = (),
) -> Q4Solution:
    """Run (or resume) the sweep and compare with the submitted table. Raises HwsolveError on bad input/data.

    The seeds' sweeps train side by side (mnist_parallel), together with
    `train_also`: other modes' sweeps that should share the worker pool (the
    report trains both modes' seeds at once). Their results are saved, not returned.
    """
    from hwsolve.data.mnist import load_mnist
    from hwsolve.experiments.mnist_parallel import run_sweeps
    from hwsolve.experiments.mnist_sweep import resolve_device, run_key, set_threads

    if mode not in MODES:
        raise HwsolveError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        chosen = parse_configs(configs)
    except ValueError as error:
        raise HwsolveError(f"--configs: {error}") from None
    device = resolve_device(device)
    threads = set_threads()
    mnist = load_mnist(data_dir)
    out = Path(out) if out is not None else default_out(mode, epochs, limit_train)
    run_seeds = list(seeds) if seeds else [seed]
    base, jobs = sweep_jobs(mode, out, seed, run_seeds, lambda s: run_key(mode, s, epochs, limit_train, mnist.checksum))
    started = time.perf_counter()
    by_job = run_sweeps(jobs + list(train_also), chosen, epochs, mnist, limit_train, device, force, progress, threads)
    wall = time.perf_counter() - started
    documents = {job.seed: by_job[job] for job in jobs}
    solution = _solution(mode, documents, jobs[0].out, wall, mnist.test_labels.bincount(minlength=10).tolist())
    if solution.seeds_summary is not None:
        write_json_atomic(
            base / "seeds.json",
            {"seeds": run_seeds, "key": documents[run_seeds[0]]["key"], "summary": solution.seeds_summary},
        )
    return solution


def sweep_jobs(
    mode: str, out: Path, primary_seed: int, seeds: list[int], key_of: Callable[[int], dict]
) -> tuple[Path, list[SweepJob]]:
    """The folder of the primary seed and one job per seed, each in the folder its results go to
    (mnist_sweep.results_folder), all checked before anything trains.

    When `out` holds finished results of other settings, this run's seeds all
    go below out/<setting_name>/ (the primary there, the others in seed-<s>/),
    and a line on stderr says where.
    """
    from hwsolve.experiments.mnist_sweep import results_folder

    base = results_folder(out, key_of(primary_seed))
    if base != out:
        import click

        click.echo(
            f"Note: {out} holds finished results of other settings; they are kept, and this run's go to {base}",
            err=True,
        )
    jobs = [SweepJob(mode, s, results_folder(seed_dir(base, s, primary_seed), key_of(s))) for s in seeds]
    target = base / "seeds.json"
    if len(seeds) > 1 and (target.exists() or target.is_symlink()) and not target.is_file():
        raise NotAFile(f"{target} is not a file (a folder or a broken link?); remove it or use another --out")
    return base, jobs


def read_results_or_refuse(path: Path) -> dict | None:
    """A validated results document, None when absent; InvalidResults (one line naming file and field) otherwise.

    For readers, which never train: a file that fails validation is refused, never shown.
    """
    from hwsolve.experiments.results_check import load_results

    try:
        return load_results(path)
    except InvalidResults as error:
        raise InvalidResults(f"{error}; not used: remove it and rerun `hwsolve q4` to retrain") from None


def read_seed_documents(out: Path, seeds: list[int], primary_seed: int) -> dict[int, dict]:
    """The results documents found for `seeds` (primary in out/, the others in out/seed-<s>/); missing ones left out."""
    documents = {}
    for seed in seeds:
        document = read_results_or_refuse(seed_dir(Path(out), seed, primary_seed) / "results.json")
        if document is not None and document["key"]["seed"] == seed:
            documents[seed] = document
    return documents


def load_q4_seeds(
    mode: str, out: str | Path, seeds: list[int], epochs: int, n_configs: int, data_dir: str | Path | None = None
) -> Q4Solution | None:
    """Finished results of `mode` for every seed in `seeds` (whole sweeps of `epochs`), or None.

    Nothing is trained: the report reuses these when all are there.
    """
    out = Path(out)
    documents = read_seed_documents(out, seeds, seeds[0])
    whole = len(documents) == len(seeds) and all(
        doc["key"].get("mode") == mode
        and doc["key"].get("epochs") == epochs
        and len(doc.get("configs", [])) == n_configs
        for doc in documents.values()
    )
    if not whole:
        return None
    wall = sum(doc.get("last_run_wall_time_s") or 0.0 for doc in documents.values())
    return _solution(mode, {seed: documents[seed] for seed in seeds}, out, wall, count_test_labels(data_dir))


def read_seeds_file(path: Path) -> dict | None:
    """seeds.json as solve_q4 writes it, None when absent; InvalidResults naming the field otherwise."""
    from hwsolve.experiments.results_check import check_key

    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        seeds = data.get("seeds")
        if not (
            isinstance(seeds, list)
            and seeds
            and len(set(seeds)) == len(seeds)
            and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
        ):
            raise ValueError("seeds: not a list of distinct non-negative integers")
        check_key(data.get("key"))
        if not isinstance(data.get("summary"), list):
            raise ValueError("summary: not a list")
    except OSError as error:
        raise InvalidResults(f"{path} cannot be read ({error.strerror or error})") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
        raise InvalidResults(f"{path}: {error}; not used: remove it and rerun `hwsolve q4 --seeds ...`") from None
    return data


def load_q4_results(
    mode: str = "corrected", out: str | Path | None = None, data_dir: str | Path | None = None
) -> Q4Solution:
    """The finished results under out (default build/q4/<mode>/), without training anything.

    The seeds are those of the last --seeds run (seeds.json) whose results are still there, else the primary's.
    """
    out = Path(out) if out is not None else default_out(mode)
    document = read_results_or_refuse(out / "results.json")
    if document is None:
        raise HwsolveError(f"no Q4 results in {out}; run `hwsolve q4 --mode {mode}` first")
    primary = document["key"]["seed"]
    seeds = [primary]
    seeds_file = read_seeds_file(out / "seeds.json")
    if seeds_file is not None and seeds_file["key"] == document["key"]:  # the last --seeds run started with this one
        seeds = seeds_file["seeds"]
    documents = {primary: document}
    for seed, other in read_seed_documents(out, seeds, primary).items():
        if other["key"].get("epochs") == document["key"]["epochs"]:
            documents.setdefault(seed, other)
    return _solution(mode, documents, out, document.get("last_run_wall_time_s"), count_test_labels(data_dir))
