"""Several Q4 sweeps (seeds, modes) at once: one worker process per sweep, one torch thread each.

A sweep is compute-bound on the first layer's GEMM, and on a 2-core machine
two 1-thread processes get more out of the cores than one 2-thread process
does: they never wait for each other at a thread barrier, and one's small
ops and Python overlap the other's GEMMs. benchmarks/q4_parallel.py measures
the ratio. The numbers do not change: float32 GEMM results do not depend on
the thread count here (tests/test_mnist_parallel.py checks a parallel run
against one run after the other, value for value).

Workers are spawned, not forked: the parent may already have used torch's
OpenMP threads, and a forked OpenMP runtime can hang. Each worker loads
MNIST from the parent's folder, trains with run_sweep (which saves each
config the moment it finishes), and sends the model-epochs it finishes to
the parent, which draws one progress bar for all sweeps.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing.queues import Queue
from pathlib import Path

from hwsolve.data.mnist import Mnist
from hwsolve.experiments.mnist.configs import Config
from hwsolve.experiments.mnist.modes import MODES, epochs_for
from hwsolve.experiments.mnist.progress import ProgressBar, ProgressFactory, open_bar
from hwsolve.experiments.mnist.results import ResultsDocument


@dataclass(frozen=True)
class SweepJob:
    """One sweep to run: a mode and a seed, saved under `out`."""

    mode: str
    seed: int
    out: Path

    @property
    def label(self) -> str:
        return f"{self.mode} seed {self.seed}"


def run_sweeps(
    jobs: list[SweepJob],
    configs: list[Config],
    epochs: int,
    mnist: Mnist,
    limit_train: int | None = None,
    device: str = "cpu",
    force: bool = False,
    progress: ProgressFactory | None = None,
    threads: int = 1,
) -> dict[SweepJob, ResultsDocument]:
    """Each job's results document, training what is missing; in parallel when two or more jobs train.

    threads: the torch threads the whole run may use. With W workers, each gets
    threads // W. A job with nothing left to train is read in this process.
    """
    from hwsolve.experiments.mnist.sweep import pending_configs, run_sweep

    pending = {
        job: pending_configs(job.mode, configs, epochs, job.seed, mnist, job.out, limit_train, force) for job in jobs
    }
    training = [job for job in jobs if pending[job]]
    workers = worker_count(len(training), threads, device)
    documents: dict[SweepJob, ResultsDocument] = {}
    if workers > 1:
        # Longest first, so that the last sweep to start is a short one.
        training.sort(key=lambda job: -model_epochs(job.mode, epochs, pending[job]))
        total = sum(model_epochs(job.mode, epochs, pending[job]) for job in training)
        names = ", ".join(job.label for job in training)
        label = f"q4: {len(training)} sweeps ({names}) in {workers} processes, model-epochs"
        with open_bar(progress, total, label) as bar:
            documents.update(
                run_parallel(
                    training, configs, epochs, mnist, limit_train, device, force, workers, threads // workers, bar
                )
            )
    for job in jobs:
        if job not in documents:
            label = f" {job.label}" if len(jobs) > 1 else ""
            documents[job] = run_sweep(
                job.mode, configs, epochs, job.seed, mnist, job.out, limit_train, device, force, progress, label
            )
    return {job: documents[job] for job in jobs}


def model_epochs(mode: str, epochs: int, configs: list[Config]) -> int:
    """What a sweep of these configs trains: the unit of the progress bar and of the work split."""
    return sum(epochs_for(MODES[mode], epochs, c.index) for c in configs)


def worker_count(jobs: int, threads: int, device: str) -> int:
    """Parallel sweeps: as many as torch threads are allowed (one thread each), at most one per job; 1 on a GPU."""
    if device != "cpu":
        return 1  # a GPU runs one sweep's kernels at a time anyway; two processes would only share its memory
    return max(1, min(jobs, threads))


# Set in each worker by _start_worker: where to send finished model-epochs.
_PROGRESS: Queue[int] | None = None


def _start_worker(progress_queue: Queue[int], threads: int) -> None:
    import torch

    global _PROGRESS
    _PROGRESS = progress_queue
    torch.set_num_threads(threads)  # this process only exists to run one sweep: its thread count is its own


def _run_job(
    job: SweepJob,
    configs: list[Config],
    epochs: int,
    data_folder: str,
    checksum: str,
    limit_train: int | None,
    device: str,
    force: bool,
) -> ResultsDocument:
    from hwsolve.data.mnist import load_mnist
    from hwsolve.errors import CorruptDataError
    from hwsolve.experiments.mnist.sweep import run_sweep

    mnist = load_mnist(data_folder)
    if mnist.checksum != checksum:  # changed or moved since the parent read it: never mix two datasets
        raise CorruptDataError(
            f"MNIST in {data_folder} changed while the sweeps were starting (now read from {mnist.folder}); run again"
        )
    return run_sweep(
        job.mode,
        configs,
        epochs,
        job.seed,
        mnist,
        job.out,
        limit_train,
        device,
        force,
        progress=None,
        on_model_epochs=_PROGRESS.put if _PROGRESS is not None else None,
    )


def run_parallel(
    jobs: list[SweepJob],
    configs: list[Config],
    epochs: int,
    mnist: Mnist,
    limit_train: int | None,
    device: str,
    force: bool,
    workers: int,
    threads_per_worker: int,
    progress_bar: ProgressBar,
) -> dict[SweepJob, ResultsDocument]:
    """Run the jobs in `workers` spawned processes; return each job's results document.

    progress_bar: an object with update(n), advanced by the model-epochs the
    workers finish. Longer sweeps should come first in `jobs` (they start first).
    A worker's error (HwsolveError included) is raised here once the others are
    stopped; what any sweep finished is already saved.
    """
    context = multiprocessing.get_context("spawn")
    progress_queue: Queue[int] = context.Queue()
    documents: dict[SweepJob, ResultsDocument] = {}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(progress_queue, threads_per_worker),
    ) as pool:
        futures: dict[Future[ResultsDocument], SweepJob] = {
            pool.submit(
                _run_job, job, configs, epochs, str(mnist.folder), mnist.checksum, limit_train, device, force
            ): job
            for job in jobs
        }
        try:
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
                _drain(progress_queue, progress_bar)
                for future in done:
                    documents[futures[future]] = future.result()  # raises the worker's error
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        finally:
            _drain(progress_queue, progress_bar)
    return documents


def _drain(progress_queue: Queue[int], progress_bar: ProgressBar) -> None:
    deadline = time.monotonic() + 0.1
    while time.monotonic() < deadline:
        try:
            progress_bar.update(progress_queue.get_nowait())
        except queue.Empty:
            return
