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
is validated (experiments.mnist.results): readers refuse a file that fails,
the sweep retrains it.

Across seeds, each configuration gets a finding (q4_findings.ConfigFinding);
the differences between the modes, in words, and their measured effects are
in q4_differences.

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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, cast

from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist import MODES, ConfigResult, ModeSpec, parse_configs
from hwsolve.experiments.mnist.parallel import SweepJob
from hwsolve.experiments.mnist.progress import ProgressFactory
from hwsolve.experiments.mnist.results import InvalidResults, NotAFile, ResultsDocument, RunKey
from hwsolve.experiments.mnist.sweep import SeedSummary
from hwsolve.io import default_build_dir, write_json_atomic
from hwsolve.problem.q4 import HOMEWORK_EPOCHS, SOURCE, SUBMITTED_THRESHOLD, below
from hwsolve.solutions.base import template_only
from hwsolve.solutions.q4_differences import DIFFERENCES, Difference
from hwsolve.solutions.q4_findings import (
    EPOCH_BUG_LINE,
    Agreement,
    Cause,
    ConfigFinding,
    MarkedResult,
    compare_with_submitted,
    config_findings,
    explain_seed_spread,
)


@dataclass
class Q4Solution:
    mode: str
    settings: dict[str, object]  # the mode's ModeSpec as results.json holds it
    epochs: int
    seed: int
    limit_train: int | None
    device: str
    threshold: float
    configs: list[MarkedResult]  # the primary seed's run
    agreement: Agreement
    differences: list[Difference]
    submitted_source: str
    results_path: str
    seeds: list[int] = field(default_factory=list)
    seeds_summary: list[SeedSummary] | None = None
    findings: list[ConfigFinding] = field(default_factory=list)  # one per config across all seeds
    test_label_counts: list[int] | None = None  # images per digit in the test set, when the data was at hand
    epoch_bug_line: str = EPOCH_BUG_LINE
    wall_time_s: float | None = None
    threads: int | None = None  # torch threads of the primary seed's run
    per_seed_configs: dict[int, list[ConfigResult]] = template_only(default_factory=dict)  # seed -> its results
    homework_epochs: int = template_only(HOMEWORK_EPOCHS)  # the question's E, whatever this run trained

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    @property
    def spec(self) -> ModeSpec:
        return MODES[self.mode]

    def below_in(self, which: str) -> list[ConfigFinding]:
        """Findings whose median test error is below the threshold ('median': the answer), or that are
        below it in 'all', 'some' (not all) or 'none' of the seeds."""
        tests: dict[str, Callable[[ConfigFinding], bool]] = {
            "median": lambda f: below(f.median, self.threshold),
            "all": lambda f: f.seeds_below == f.n_seeds,
            "some": lambda f: 0 < f.seeds_below < f.n_seeds,
            "none": lambda f: f.seeds_below == 0,
        }
        return [finding for finding in self.findings if tests[which](finding)]

    def with_cause(self, cause: Cause) -> list[ConfigFinding]:
        return [finding for finding in self.findings if finding.cause == cause]

    def differences_of_kind(self, kind: str) -> list[Difference]:
        """The differences of one kind, said in the active language (`differences`, the JSON's, stay English)."""
        return [difference.translated() for difference in self.differences if difference.kind == kind]

    def translated_differences(self) -> list[Difference]:
        """Every difference, said in the active language."""
        return [difference.translated() for difference in self.differences]


def default_out(mode: str, epochs: int = HOMEWORK_EPOCHS, limit_train: int | None = None) -> Path:
    """build/q4/<mode>/ for the full sweep (where the report looks); a quick run's own folder otherwise."""
    return settings_folder(default_build_dir(), mode, epochs, limit_train)


def settings_folder(build_dir: Path, mode: str, epochs: int, limit_train: int | None = None) -> Path:
    """BUILD/q4/<mode>/ for the full sweep; BUILD/q4/epochs-<E>[-train-<N>]/<mode>/ for any other.

    The one layout of Q4's results folders, for `hwsolve q4` and the report:
    a quick try never lands in the folder of the finished full sweep.
    """
    if epochs == HOMEWORK_EPOCHS and limit_train is None:
        return Path(build_dir) / "q4" / mode
    setting = f"epochs-{epochs}" + (f"-train-{limit_train}" if limit_train is not None else "")
    return Path(build_dir) / "q4" / setting / mode


def seed_dir(out: Path, seed: int, primary_seed: int) -> Path:
    return out if seed == primary_seed else out / f"seed-{seed}"


def count_test_labels(data_dir: str | Path | None = None) -> list[int] | None:
    """Test images per digit, read from the MNIST labels file; None when the data is not at hand."""
    import numpy as np

    from hwsolve.data.mnist import locate_mnist, read_mnist_file

    try:
        labels, _ = read_mnist_file(locate_mnist(data_dir), "test_labels")
    except HwsolveError:
        return None
    counts: list[int] = np.bincount(labels, minlength=10).tolist()
    return counts


def _results(document: ResultsDocument) -> list[ConfigResult]:
    return [ConfigResult.from_json(entry) for entry in document["configs"]]


def _solution(
    mode: str,
    documents: dict[int, ResultsDocument],
    out: Path,
    wall: float | None,
    label_counts: list[int] | None,
) -> Q4Solution:
    """The Q4Solution of one mode from its per-seed results documents (the first seed is the primary)."""
    from hwsolve.experiments.mnist.sweep import summarise_seeds

    seeds = list(documents)
    primary = documents[seeds[0]]
    key = primary["key"]
    per_seed = {seed: _results(documents[seed]) for seed in seeds}
    results = per_seed[seeds[0]]
    summary = None
    if len(seeds) > 1:
        summary = summarise_seeds(per_seed)
        explain_seed_spread(summary, MODES[mode], results, key["epochs"])
    marked, agreement = compare_with_submitted(results)
    return Q4Solution(
        mode=mode,
        settings=primary["settings"],
        epochs=key["epochs"],
        seed=key["seed"],
        limit_train=key["limit_train"],
        device=primary["device"],
        threshold=SUBMITTED_THRESHOLD,
        configs=marked,
        agreement=agreement,
        differences=list(DIFFERENCES),
        submitted_source=SOURCE,
        results_path=str(out / "results.json"),
        seeds=seeds,
        seeds_summary=summary,
        findings=config_findings(per_seed, MODES[mode], label_counts),
        test_label_counts=label_counts,
        wall_time_s=wall,
        threads=primary.get("threads"),
        per_seed_configs=per_seed,
    )


def solve_q4(
    mode: str = "corrected",
    epochs: int = HOMEWORK_EPOCHS,
    configs: str | None = None,
    seed: int = 0,
    seeds: list[int] | None = None,
    limit_train: int | None = None,
    device: str = "auto",
    data_dir: str | Path | None = None,
    out: str | Path | None = None,
    force: bool = False,
    progress: ProgressFactory | None = None,
    train_also: Sequence[SweepJob] = (),
) -> Q4Solution:
    """Run (or resume) the sweep and compare with the submitted table. Raises HwsolveError on bad input/data.

    The seeds' sweeps train side by side (experiments.mnist.parallel), together with
    `train_also`: other modes' sweeps that should share the worker pool (the
    report trains both modes' seeds at once). Their results are saved, not returned.
    progress draws the sweeps' progress bar (the CLI passes click's); None draws none.
    """
    from hwsolve.data.mnist import load_mnist
    from hwsolve.experiments.mnist.parallel import run_sweeps
    from hwsolve.experiments.mnist.sweep import resolve_device, run_key, sweep_threads
    from hwsolve.threads import torch_threads

    if mode not in MODES:
        raise HwsolveError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        chosen = parse_configs(configs)
    except ValueError as error:
        raise HwsolveError(f"--configs: {error}") from None
    device = resolve_device(device)
    threads = sweep_threads()
    mnist = load_mnist(data_dir)
    out = Path(out) if out is not None else default_out(mode, epochs, limit_train)
    run_seeds = list(seeds) if seeds else [seed]
    base, jobs = sweep_jobs(mode, out, seed, run_seeds, lambda s: run_key(mode, s, epochs, limit_train, mnist.checksum))
    started = time.perf_counter()
    with torch_threads(threads):
        by_job = run_sweeps(
            jobs + list(train_also), chosen, epochs, mnist, limit_train, device, force, progress, threads
        )
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
    mode: str, out: Path, primary_seed: int, seeds: list[int], key_of: Callable[[int], RunKey]
) -> tuple[Path, list[SweepJob]]:
    """The folder of the primary seed and one job per seed, each in the folder its results go to
    (experiments.mnist.sweep.results_folder), all checked before anything trains.

    When `out` holds finished results of other settings, this run's seeds all
    go below out/<setting_name>/ (the primary there, the others in seed-<s>/),
    and a line on stderr says where.
    """
    from hwsolve.experiments.mnist.sweep import results_folder

    base = results_folder(out, key_of(primary_seed))
    if base != out:
        import click  # click.echo reaches the command's stderr however the CLI is run (CliRunner included)

        click.echo(
            f"Note: {out} holds finished results of other settings; they are kept, and this run's go to {base}",
            err=True,
        )
    jobs = [SweepJob(mode, s, results_folder(seed_dir(base, s, primary_seed), key_of(s))) for s in seeds]
    target = base / "seeds.json"
    if len(seeds) > 1 and (target.exists() or target.is_symlink()) and not target.is_file():
        raise NotAFile(f"{target} is not a file (a folder or a broken link?); remove it or use another --out")
    return base, jobs


def read_results_or_refuse(path: Path) -> ResultsDocument | None:
    """A validated results document, None when absent; InvalidResults (one line naming file and field) otherwise.

    For readers, which never train: a file that fails validation is refused, never shown.
    """
    from hwsolve.experiments.mnist import read_results

    try:
        return read_results(path)
    except InvalidResults as error:
        raise InvalidResults(f"{error}; not used: remove it and rerun `hwsolve q4` to retrain") from None


def read_seed_documents(out: Path, seeds: list[int], primary_seed: int) -> dict[int, ResultsDocument]:
    """The results documents found for `seeds` (primary in out/, the others in out/seed-<s>/); missing ones left out."""
    documents: dict[int, ResultsDocument] = {}
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
        doc["key"]["mode"] == mode and doc["key"]["epochs"] == epochs and len(doc["configs"]) == n_configs
        for doc in documents.values()
    )
    if not whole:
        return None
    wall = sum(doc.get("last_run_wall_time_s", 0.0) or 0.0 for doc in documents.values())
    return _solution(mode, {seed: documents[seed] for seed in seeds}, out, wall, count_test_labels(data_dir))


class SeedsFile(TypedDict):
    """seeds.json: the seeds of the last --seeds run, the primary's run key, and the per-config summary."""

    seeds: list[int]
    key: RunKey
    summary: list[SeedSummary]


def read_seeds_file(path: Path) -> SeedsFile | None:
    """seeds.json as solve_q4 writes it, None when absent; InvalidResults naming the field otherwise."""
    from hwsolve.experiments.mnist.results import check_key

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
    return cast(SeedsFile, data)  # every field it is read for has just been checked


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
        if other["key"]["epochs"] == document["key"]["epochs"]:
            documents.setdefault(seed, other)
    return _solution(mode, documents, out, document.get("last_run_wall_time_s"), count_test_labels(data_dir))
