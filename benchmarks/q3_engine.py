"""Q3's engine on a network a person would set by hand: 4 layers of 6, against the homework's 2-2-1 in one run.

Each arm solves one problem from cold, as `hwsolve q3` does in a fresh
process after its imports: the SymPy caches are cleared first, then
solve_q3 derives (symbols, deltas, chain-rule paths), evaluates at 30
digits, cross-checks with torch autograd in float64, and the text write-up
is rendered. The arms alternate, A B A B..., so a drifting machine hurts
both alike; the medians and their ratio are printed, then one breakdown of
the wide network's time by stage.

    python benchmarks/q3_engine.py [--repeats 7] [--samples 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from sympy.core.cache import clear_cache

from hwsolve.derive import backprop, backprop_compiled, backprop_deltas
from hwsolve.problem.q3 import Q3Problem, bias_name, neuron_layers, weight_name, weight_pairs
from hwsolve.render.environment import render_template
from hwsolve.solutions.q3 import solve_q3


def clear_caches() -> None:
    """Every per-shape cache of the derivation, and SymPy's own: the next solve derives from scratch."""
    clear_cache()
    backprop._derive.cache_clear()
    backprop._between.cache_clear()
    backprop_deltas._derive.cache_clear()
    backprop_compiled._compile.cache_clear()


def hand_set(rng: random.Random) -> float:
    """Three decimals, 0.05 <= |v| <= 1, as a person writes them."""
    while True:
        value = round(rng.uniform(-1.0, 1.0), 3)
        if abs(value) >= 0.05:
            return value


def six_wide(samples: int) -> Q3Problem:
    """4 layers of 6: tanh, tanh, softmax with the cross-entropy, biases everywhere."""
    rng = random.Random(2024)
    layers = (6, 6, 6, 6)
    batch = tuple((tuple(hand_set(rng) for _ in range(6)), (0.1, 0.2, 0.3, 0.15, 0.15, 0.1)) for _ in range(samples))
    return Q3Problem(
        layers=layers,
        activation="tanh,tanh,softmax",
        loss="cross_entropy",
        samples=batch,
        lr=0.1,
        weights=tuple((weight_name(i, j), hand_set(rng)) for i, j in weight_pairs(layers)),
        biases=tuple((bias_name(j), hand_set(rng)) for layer in neuron_layers(layers)[1:] for j in layer),
    )


def timed(problem: Q3Problem) -> float:
    clear_caches()
    started = time.perf_counter()
    solution = solve_q3(problem)
    render_template("text", "q3", solution=solution, digits=6, figures={})
    return time.perf_counter() - started


def stage(what: str, action: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = action()
    print(f"  {what:44s} {time.perf_counter() - started:6.3f} s", flush=True)
    return result


def breakdown(problem: Q3Problem) -> None:
    """One cold solve of the wide network, stage by stage."""
    from hwsolve.check.backprop_autograd import autograd_gradients
    from hwsolve.derive.backprop import evaluate_gradients, forward_pass

    clear_caches()
    print(f"breakdown of one cold solve, layers {problem.layers}, {problem.batch_size} sample(s):")
    derivation = stage(
        "derive_gradients (symbols, path products)",
        lambda: backprop.derive_gradients(problem.layers, problem.activations, problem.loss, True),
    )
    route = stage("derive_deltas (one delta per neuron)", lambda: backprop_deltas.derive_deltas(derivation))
    x, y = problem.samples[0]
    forward = stage("forward pass at 30 digits", lambda: forward_pass(derivation, x, y, problem.parameters))
    stage("deltas and gradients at 30 digits", lambda: backprop_deltas.evaluate_deltas(route, forward))
    stage("full chain rule at 30 digits (cross-reference)", lambda: evaluate_gradients(derivation, forward))
    stage("torch autograd, float64", lambda: autograd_gradients(problem))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--samples", type=int, default=1, help="samples in the wide network's mini-batch")
    args = parser.parse_args()
    arms = {"homework 2,2,1": Q3Problem(), f"6,6,6,6 x {args.samples} sample(s)": six_wide(args.samples)}
    times: dict[str, list[float]] = {arm: [] for arm in arms}
    timed(Q3Problem())  # warm-up: first-call costs of SymPy and torch, outside every measurement
    for repeat in range(args.repeats):
        for arm, problem in arms.items():
            times[arm].append(timed(problem))
            print(f"repeat {repeat + 1}: {arm:26s} {times[arm][-1]:6.3f} s", flush=True)
    baseline, wide = (statistics.median(values) for values in times.values())
    print(f"median: homework {baseline:.3f} s, 4 layers of 6 {wide:.3f} s, ratio {wide / baseline:.2f}")
    breakdown(arms[f"6,6,6,6 x {args.samples} sample(s)"])


if __name__ == "__main__":
    main()
