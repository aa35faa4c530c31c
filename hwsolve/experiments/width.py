"""Q1c: how wide must a two-layer network be for a 2-class problem?

Two-layer ReLU networks 2 -> width -> 2 are trained on seeded two moons with
one recipe for every width: full-batch Adam for `steps` steps, cross-entropy,
float32 on the CPU. The output layer starts at zero and its learning rate is
scaled by min(1, base_width / width) (the muP rule of Yang & Hu, 2021): with a
plain learning rate, Adam moves each of a million output weights by ~lr per
step and the logits jump by thousands (we measured a loss of 264 after one
step at width 1,000,000), so the same recipe would not be comparable across
widths. The widths in `long_widths` are also trained `long_steps` steps: the
same recipe run to (near) zero training error, to see whether a network that
fits at `steps` overfits when trained on.

Several seeds (problem.seeds(first)): each seed draws its own moons and its own
initialisation, so every conclusion can say in how many seeds it held.

The very wide network: before training, a plan (WidthPlan) checks that every
seed of every width fits the time budget for the whole of part c, with the
machine timed at full speed (CPU time per step, not wall time). A width
above PROBE_WIDTH is not built to be timed (a step at 1,000,000 units takes
seconds and a gigabyte): one step at PROBE_WIDTH is timed and scaled linearly
in width, which is a lower bound on the real time, since wide steps are slower
per unit (memory traffic). A width whose bound is over the budget is replaced
by the widest 1-2-5 width whose *measured* step time fits, and the reason is
recorded. The plan is cached, then each seed's runs are cached on their own
under build/q1/, keyed by the seed, the recipe and the widths actually trained,
and reused unless force=True.

Key numbers: WidthExperiment.seeds[i].runs[j].{width, train_accuracy,
test_accuracy, gap}; .long_runs (the long recipe); WidthExperiment.plan
(trained widths, substitutions and why).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import torch

from hwsolve.errors import HwsolveError
from hwsolve.experiments.two_moons import Split, train_test_moons
from hwsolve.i18n import _, using
from hwsolve.io import default_build_dir, write_json_atomic
from hwsolve.problem.q1 import WidthProblem
from hwsolve.threads import torch_threads

PROBE_WIDTH = 10_000  # wider networks are timed here and scaled linearly, never built just to be timed
# The plan budgets the machine at full speed, as if nothing else ran: a step's cost is the CPU time it
# takes (one torch thread), not its wall time, which on a busy machine includes waiting for a core.
# Training then takes longer than planned there (the reproducibility note gives both), but the widths
# chosen stay the same from one run to the next.
TIMED_STEPS = 3  # at least; then more until TIMING_SECONDS of CPU time have passed
TIMING_SECONDS = 0.1
EVALUATION_CHUNK_ELEMENTS = 20_000_000  # rows x width per evaluation chunk, bounds memory
# Narrower widths are always trained (their timed cost comes off the budget first); wider ones may be
# replaced, and print their training progress.
ALWAYS_TRAINED_BELOW = 10_000
CACHE_VERSION = 2  # of the per-seed results
PLAN_VERSION = 3  # of the plan: 3 times steps in CPU time

Progress = Callable[[str], None]
# A cache file as json.loads returns it: nothing in it is trusted until _check has looked at each field used.
UncheckedJson: TypeAlias = dict[str, Any]
Loaded = TypeVar("Loaded")


@dataclass(frozen=True)
class WidthRun:
    width: int
    steps: int  # full-batch Adam steps of this run (problem.steps, or problem.long_steps)
    parameters: int  # 2*width + width (layer 1) + width*2 + 2 (layer 2)
    train_accuracy: float
    test_accuracy: float
    gap: float  # train_accuracy - test_accuracy
    final_train_loss: float | None  # None: not finite, which strict JSON writes as null in the cache
    seconds: float  # wall-clock training time on this machine (not part of the same-seed guarantee)


@dataclass(frozen=True)
class WidthSubstitution:
    requested_width: int
    trained_width: int
    probe_width: int  # the width whose step was timed
    seconds_per_step: float  # measured at probe_width
    # All seeds at requested_width: measured, or scaled linearly from the probe (a lower bound).
    estimated_seconds: float
    budget_seconds: float  # what was left of the budget for this width
    reason: str  # in English, as the plan file and the progress line keep it; substitution_reason() says it again
    scaled: bool = False  # estimated_seconds is the probe's step scaled by width (a lower bound), not measured


@dataclass(frozen=True)
class WidthPlan:
    trained_widths: tuple[int, ...]  # problem.widths after substitutions, in the same order
    substitutions: tuple[WidthSubstitution, ...]
    estimated_seconds: float  # every seed, both recipes, from the timed steps


@dataclass(frozen=True)
class SeedRuns:
    seed: int
    runs: tuple[WidthRun, ...]  # one per trained width, problem.steps steps
    long_runs: tuple[WidthRun, ...]  # one per long width, problem.long_steps steps


@dataclass(frozen=True)
class WidthExperiment:
    problem: WidthProblem
    plan: WidthPlan
    seeds: tuple[SeedRuns, ...]
    threads: int  # torch intra-op threads used for the timings
    cache_files: tuple[str, ...]  # one per seed, in seed order
    plan_file: str


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
        [
            {"params": hidden.parameters(), "lr": problem.learning_rate},
            {"params": output.parameters(), "lr": output_rate},
        ]
    )


def _step(hidden: torch.nn.Linear, output: torch.nn.Linear, optimiser: torch.optim.Optimizer, data: Split) -> float:
    optimiser.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(output(torch.relu(hidden(data.inputs))), data.labels)
    torch.autograd.backward(loss)
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


def train_width(
    width: int,
    train: Split,
    test: Split,
    problem: WidthProblem,
    seed: int,
    progress: Progress | None = None,
    steps: int | None = None,
) -> WidthRun:
    """Train one network with the shared recipe (problem.steps steps unless `steps`) and measure it."""
    with torch_threads(problem.threads):
        return _train_width(width, train, test, problem, seed, progress, problem.steps if steps is None else steps)


def _train_width(
    width: int, train: Split, test: Split, problem: WidthProblem, seed: int, progress: Progress | None, steps: int
) -> WidthRun:
    hidden, output = _build(width, seed)
    optimiser = _optimiser(hidden, output, problem)
    report_every = max(1, steps // 5)
    start = time.perf_counter()
    loss = float("nan")
    for step in range(1, steps + 1):
        loss = _step(hidden, output, optimiser, train)
        if progress and width >= ALWAYS_TRAINED_BELOW and step % report_every == 0:
            elapsed = time.perf_counter() - start
            progress(f"seed {seed}, width {width:,}: step {step}/{steps}, loss {loss:.4f}, {elapsed:.0f} s")
    train_accuracy, test_accuracy = _accuracy(hidden, output, train), _accuracy(hidden, output, test)
    seconds = time.perf_counter() - start
    return WidthRun(
        width,
        steps,
        parameter_count(width),
        train_accuracy,
        test_accuracy,
        train_accuracy - test_accuracy,
        loss,
        seconds,
    )


def seconds_per_step(width: int, train: Split, problem: WidthProblem, seed: int) -> float:
    """CPU seconds of one full-batch step, the mean over a few (after a warm-up step that pays for allocation)."""
    with torch_threads(problem.threads):
        return _seconds_per_step(width, train, problem, seed)


def _seconds_per_step(width: int, train: Split, problem: WidthProblem, seed: int) -> float:
    hidden, output = _build(width, seed)
    optimiser = _optimiser(hidden, output, problem)
    _step(hidden, output, optimiser, train)
    steps, start = 0, time.process_time()
    while steps < TIMED_STEPS or time.process_time() - start < TIMING_SECONDS:
        _step(hidden, output, optimiser, train)
        steps += 1
    return (time.process_time() - start) / steps


def one_two_five_below(width: int) -> list[int]:
    """1-2-5 widths below `width`, widest first: 500000, 200000, 100000, 50000, ..."""
    ladder: list[int] = []
    scale = 1
    while scale < width:
        ladder.extend(value for value in (scale, 2 * scale, 5 * scale) if value < width)
        scale *= 10
    return sorted(set(ladder), reverse=True)


def choose_trainable_width(
    width: int,
    train: Split,
    problem: WidthProblem,
    seed: int,
    budget_s: float | None = None,
    progress: Progress | None = None,
) -> WidthSubstitution | None:
    """None if every seed of `width` trains within `budget_s`; otherwise the widest width that does, and why.

    budget_s defaults to the whole problem.time_budget_s. Widths up to
    PROBE_WIDTH are timed directly; a wider one gets a linear lower bound from
    a step at PROBE_WIDTH, and a candidate replacing it is always timed itself.
    """
    budget = problem.time_budget_s if budget_s is None else budget_s
    steps_in_all = problem.steps * problem.seed_count

    def measured_total(candidate: int) -> float:
        if progress:
            progress(f"timing full-batch steps at width {candidate:,} ...")
        return seconds_per_step(candidate, train, problem, seed) * steps_in_all

    probe_width = min(width, PROBE_WIDTH)
    probe_step = measured_total(probe_width) / steps_in_all
    estimate = probe_step * width / probe_width * steps_in_all  # a lower bound while width > probe_width
    scaled = width > probe_width
    if estimate <= budget and scaled:
        estimate, scaled = measured_total(width), False
    if estimate <= budget:
        return None
    # Time per step grows with width, so skip candidates whose scaled estimate is already over; time the rest.
    for candidate in one_two_five_below(width):
        if candidate >= probe_width and probe_step * candidate / probe_width * steps_in_all > budget:
            continue
        if measured_total(candidate) <= budget:
            break
    else:
        raise HwsolveError(
            f"no hidden width trains {problem.seed_count} seeds of {problem.steps} steps "
            f"within the {budget:g} s left of the budget; raise --time-budget"
        )
    substitution = WidthSubstitution(width, candidate, probe_width, probe_step, estimate, budget, "", scaled)
    with using("en"):  # the plan file keeps it in English
        return dataclasses.replace(substitution, reason=substitution_reason(substitution, problem))


def substitution_reason(substitution: WidthSubstitution, problem: WidthProblem) -> str:
    """Why `substitution` was made, as the report says it, in the active language: one clause, no full stop.

    Two whole sentences: an estimate scaled from the probe (a lower bound, with how it was scaled), or measured.
    """
    if substitution.scaled:
        text = _(
            "{seeds} seeds of {steps} full-batch steps at {width} hidden units would take at least about "
            "{estimate} s at full speed on the machine that built this report (one step at {probe} units takes "
            "{step_ms} ms at full speed, and the time per step grows at least linearly with width), over the "
            "{budget} s left of its {total} s budget for part (c); {trained} units, the widest 1-2-5 width whose "
            "timed steps fit, were trained instead"
        )
    else:
        text = _(
            "{seeds} seeds of {steps} full-batch steps at {width} hidden units would take about {estimate} s "
            "at full speed on the machine that built this report, over the {budget} s left of its {total} s "
            "budget for part (c); {trained} units, the widest 1-2-5 width whose timed steps fit, were trained "
            "instead"
        )
    return text.format(
        seeds=problem.seed_count,
        steps=problem.steps,
        width=f"{substitution.requested_width:,}",
        estimate=f"{substitution.estimated_seconds:.0f}",
        probe=f"{substitution.probe_width:,}",
        step_ms=f"{1000 * substitution.seconds_per_step:.3g}",
        budget=f"{substitution.budget_seconds:.0f}",
        total=f"{problem.time_budget_s:g}",
        trained=f"{substitution.trained_width:,}",
    )


def plan_widths(problem: WidthProblem, seed: int, progress: Progress | None = None) -> WidthPlan:
    """Which widths to train so that every seed of both recipes fits problem.time_budget_s."""
    train, _ = train_test_moons(problem.n_train, problem.n_test, problem.noise, seed)
    narrow = [width for width in problem.widths if width < ALWAYS_TRAINED_BELOW]
    narrow_seconds = (
        sum(seconds_per_step(width, train, problem, seed) for width in narrow) * problem.steps * problem.seed_count
    )
    long_seconds = (
        sum(seconds_per_step(width, train, problem, seed) for width in problem.long_widths)
        * problem.long_steps
        * problem.seed_count
    )
    # The wide runs get what the narrow ones leave of the budget, and never less than
    # a third of it: on a busy machine the narrow runs' timings swell too.
    remaining = max(problem.time_budget_s - narrow_seconds - long_seconds, problem.time_budget_s / 3)
    trained: list[int] = []
    substitutions: list[WidthSubstitution] = []
    wide_seconds = 0.0
    for width in problem.widths:
        if width < ALWAYS_TRAINED_BELOW:
            trained.append(width)
            continue
        substitution = choose_trainable_width(width, train, problem, seed, remaining - wide_seconds, progress)
        if substitution is not None:
            substitutions.append(substitution)
            if progress:
                progress(substitution.reason)
            width = substitution.trained_width
        trained.append(width)
        wide_seconds += seconds_per_step(width, train, problem, seed) * problem.steps * problem.seed_count
    return WidthPlan(tuple(trained), tuple(substitutions), narrow_seconds + long_seconds + wide_seconds)


def _key(settings: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def plan_path(problem: WidthProblem, seed: int, build_dir: Path | None = None) -> Path:
    settings: dict[str, object] = {"version": PLAN_VERSION, "seed": seed, "problem": dataclasses.asdict(problem)}
    return (build_dir or default_build_dir()) / "q1" / f"width-plan-seed{seed}-{_key(settings)}.json"


def _recipe(problem: WidthProblem) -> dict[str, object]:
    """The settings a seed's runs depend on: not the budget or the seed count, which only choose the widths."""
    recipe = dataclasses.asdict(problem)
    for name in ("widths", "seed_count", "time_budget_s"):
        recipe.pop(name)
    return recipe


def cache_path(
    problem: WidthProblem, seed: int, trained_widths: tuple[int, ...], build_dir: Path | None = None
) -> Path:
    settings: dict[str, object] = {
        "version": CACHE_VERSION,
        "seed": seed,
        "recipe": _recipe(problem),
        "trained_widths": list(trained_widths),
    }
    return (build_dir or default_build_dir()) / "q1" / f"width-seed{seed}-{_key(settings)}.json"


def _load(path: Path, build: Callable[[UncheckedJson], Loaded], force: bool) -> Loaded | None:
    """The cached object at `path`, or None (missing, damaged, hand-edited beyond belief, or forced).

    Something that is not a file there (a folder) could not be replaced by the
    recomputed result either: refused before any training, in one line.
    """
    if force or not (path.exists() or path.is_symlink()):
        return None
    if not path.is_file():
        raise HwsolveError(
            f"{path} is not a file (a folder or a broken link?); remove it so the Q1(c) results can be saved"
        )
    try:
        return build(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # a stale, damaged or invalid cache is simply recomputed


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"cached {what} is not valid")


def _whole(value: object, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _real(value: object, low: float = 0.0, high: float = math.inf) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    )


def _substitution_from(item: UncheckedJson) -> WidthSubstitution:
    """A cached substitution. A plan written before `scaled` was recorded says it in its English reason, which
    reads "would take at least about" exactly when the estimate was scaled (substitution_reason)."""
    if "scaled" not in item:
        item = {**item, "scaled": "would take at least about" in str(item.get("reason", ""))}
    return WidthSubstitution(**item)


def _plan_from(data: UncheckedJson, problem: WidthProblem) -> WidthPlan:
    plan = WidthPlan(
        tuple(data["trained_widths"]),
        tuple(_substitution_from(item) for item in data["substitutions"]),
        data["estimated_seconds"],
    )
    _check(
        len(plan.trained_widths) == len(problem.widths) and all(_whole(w, 1) for w in plan.trained_widths),
        "trained_widths",
    )
    _check(_real(plan.estimated_seconds), "estimated_seconds")
    return plan


def _run_from(data: UncheckedJson, width: int, steps: int) -> WidthRun:
    """A cached run, checked against what it must be: this width and step count, accuracies in [0, 1]."""
    run = WidthRun(**data)
    _check(
        run.width == width and run.steps == steps and run.parameters == parameter_count(width), f"run of width {width}"
    )
    _check(_real(run.train_accuracy, 0, 1) and _real(run.test_accuracy, 0, 1), f"accuracy of width {width}")
    _check(
        _real(run.gap, -1, 1) and abs(run.gap - (run.train_accuracy - run.test_accuracy)) < 1e-9,
        f"gap of width {width}",
    )
    _check(run.final_train_loss is None or _real(run.final_train_loss), f"final_train_loss of width {width}")
    _check(_real(run.seconds), f"seconds of width {width}")
    return run


def _seed_from(data: UncheckedJson, problem: WidthProblem, plan: WidthPlan) -> SeedRuns:
    _check(
        len(data["runs"]) == len(plan.trained_widths) and len(data["long_runs"]) == len(problem.long_widths),
        "run count",
    )
    runs = tuple(_run_from(run, width, problem.steps) for run, width in zip(data["runs"], plan.trained_widths))
    long_runs = tuple(
        _run_from(run, width, problem.long_steps) for run, width in zip(data["long_runs"], problem.long_widths)
    )
    return SeedRuns(data["seed"], runs, long_runs)


def train_seed(problem: WidthProblem, plan: WidthPlan, seed: int, progress: Progress | None = None) -> SeedRuns:
    train, test = train_test_moons(problem.n_train, problem.n_test, problem.noise, seed)
    runs = tuple(train_width(width, train, test, problem, seed, progress) for width in plan.trained_widths)
    long_runs = tuple(
        train_width(width, train, test, problem, seed, progress, problem.long_steps) for width in problem.long_widths
    )
    return SeedRuns(seed, runs, long_runs)


def run_width_experiment(
    problem: WidthProblem = WidthProblem(),
    seed: int = 0,
    build_dir: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[WidthExperiment, bool]:
    """Plan, then train every seed (seed, seed + 1, ...); reuse cached results unless force.

    Returns the experiment and whether everything was read from the cache:
    only the loads themselves can tell, since a damaged file exists but is redone.
    """
    loaded = True
    plan_file = plan_path(problem, seed, build_dir)
    plan = _load(plan_file, lambda data: _plan_from(data, problem), force)
    if plan is None:
        loaded = False
        plan = plan_widths(problem, seed, progress)
        write_json_atomic(plan_file, plan)
    seeds: list[SeedRuns] = []
    files: list[str] = []
    for one_seed in problem.seeds(seed):
        path = cache_path(problem, one_seed, plan.trained_widths, build_dir)
        seed_runs = _load(path, lambda data: _seed_from(data, problem, plan), force)
        if seed_runs is None or seed_runs.seed != one_seed:
            loaded = False
            seed_runs = train_seed(problem, plan, one_seed, progress)
            write_json_atomic(path, seed_runs)
        seeds.append(seed_runs)
        files.append(str(path))
    return WidthExperiment(problem, plan, tuple(seeds), problem.threads, tuple(files), str(plan_file)), loaded
