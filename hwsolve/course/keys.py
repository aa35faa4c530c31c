"""Verified answer keys for many variants at once.

Q3: the SymPy derivation of the 2-2-1 network is made once (hwsolve.derive,
as `hwsolve q3` makes it), compiled, and evaluated for every variant in one
numpy pass (hwsolve.derive.backprop_batch); torch autograd recomputes the
same numbers for every variant in one float64 graph
(hwsolve.check.backprop_autograd.autograd_batch). A difference above 1e-10
(relative above 1) is a VerificationError naming the student: never a silent
key. Q1(b): the exact rational x m / (1 - p) in SymPy and the float64 one,
checked against each other (hwsolve.derive.q1_dropout, hwsolve.check.q1_dropout).

The misconception solver (hwsolve.course.misconceptions) must reproduce
every key in its correct form: it is checked here too, so that each
misconception is one changed step of a solver known to be right.

Public API: ``Key`` (a variant and its value at every graded path),
``solve_keys(variants)``, ``key_json(key)``, ``key_from_json(data)``,
``q3_given(variants)`` and ``q1b_given(variants)`` (the arrays the
misconception models read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hwsolve.course.answers import ANSWER_PATHS, Q3_NEURONS, Q3_WEIGHTS, is_vector
from hwsolve.course.misconceptions import Q1bGiven, Q3Given, q1b_answers, q3_answers
from hwsolve.course.seeds import ASSIGNMENT
from hwsolve.course.variant import Variant
from hwsolve.derive.backprop import derive_gradients
from hwsolve.derive.backprop_batch import BatchStep, evaluate_batch
from hwsolve.derive.q1_dropout import inverted_dropout_exact, inverted_dropout_test_exact
from hwsolve.errors import VerificationError
from hwsolve.io import to_jsonable
from hwsolve.problem.q3 import Q3Problem

Value = float | tuple[float, ...]
HAND_SOLVER_TOLERANCE = 1e-12  # the step-by-step solver against the compiled derivation: float64 rounding only


@dataclass(frozen=True)
class Key:
    variant: Variant
    values: dict[str, Value]  # every path of ANSWER_PATHS
    max_abs_diff: float  # the largest SymPy-vs-autograd difference over this variant's Q3 numbers


def q3_given(variants: Sequence[Variant]) -> Q3Given:
    problems = [variant.q3 for variant in variants]
    return Q3Given(
        x1=np.array([problem.x[0] for problem in problems]),
        x2=np.array([problem.x[1] for problem in problems]),
        target=np.array([problem.y[0] for problem in problems]),
        lr=np.array([problem.lr for problem in problems]),
        weights={name: np.array([problem.weight_map[name] for problem in problems]) for name in Q3_WEIGHTS},
    )


def q1b_given(variants: Sequence[Variant]) -> Q1bGiven:
    return Q1bGiven(
        x=np.array([variant.q1b_x for variant in variants], dtype=np.float64),
        mask=np.array([variant.q1b_mask for variant in variants], dtype=np.float64),
        p=np.array([float(variant.q1b_p) for variant in variants]),
    )


def _differences(step: BatchStep, variants: Sequence[Variant]) -> np.ndarray:
    """Per variant, the largest |SymPy - autograd| over loss, outputs, deltas and gradients (relative above 1)."""
    from hwsolve.check.backprop_autograd import autograd_batch  # torch: imported when a key is solved, not read

    problems = [variant.q3 for variant in variants]
    x = [list(problem.x) for problem in problems]
    y = [list(problem.y) for problem in problems]
    weights = {name: [problem.weight_map[name] for problem in problems] for name in Q3_WEIGHTS}
    reference = autograd_batch((2, 2, 1), ("sigmoid", "sigmoid"), "mse", x, y, weights)
    pairs = [(step.loss, reference.loss.numpy()), (step.outputs[5], reference.outputs.numpy()[:, 0])]
    pairs += [(step.gradients[name], reference.gradients[name].numpy()) for name in Q3_WEIGHTS]
    pairs += [(step.deltas[j], reference.deltas[j].numpy()) for j in step.deltas]
    pairs += [(step.nets[j], reference.nets[j].numpy()) for j in reference.nets]  # H3, H4, O5
    pairs += [(step.outputs[j], reference.activations[j].numpy()) for j in reference.activations]  # y3, y4, y5
    scaled = [np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs)) for ours, theirs in pairs]
    return np.asarray(np.max(np.stack(scaled), axis=0))


def _q3_keys(variants: Sequence[Variant]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every variant's Q3 answers from the compiled SymPy derivation, checked by autograd and the hand solver."""
    derivation = derive_gradients((2, 2, 1), "sigmoid", "mse")
    given = q3_given(variants)
    x = np.stack([given.x1, given.x2], axis=1)
    step = evaluate_batch(derivation, x, given.target[:, None], given.weights)
    differences = _differences(step, variants)
    from hwsolve.check.backprop_autograd import TOLERANCE

    _refuse_above(differences, TOLERANCE, variants, "SymPy and torch autograd disagree on Q3")
    names = {"H3": 3, "H4": 4, "O5": 5}
    values = {"q3.loss": step.loss}
    values |= {
        f"q3.forward.{name}": (step.nets if name in names else step.outputs)[int(name[1])] for name in Q3_NEURONS
    }
    values |= {f"q3.gradients.{name}": step.gradients[name] for name in Q3_WEIGHTS}
    values |= {f"q3.updated.{name}": given.weights[name] - given.lr * step.gradients[name] for name in Q3_WEIGHTS}
    hand = q3_answers(given)
    gaps = np.max(np.stack([np.abs(hand[path] - values[path]) for path in values]), axis=0)
    _refuse_above(gaps, HAND_SOLVER_TOLERANCE, variants, "the misconception solver's correct form differs from Q3")
    return values, differences


def _refuse_above(gaps: np.ndarray, limit: float, variants: Sequence[Variant], what: str) -> None:
    worst = int(np.argmax(gaps))
    if not gaps[worst] <= limit:  # `not <=` catches NaN too
        raise VerificationError(
            f"{what} for student {variants[worst].student!r} (seed {variants[worst].seed}) by {gaps[worst]:.3g}: "
            "no key is written for a variant that fails its check"
        )


def _q1b_keys(variants: Sequence[Variant]) -> dict[str, np.ndarray]:
    """Every variant's dropout outputs: exact in SymPy, float64 in torch, checked against each other."""
    from hwsolve.check.q1_dropout import check_float_dropout, dropout_output_float

    trains = []
    for variant in variants:
        exact = inverted_dropout_exact(variant.q1b_x, variant.q1b_mask, variant.q1b_p)
        floats = dropout_output_float(variant.q1b_x, variant.q1b_mask, variant.q1b_p)
        check_float_dropout(variant.q1b_x, variant.q1b_mask, variant.q1b_p, floats)
        if any(abs(float(e) - f) > 4 * 2.0**-52 * abs(float(e)) for e, f in zip(exact, floats)):
            raise VerificationError(f"Q1(b)'s exact and float64 outputs differ for student {variant.student!r}")
        trains.append(floats)
    tests = [[float(value) for value in inverted_dropout_test_exact(variant.q1b_x)] for variant in variants]
    values = {"q1b.train": np.array(trains), "q1b.test": np.array(tests)}
    hand = q1b_answers(q1b_given(variants))
    gaps = np.max(np.stack([np.max(np.abs(hand[path] - values[path]), axis=1) for path in values]), axis=0)
    _refuse_above(gaps, HAND_SOLVER_TOLERANCE, variants, "the misconception solver's correct form differs from Q1(b)")
    return values


def solve_keys(variants: Sequence[Variant]) -> list[Key]:
    """Every variant's verified key; raises VerificationError naming the first variant whose check fails."""
    if not variants:
        return []
    q3, differences = _q3_keys(variants)
    q1b = _q1b_keys(variants)
    keys = []
    for index, variant in enumerate(variants):
        values: dict[str, Value] = {}
        for path in ANSWER_PATHS:
            column = (q1b if path.startswith("q1b") else q3)[path][index]
            values[path] = tuple(float(v) for v in column) if is_vector(path) else float(column)
        keys.append(Key(variant, values, float(differences[index])))
    return keys


def key_json(key: Key) -> dict[str, object]:
    """key.json: the seed, the given values (in the shape `hwsolve q1`/`q3 --format json` give them) and every
    graded value in full float64, under the sheet's paths."""
    v, values = key.variant, key.values
    q3: dict[str, object] = {"problem": to_jsonable(v.q3), "loss": values["q3.loss"]}
    for group in ("forward", "gradients", "updated"):
        q3[group] = {path.rsplit(".", 1)[1]: value for path, value in values.items() if path.startswith(f"q3.{group}.")}
    return {
        "assignment": ASSIGNMENT,
        "student": v.student,
        "seed": v.seed,
        "redraws": v.attempt,
        "q1b": {"x": list(v.q1b_x), "mask": list(v.q1b_mask), "p": v.q1b_p}
        | {"train": values["q1b.train"], "test": values["q1b.test"]},
        "q3": q3,
        "verification": {"q3_max_abs_diff": key.max_abs_diff, "q1b": "exact rational, checked in float64"},
    }


def _mapping(node: object, what: str) -> Mapping[str, object]:
    if not isinstance(node, Mapping):
        raise TypeError(f"{what} must be an object")
    return node


def _number(node: object, what: str) -> float:
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise TypeError(f"{what} must be a number")
    return float(node)


def _integer(node: object, what: str) -> int:
    """An integer as JSON holds it: a 64-bit seed must not pass through a float (2**53 is float64's limit)."""
    if isinstance(node, bool) or not isinstance(node, int):
        raise TypeError(f"{what} must be an integer")
    return node


def _list(node: object, what: str) -> list[object]:
    if not isinstance(node, list):
        raise TypeError(f"{what} must be a list")
    return node


def _numbers(node: object, what: str) -> tuple[float, ...]:
    return tuple(_number(item, what) for item in _list(node, what))


def _at(data: Mapping[str, object], path: str) -> object:
    node: object = data
    for part in path.split("."):
        node = _mapping(node, path)[part]
    return node


def key_from_json(data: Mapping[str, object]) -> Key:
    """A key read back from key.json; raises KeyError, TypeError or ValueError on a malformed file."""
    q1b = _mapping(data["q1b"], "q1b")
    problem = _mapping(_mapping(data["q3"], "q3")["problem"], "q3.problem")
    weights = problem["weights"]
    if not isinstance(weights, list):
        raise TypeError("q3.problem.weights must be a list of [name, value] pairs")
    variant = Variant(
        student=str(data["student"]),
        seed=_integer(data["seed"], "seed"),
        attempt=_integer(data.get("redraws", 0), "redraws"),
        q1b_x=_numbers(q1b["x"], "q1b.x"),
        q1b_mask=tuple(_integer(value, "q1b.mask") for value in _list(q1b["mask"], "q1b.mask")),
        q1b_p=str(q1b["p"]),
        q3=Q3Problem(
            x=_numbers(problem["x"], "q3.problem.x"),
            y=_numbers(problem["y"], "q3.problem.y"),
            lr=_number(problem["lr"], "q3.problem.lr"),
            weights=tuple((str(pair[0]), _number(pair[1], "a weight")) for pair in weights),
        ),
    )
    values: dict[str, Value] = {
        path: _numbers(_at(data, path), path) if is_vector(path) else _number(_at(data, path), path)
        for path in ANSWER_PATHS
    }
    verification = data.get("verification", {})
    difference = _number(_mapping(verification, "verification").get("q3_max_abs_diff", 0.0), "q3_max_abs_diff")
    return Key(variant, values, difference)
