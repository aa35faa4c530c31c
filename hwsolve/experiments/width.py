"""Q1c: how wide must a two-layer network be for a 2-class problem?

Two-layer ReLU networks 2 -> width -> 2 are trained on seeded two moons with
one recipe for every width: full-batch Adam for `steps` steps, cross-entropy,
float32 on the CPU. The output layer starts at zero and its learning rate is
scaled by min(1, base_width / width) (the muP rule of Yang & Hu, 2021): with a
plain learning rate, Adam moves each of a million output weights by ~lr per
step and the logits jump by thousands (we measured a loss of 264 after one
step at width 1,000,000), so the same recipe would not be comparable across
widths.

The very wide network: a width above PROBE_THRESHOLD is first timed over a few
steps. If its estimated training time exceeds the budget (one minute by
default), it is replaced by the widest 1-2-5 width whose estimate fits, and
the reason is recorded. Results are cached under build/q1/, keyed by the seed
and every setting, and reused unless force=True.

Key numbers: WidthExperiment.runs[i].{width, parameters, train_accuracy,
test_accuracy, gap}; WidthExperiment.substitutions (why a width was replaced).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from hwsolve.errors import HwsolveError
from hwsolve.experiments.threads import torch_threads
from hwsolve.experiments.two_moons import Split, train_test_moons
from hwsolve.io import default_build_dir, write_json_atomic
from hwsolve.problem.q1 import WidthProblem
from hwsolve.solutions.base import to_jsonable

PROBE_THRESHOLD = 10_000  # narrower networks train in well under a second per 100 steps
PROBE_STEPS = 2  # timed steps after one warm-up step
EVALUATION_CHUNK_ELEMENTS = 20_000_000  # rows x width per evaluation chunk, bounds memory
CACHE_VERSION = 1

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WidthRun:
    width: int
    parameters: int  # 2*width + width (layer 1) + width*2 + 2 (layer 2)
    train_accuracy: float
    test_accuracy: float
    gap: float  # train_accuracy - test_accuracy
    final_train_loss: float
    seconds: float  # wall-clock training time on this machine (not part of the same-seed guarantee)


@dataclass(frozen=True)
class WidthSubstitution:
    requested_width: int
    trained_width: int
    seconds_per_step: float  # measured at the requested width
    estimated_seconds: float  # seconds_per_step * steps
    budget_seconds: float
    reason: str


@dataclass(frozen=True)
class WidthExperiment:
    problem: WidthProblem
    seed: int
    runs: tuple[WidthRun, ...]
    substitutions: tuple[WidthSubstitution, ...]
    threads: int  # torch intra-op threads used for the timings


def parameter_count(width: int, inputs: int = 2, classes: int = 2) -> int:
    return inputs * width + width + width * classes + classes


def _build(width: int, seed: int) -> tuple[torch.nn.Linear, torch.nn.Linear]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        hidden = torch.nn.Linear(2, width)
        output = torch.nn.Linear(width, 2)
    with torch.no_grad():  # muP: the output layer starts at zero (see module docstring)
        output.weight.zero_()
        output.bias.zero_()
    return hidden, output


def _optimiser(hidden: torch.nn.Linear, output: torch.nn.Linear, problem: WidthProblem) -> torch.optim.Adam:
    output_rate = problem.learning_rate * min(1.0, problem.base_width / output.in_features)
    return torch.optim.Adam(
        [{"params": hidden.parameters(), "lr": problem.learning_rate}, {"params": output.parameters(), "lr": output_rate}]
    )


def _step(hidden: torch.nn.Linear, output: torch.nn.Linear, optimiser: torch.optim.Optimizer, data: Split) -> float:
    optimiser.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(output(torch.relu(hidden(data.inputs))), data.labels)
    loss.backward()
    optimiser.step()
    return loss.item()


@torch.no_grad()
def _accuracy(hidden: torch.nn.Linear, output: torch.nn.Linear, data: Split) -> float:
    rows = max(1, EVALUATION_CHUNK_ELEMENTS // hidden.out_features)
    correct = 0
    for start in range(0, len(data.labels), rows):
        logits = output(torch.relu(hidden(data.inputs[start : start + rows])))
        correct += int((logits.argmax(dim=1) == data.labels[start : start + rows]).sum())
    return correct / len(data.labels)


def train_width(width: int, train: Split, test: Split, problem: WidthProblem, seed: int, progress: Progress | None = None) -> WidthRun:
    """Train one network with the shared recipe and measure it."""
    with torch_threads(problem.threads):
        return _train_width(width, train, test, problem, seed, progress)


def _train_width(width: int, train: Split, test: Split, problem: WidthProblem, seed: int, progress: Progress | None) -> WidthRun:
    hidden, output = _build(width, seed)
    optimiser = _optimiser(hidden, output, problem)
    report_every = max(1, problem.steps // 10)
    start = time.perf_counter()
    loss = float("nan")
    for step in range(1, problem.steps + 1):
        loss = _step(hidden, output, optimiser, train)
        if progress and width >= PROBE_THRESHOLD and step % report_every == 0:
            progress(f"width {width:,}: step {step}/{problem.steps}, loss {loss:.4f}, {time.perf_counter() - start:.0f} s")
    train_accuracy, test_accuracy = _accuracy(hidden, output, train), _accuracy(hidden, output, test)
    seconds = time.perf_counter() - start
    return WidthRun(width, parameter_count(width), train_accuracy, test_accuracy, train_accuracy - test_accuracy, loss, seconds)


def seconds_per_step(width: int, train: Split, problem: WidthProblem, seed: int) -> float:
    """Time a few full-batch steps (after one warm-up step that pays for allocation)."""
    with torch_threads(problem.threads):
        return _seconds_per_step(width, train, problem, seed)


def _seconds_per_step(width: int, train: Split, problem: WidthProblem, seed: int) -> float:
    hidden, output = _build(width, seed)
    optimiser = _optimiser(hidden, output, problem)
    _step(hidden, output, optimiser, train)
    start = time.perf_counter()
    for _ in range(PROBE_STEPS):
        _step(hidden, output, optimiser, train)
    return (time.perf_counter() - start) / PROBE_STEPS


def one_two_five_below(width: int) -> list[int]:
    """1-2-5 widths below `width`, widest first: 500000, 200000, 100000, 50000, ..."""
    ladder, scale = [], 1
    while scale < width:
        ladder.extend(value for value in (scale, 2 * scale, 5 * scale) if value < width)
        scale *= 10
    return sorted(set(ladder), reverse=True)


def choose_trainable_width(width: int, train: Split, problem: WidthProblem, seed: int, progress: Progress | None = None) -> WidthSubstitution | None:
    """None if `width` trains within the budget; otherwise the widest width that does, and why."""
    if width < PROBE_THRESHOLD:
        return None
    if progress:
        progress(f"timing {PROBE_STEPS} steps at width {width:,} ...")
    per_step = seconds_per_step(width, train, problem, seed)
    estimate = per_step * problem.steps
    if estimate <= problem.time_budget_s:
        return None
    chosen = None
    for candidate in one_two_five_below(width):
        # Time grows linearly with width at fixed data size; confirm a plausible candidate by timing it.
        if per_step * candidate / width * problem.steps > problem.time_budget_s:
            continue
        if candidate < PROBE_THRESHOLD:
            chosen = candidate
            break
        if progress:
            progress(f"timing {PROBE_STEPS} steps at width {candidate:,} ...")
        if seconds_per_step(candidate, train, problem, seed) * problem.steps <= problem.time_budget_s:
            chosen = candidate
            break
    if chosen is None:
        raise HwsolveError(f"no hidden width trains {problem.steps} steps within the {problem.time_budget_s:g} s budget; raise --time-budget")
    candidate = chosen
    reason = (
        f"width {width:,} takes {per_step:.2f} s per full-batch step here, so {problem.steps} steps would take about "
        f"{estimate:.0f} s, over the {problem.time_budget_s:g} s budget; {candidate:,} is the widest 1-2-5 width estimated to fit"
    )
    return WidthSubstitution(width, candidate, per_step, estimate, problem.time_budget_s, reason)


def cache_path(problem: WidthProblem, seed: int, build_dir: Path | None = None) -> Path:
    settings = {"version": CACHE_VERSION, "seed": seed, "problem": dataclasses.asdict(problem)}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    return (build_dir or default_build_dir()) / "q1" / f"width-seed{seed}-{key}.json"


def _from_cache(data: dict, problem: WidthProblem, seed: int) -> WidthExperiment:
    return WidthExperiment(
        problem,
        seed,
        tuple(WidthRun(**run) for run in data["runs"]),
        tuple(WidthSubstitution(**item) for item in data["substitutions"]),
        data["threads"],
    )


def run_width_experiment(
    problem: WidthProblem = WidthProblem(),
    seed: int = 0,
    build_dir: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[WidthExperiment, bool]:
    """Train every width (after any substitution); reuse the cached result unless force.

    Returns the experiment and whether it was read from the cache: only the
    load itself can tell, since a damaged cache file exists but is retrained.
    """
    path = cache_path(problem, seed, build_dir)
    if path.exists() and not force:
        try:
            return _from_cache(json.loads(path.read_text(encoding="utf-8")), problem, seed), True
        except (ValueError, KeyError, TypeError):
            pass  # a stale or damaged cache is simply recomputed
    train, test = train_test_moons(problem.n_train, problem.n_test, problem.noise, seed)
    runs, substitutions = [], []
    for width in problem.widths:
        substitution = choose_trainable_width(width, train, problem, seed, progress)
        if substitution:
            substitutions.append(substitution)
            if progress:
                progress(substitution.reason)
            width = substitution.trained_width
        runs.append(train_width(width, train, test, problem, seed, progress))
    experiment = WidthExperiment(problem, seed, tuple(runs), tuple(substitutions), problem.threads)
    write_json_atomic(path, {key: value for key, value in to_jsonable(experiment).items() if key in ("runs", "substitutions", "threads")})
    return experiment, False
