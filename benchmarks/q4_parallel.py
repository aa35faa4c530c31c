"""Q4 sweeps side by side: W spawned workers of one torch thread against one process of W threads.

Both arms train the same sweeps (homework mode, seeds 0..S-1, fresh folders
each time) through hwsolve.experiments.mnist.parallel.run_sweeps: the
sequential arm with `threads=1` after setting this process to W torch
threads (one sweep after the other, each using all W threads), the parallel
arm with `threads=W` (W workers of one thread). The arms alternate, A B A B...,
so a drifting machine hurts both alike; the medians and their ratio are printed.

    python benchmarks/q4_parallel.py [--seeds 2] [--threads 2] [--epochs 12] [--limit-train N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from hwsolve.data.mnist import load_mnist
from hwsolve.experiments.mnist import ALL_CONFIGS
from hwsolve.experiments.mnist.parallel import SweepJob, run_sweeps


def timed(arm: str, args, mnist) -> float:
    with tempfile.TemporaryDirectory() as folder:
        jobs = [SweepJob("homework", seed, Path(folder) / f"seed-{seed}") for seed in range(args.seeds)]
        started = time.perf_counter()
        if arm == "sequential":
            torch.set_num_threads(args.threads)
            run_sweeps(jobs, list(ALL_CONFIGS), args.epochs, mnist, args.limit_train, progress=None, threads=1)
        else:
            run_sweeps(
                jobs, list(ALL_CONFIGS), args.epochs, mnist, args.limit_train, progress=None, threads=args.threads
            )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2, help="sweeps per arm (one per seed)")
    parser.add_argument(
        "--threads", type=int, default=2, help="W: threads of the sequential arm, workers of the parallel one"
    )
    parser.add_argument(
        "--epochs", type=int, default=12, help="homework mode: the k-th model trains E-k; 12 trains all 12"
    )
    parser.add_argument("--limit-train", type=int, default=None, help="default: all 60,000 images")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mnist = load_mnist()
    times: dict[str, list[float]] = {"sequential": [], "parallel": []}
    for repeat in range(args.repeats):
        for arm in ("sequential", "parallel"):
            times[arm].append(timed(arm, args, mnist))
            print(f"repeat {repeat + 1}: {arm:10s} {times[arm][-1]:6.1f} s", flush=True)
    sequential, parallel = (statistics.median(times[arm]) for arm in ("sequential", "parallel"))
    images = args.limit_train or len(mnist.train_labels)
    print(
        f"{args.seeds} homework sweeps of {args.epochs} epochs on {images} images, median of {args.repeats}"
        f" ({torch.get_num_threads()} threads available):"
    )
    print(f"  one process, {args.threads} threads, one sweep after the other: {sequential:.1f} s")
    print(f"  {args.threads} workers of 1 thread, side by side:            {parallel:.1f} s")
    print(f"  ratio sequential / parallel: {sequential / parallel:.2f}")


if __name__ == "__main__":
    main()
