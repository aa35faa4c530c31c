"""Misconceptions as changes to the solver: every graded answer re-solved the way a student who made the mistake
would, for many variants at once (numpy arrays, row v is variant v).

The ids are a contract: scripts and gradebooks depend on them.
- ``truncated``: a final value truncated, not rounded, to the decimals the
  student wrote. It depends on the student's own text, so the grader applies
  it to the key's value answer by answer; it has no model here.
- Q3, the 2-2-1 sigmoid network with L = (y - y5)^2:
  - ``rounded_intermediates``: y3 and y4 rounded to 2 decimals, then used in
    O5, y5, the loss, the gradients and the updates (nothing else rounded);
  - ``no_output_derivative``: delta5 = dL/dy5, without sigma'(O5);
  - ``no_hidden_derivative``: delta3 = delta5 w35 and delta4 = delta5 w45;
  - ``half_mse``: L = (y - y5)^2 / 2, so the loss and the gradients halve;
  - ``sign_flip``: the update w + lr g;
  - ``lr_ignored``: the update w - g;
  - ``updated_weights_backprop``: the hidden deltas from the already-updated
    w35 and w45.
- Q1(b), inverted dropout: ``dropout_not_scaled`` (kept units not divided by
  1 - p), ``dropout_scaled_by_p`` (divided by p), ``dropout_at_test`` (the
  mask and the scaling applied at test time too). At p = 0.5, p = 1 - p:
  ``dropout_scaled_by_p`` gives the key itself and cannot be seen there.

``q3_answers(given, model)`` with model None is the correct solver. It is
written as a student works, step by step, and hwsolve.course.keys checks
that it reproduces every verified key to float64 precision: a
misconception is then one changed step of a solver known to be right.

Public API: ``MISCONCEPTIONS`` (every id, in the contract's order),
``Q3_MODELS``, ``Q1B_MODELS``, ``TRUNCATED``, ``Q3Given`` and
``Q1bGiven`` (the variants' given values as arrays), ``q3_answers``,
``q1b_answers``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hwsolve.course.answers import Q3_WEIGHTS
from hwsolve.course.tolerance import rounded

Array = npt.NDArray[np.float64]

TRUNCATED = "truncated"
Q3_MODELS = (
    "rounded_intermediates",
    "no_output_derivative",
    "no_hidden_derivative",
    "half_mse",
    "sign_flip",
    "lr_ignored",
    "updated_weights_backprop",
)
Q1B_MODELS = ("dropout_not_scaled", "dropout_scaled_by_p", "dropout_at_test")
MISCONCEPTIONS = (TRUNCATED, *Q3_MODELS, *Q1B_MODELS)
ROUNDED_DECIMALS = 2  # rounded_intermediates: y3 and y4 to 2 decimals, as the submitted solution's O5 line


@dataclass(frozen=True)
class Q3Given:
    """The given values of many Q3 variants: x1, x2, the target t, the learning rate, the six weights."""

    x1: Array
    x2: Array
    target: Array
    lr: Array
    weights: dict[str, Array]  # w13 ... w45


@dataclass(frozen=True)
class Q1bGiven:
    """The given values of many Q1(b) variants: the 5-vectors, the masks and the rates p."""

    x: Array  # (variants, 5)
    mask: Array  # (variants, 5), 0 or 1
    p: Array  # (variants,)


def _sigmoid(z: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def _rounded(values: Array) -> Array:
    """Half away from zero on the decimal expansion, as a person rounds (numpy's round is half to even)."""
    return np.array([rounded(float(value), ROUNDED_DECIMALS) for value in values], dtype=np.float64)


def _forward(given: Q3Given, model: str | None) -> dict[str, Array]:
    w = given.weights
    h3 = given.x1 * w["w13"] + given.x2 * w["w23"]
    h4 = given.x1 * w["w14"] + given.x2 * w["w24"]
    y3, y4 = _sigmoid(h3), _sigmoid(h4)
    if model == "rounded_intermediates":
        y3, y4 = _rounded(y3), _rounded(y4)
    o5 = y3 * w["w35"] + y4 * w["w45"]
    return {"H3": h3, "y3": y3, "H4": h4, "y4": y4, "O5": o5, "y5": _sigmoid(o5)}


def _gradients(given: Q3Given, forward: dict[str, Array], model: str | None) -> dict[str, Array]:
    w, y3, y4, y5 = given.weights, forward["y3"], forward["y4"], forward["y5"]
    scale = 1.0 if model == "half_mse" else 2.0  # d/dy5 of (t - y5)^2 is -2 (t - y5); of half of it, -(t - y5)
    loss_slope = -scale * (given.target - y5)
    delta5 = loss_slope if model == "no_output_derivative" else loss_slope * y5 * (1 - y5)
    gradients = {"w35": delta5 * y3, "w45": delta5 * y4}
    w35, w45 = w["w35"], w["w45"]
    if model == "updated_weights_backprop":  # the hidden deltas read the output weights after their update
        w35, w45 = w35 - given.lr * gradients["w35"], w45 - given.lr * gradients["w45"]
    hidden = model == "no_hidden_derivative"
    delta3 = delta5 * w35 * (1.0 if hidden else y3 * (1 - y3))
    delta4 = delta5 * w45 * (1.0 if hidden else y4 * (1 - y4))
    gradients |= {"w13": delta3 * given.x1, "w23": delta3 * given.x2, "w14": delta4 * given.x1}
    gradients["w24"] = delta4 * given.x2
    return {name: gradients[name] for name in Q3_WEIGHTS}


def q3_answers(given: Q3Given, model: str | None = None) -> dict[str, Array]:
    """Every Q3 answer (by path) of every variant, solved correctly (model None) or under one misconception."""
    if model is not None and model not in Q3_MODELS:
        raise ValueError(f"unknown Q3 misconception {model!r}")
    forward = _forward(given, model)
    loss = (given.target - forward["y5"]) ** 2
    gradients = _gradients(given, forward, model)
    step = {"sign_flip": -given.lr, "lr_ignored": np.ones_like(given.lr)}.get(model or "", given.lr)
    answers = {"q3.loss": loss / 2 if model == "half_mse" else loss}
    answers |= {f"q3.forward.{name}": value for name, value in forward.items()}
    answers |= {f"q3.gradients.{name}": value for name, value in gradients.items()}
    answers |= {f"q3.updated.{name}": given.weights[name] - step * gradients[name] for name in Q3_WEIGHTS}
    return answers


def q1b_answers(given: Q1bGiven, model: str | None = None) -> dict[str, Array]:
    """The training-time and test-time dropout outputs of every variant, correctly or under one misconception."""
    if model is not None and model not in Q1B_MODELS:
        raise ValueError(f"unknown Q1(b) misconception {model!r}")
    keep = {"dropout_not_scaled": np.ones_like(given.p), "dropout_scaled_by_p": given.p}.get(model or "", 1 - given.p)
    train = given.x * given.mask / keep[:, None] + 0.0  # + 0.0: a dropped negative input is 0, not -0
    test = train if model == "dropout_at_test" else given.x.copy()
    return {"q1b.train": train, "q1b.test": test}
