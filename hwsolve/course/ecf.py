"""Error carried forward: a later Q3 answer recomputed from the student's own earlier numbers.

Where a student's earlier number is wrong, a later answer that follows from
it correctly still shows the later step was understood. The dependencies
are the homework network's steps, each written as a student writes it:
- y3 = sigma(H3), y4 = sigma(H4), O5 = y3 w35 + y4 w45, y5 = sigma(O5);
- L = (t - y5)^2 from their y5;
- every gradient from their y3, y4 and y5 (delta5 = -2 (t - y5) y5 (1 - y5),
  delta3 = y3 (1 - y3) w35 delta5, ...);
- each updated weight w - lr g from their own gradient of that weight.
A number the student left out is taken from the key. Q1(b)'s two answers do
not depend on each other, so they have no ECF.

Public API: ``ecf_value(path, own, key, variant)`` -> (the value the
student's own numbers give, the paths of those numbers), or None where
``path`` has no earlier numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from hwsolve.course.variant import Variant

Reader = Callable[[str], float]
# The forward values each gradient is made of: y5 through delta5, and the output of the neuron the weight
# leaves (w35) or the hidden neuron whose delta it takes (w13).
GRADIENT_SOURCES = {
    "w35": ("y3", "y5"),
    "w45": ("y4", "y5"),
    "w13": ("y3", "y5"),
    "w23": ("y3", "y5"),
    "w14": ("y4", "y5"),
    "w24": ("y4", "y5"),
}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _forward(path: str, read: Reader, weights: Mapping[str, float]) -> tuple[float, tuple[str, ...]] | None:
    name = path.rsplit(".", 1)[1]
    sources = {"y3": ("H3",), "y4": ("H4",), "O5": ("y3", "y4"), "y5": ("O5",)}.get(name)
    if sources is None:
        return None  # H3 and H4 come from the given inputs and weights alone
    paths = tuple(f"q3.forward.{source}" for source in sources)
    if name == "O5":
        return read(paths[0]) * weights["w35"] + read(paths[1]) * weights["w45"], paths
    return _sigmoid(read(paths[0])), paths


def _gradient(name: str, read: Reader, variant: Variant) -> float:
    weights, (x1, x2), target = variant.q3.weight_map, variant.q3.x, variant.q3.y[0]
    y3, y4, y5 = (read(f"q3.forward.{symbol}") for symbol in ("y3", "y4", "y5"))
    delta5 = -2 * (target - y5) * y5 * (1 - y5)
    delta3 = y3 * (1 - y3) * weights["w35"] * delta5
    delta4 = y4 * (1 - y4) * weights["w45"] * delta5
    gradients = {"w35": delta5 * y3, "w45": delta5 * y4, "w13": delta3 * x1, "w23": delta3 * x2}
    gradients |= {"w14": delta4 * x1, "w24": delta4 * x2}
    return gradients[name]


def ecf_value(
    path: str, own: Mapping[str, float], key: Mapping[str, float], variant: Variant
) -> tuple[float, tuple[str, ...]] | None:
    """What the student's own earlier numbers give at `path`, and which of their numbers it used.

    ``own`` holds the student's scalar answers by path (missing ones absent), ``key`` the key's.
    """

    def read(source: str) -> float:
        return own.get(source, key[source])

    group = path.split(".")[1] if path.startswith("q3.") else None
    if group == "forward":
        found = _forward(path, read, variant.q3.weight_map)
        if found is None:
            return None
        value, sources = found
    elif path == "q3.loss":
        value, sources = (variant.q3.y[0] - read("q3.forward.y5")) ** 2, ("q3.forward.y5",)
    elif group == "gradients":
        name = path.rsplit(".", 1)[1]
        value, sources = _gradient(name, read, variant), tuple(f"q3.forward.{y}" for y in GRADIENT_SOURCES[name])
    elif group == "updated":
        name = path.rsplit(".", 1)[1]
        source = f"q3.gradients.{name}"
        value, sources = variant.q3.weight_map[name] - variant.q3.lr * read(source), (source,)
    else:
        return None
    used = tuple(source for source in sources if source in own)
    return (value, used) if used else None
