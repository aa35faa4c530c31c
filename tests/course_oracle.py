"""An independent oracle for the course tool: the homework network and inverted dropout by hand, and every
misconception as a student would make it, in plain Python floats. No hwsolve code is used here.

Public API: ``q3_by_hand(x1, x2, t, lr, w, mistake=None)`` -> {path: value};
``q1b_by_hand(x, mask, p, mistake=None)`` -> {"q1b.train": [...], "q1b.test": [...]}.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

WEIGHTS = ("w13", "w23", "w14", "w24", "w35", "w45")


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def round_half_up(value: float, decimals: int) -> float:
    return float(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def q3_by_hand(x1, x2, t, lr, w, mistake=None):
    """The forward pass, loss, gradients and updates of the 2-2-1 sigmoid network with L = (t - y5)^2."""
    h3 = x1 * w["w13"] + x2 * w["w23"]
    h4 = x1 * w["w14"] + x2 * w["w24"]
    y3, y4 = sigmoid(h3), sigmoid(h4)
    if mistake == "rounded_intermediates":  # the student carries y3, y4 rounded to 2 decimals
        y3, y4 = round_half_up(y3, 2), round_half_up(y4, 2)
    o5 = y3 * w["w35"] + y4 * w["w45"]
    y5 = sigmoid(o5)
    loss = (t - y5) ** 2
    dl_dy5 = -2.0 * (t - y5)
    if mistake == "half_mse":
        loss, dl_dy5 = loss / 2, -(t - y5)
    delta5 = dl_dy5 if mistake == "no_output_derivative" else dl_dy5 * y5 * (1 - y5)
    g = {"w35": delta5 * y3, "w45": delta5 * y4}
    w35, w45 = w["w35"], w["w45"]
    if mistake == "updated_weights_backprop":
        w35, w45 = w35 - lr * g["w35"], w45 - lr * g["w45"]
    if mistake == "no_hidden_derivative":
        delta3, delta4 = delta5 * w35, delta5 * w45
    else:
        delta3, delta4 = y3 * (1 - y3) * w35 * delta5, y4 * (1 - y4) * w45 * delta5
    g.update(w13=delta3 * x1, w23=delta3 * x2, w14=delta4 * x1, w24=delta4 * x2)
    if mistake == "sign_flip":
        updated = {name: w[name] + lr * g[name] for name in WEIGHTS}
    elif mistake == "lr_ignored":
        updated = {name: w[name] - g[name] for name in WEIGHTS}
    else:
        updated = {name: w[name] - lr * g[name] for name in WEIGHTS}
    values = {"q3.loss": loss}
    values.update({f"q3.forward.{k}": v for k, v in (("H3", h3), ("y3", y3), ("H4", h4), ("y4", y4))})
    values.update({"q3.forward.O5": o5, "q3.forward.y5": y5})
    values.update({f"q3.gradients.{name}": g[name] for name in WEIGHTS})
    values.update({f"q3.updated.{name}": updated[name] for name in WEIGHTS})
    return values


def q1b_by_hand(x, mask, p, mistake=None):
    """Inverted dropout: kept units divided by 1 - p in training, the input unchanged at test time."""
    scale = {"dropout_not_scaled": 1.0, "dropout_scaled_by_p": p}.get(mistake, 1.0 - p)
    train = [xi * mi / scale + 0.0 for xi, mi in zip(x, mask)]
    test = list(train) if mistake == "dropout_at_test" else list(x)
    return {"q1b.train": train, "q1b.test": test}
