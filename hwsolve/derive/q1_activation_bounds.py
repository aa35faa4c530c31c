"""Largest derivative of sigmoid, tanh and ReLU (Q1d), in SymPy.

For each smooth activation f we solve f''(z) = 0 for the stationary points of
f', evaluate f' there, and confirm it is the maximum by comparing with the
limits of f' at +-oo. ReLU is piecewise linear: its derivative is 0 for z <= 0
and 1 for z > 0 (relu'(0) = 0, the value torch's autograd uses), so its
maximum is 1 and it never shrinks a gradient that passes through an active unit.

sigma'(z) = sigma(z)(1 - sigma(z)) <= 1/4 (at z = 0) is why a deep sigmoid
network's gradient shrinks by roughly a constant factor per layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

Z = sp.Symbol("z", real=True)

ACTIVATIONS: dict[str, sp.Expr] = {
    "sigmoid": 1 / (1 + sp.exp(-Z)),
    "tanh": sp.tanh(Z),
    "relu": sp.Piecewise((0, Z < 0), (Z, True)),
}


@dataclass(frozen=True)
class DerivativeBound:
    name: str
    function: sp.Expr
    derivative: sp.Expr
    stationary_points: tuple[sp.Expr, ...]  # solutions of f''(z) = 0; empty for ReLU
    argmax: sp.Expr | None  # where f' is largest (None: on a whole half-line)
    maximum: sp.Expr  # max f', exact

    @property
    def maximum_float(self) -> float:
        return float(self.maximum)


def _smooth_bound(name: str, function: sp.Expr) -> DerivativeBound:
    derivative = sp.simplify(sp.diff(function, Z))
    second = sp.diff(derivative, Z)
    stationary = tuple(sp.solveset(sp.simplify(second), Z, domain=sp.S.Reals))
    candidates = {point: sp.simplify(derivative.subs(Z, point)) for point in stationary}
    limits = [sp.limit(derivative, Z, sp.oo), sp.limit(derivative, Z, -sp.oo)]
    argmax, maximum = max(candidates.items(), key=lambda item: float(item[1]))
    if any(float(limit) > float(maximum) for limit in limits):
        raise ArithmeticError(f"{name}: derivative is larger at infinity than at its stationary points")
    return DerivativeBound(name, function, derivative, stationary, argmax, maximum)


def _relu_bound() -> DerivativeBound:
    function = ACTIVATIONS["relu"]
    # At 0 ReLU has no derivative; torch's autograd uses 0 there, and so do we (the sup is 1 either way).
    derivative = sp.Piecewise((0, Z <= 0), (1, True))
    # f'' = 0 wherever it exists: no isolated stationary point; the sup is the larger piece.
    maximum = sp.Max(*[piece for piece, _ in derivative.args])
    return DerivativeBound("relu", function, derivative, (), None, maximum)


def derive_activation_bounds() -> dict[str, DerivativeBound]:
    return {
        "sigmoid": _smooth_bound("sigmoid", ACTIVATIONS["sigmoid"]),
        "tanh": _smooth_bound("tanh", ACTIVATIONS["tanh"]),
        "relu": _relu_bound(),
    }
