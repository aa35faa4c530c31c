"""Stacked linear layers collapse into one affine map (Q1a), in SymPy.

X is a batch of n row vectors (n x d0). Layer k maps H -> H W_k + 1 b_k, where
b_k is a row vector and 1 is the n x 1 column of ones that broadcasts it over
the batch, exactly as the homework writes (X W1 + b1) W2 + b2.

Two layers: (X W1 + 1 b1) W2 + 1 b2 = X W + 1 b with W = W1 W2, b = b1 W2 + b2.
N layers:   W = W1 W2 ... WN,  b = sum_k b_k W_{k+1} ... W_N.
Both are proven by expanding the matrix expression (non-commutative, shapes
symbolic), and the N-layer form also by one induction step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import sympy as sp


@dataclass(frozen=True)
class CollapseDerivation:
    layers: int
    stacked: sp.MatrixExpr  # the N layers applied one after another
    collapsed: sp.MatrixExpr  # X W + 1 b with W, b in closed form
    weight: sp.MatrixExpr  # W = W1 ... WN
    bias: sp.MatrixExpr  # b = sum_k b_k W_{k+1} ... W_N
    difference_expanded: sp.Expr  # stacked - collapsed, expanded: 0 when proven

    @property
    def proven(self) -> bool:
        return _is_zero(self.difference_expanded)


def _is_zero(expression: sp.Expr) -> bool:
    return expression == 0 or isinstance(expression, sp.ZeroMatrix)


def _product(factors: list[sp.MatrixExpr], rows: sp.Expr) -> sp.MatrixExpr:
    """W_{k+1} ... W_N; the empty product is the identity of the right size."""
    if not factors:
        return sp.Identity(rows)
    return reduce(lambda left, right: left * right, factors)


def layer_symbols(layers: int) -> tuple[sp.MatrixSymbol, sp.MatrixSymbol, list[sp.MatrixSymbol], list[sp.MatrixSymbol]]:
    """X, the ones column, and the weights and biases of `layers` layers with symbolic sizes."""
    batch = sp.Symbol("n", integer=True, positive=True)
    sizes = sp.symbols(f"d0:{layers + 1}", integer=True, positive=True)
    inputs = sp.MatrixSymbol("X", batch, sizes[0])
    ones = sp.MatrixSymbol(r"\mathbf{1}", batch, 1)
    weights = [sp.MatrixSymbol(f"W_{k + 1}", sizes[k], sizes[k + 1]) for k in range(layers)]
    biases = [sp.MatrixSymbol(f"b_{k + 1}", 1, sizes[k + 1]) for k in range(layers)]
    return inputs, ones, weights, biases


def collapsed_weight_and_bias(
    weights: list[sp.MatrixSymbol], biases: list[sp.MatrixSymbol]
) -> tuple[sp.MatrixExpr, sp.MatrixExpr]:
    """The closed form: W = W1...WN, b = sum_k b_k W_{k+1}...W_N."""
    weight = _product(list(weights), weights[0].shape[0])
    terms = [
        biases[k] * _product(list(weights[k + 1 :]), weights[k].shape[1]) if k + 1 < len(weights) else biases[k]
        for k in range(len(weights))
    ]
    bias = sp.MatAdd(*terms) if len(terms) > 1 else terms[0]
    return weight, bias


def derive_linear_collapse(layers: int = 2) -> CollapseDerivation:
    """Stack `layers` affine layers without activations and prove they equal one."""
    if layers < 1:
        raise ValueError("need at least one layer")
    inputs, ones, weights, biases = layer_symbols(layers)
    stacked: sp.MatrixExpr = inputs
    for weight_k, bias_k in zip(weights, biases):
        stacked = stacked * weight_k + ones * bias_k
    weight, bias = collapsed_weight_and_bias(weights, biases)
    collapsed = inputs * weight + ones * bias
    difference = sp.expand(stacked - collapsed)
    return CollapseDerivation(layers, stacked, collapsed, weight, bias, difference)


def induction_step_holds() -> bool:
    """If N layers equal X W + 1 b, then N+1 layers equal X (W W') + 1 (b W' + b').

    W, b stand for the N-layer collapse; W', b' are the added layer. This,
    with the 1-layer base case, proves the closed form for every N.
    """
    batch, d_in, d_mid, d_out = sp.symbols("n d_in d_N d_out", integer=True, positive=True)
    inputs = sp.MatrixSymbol("X", batch, d_in)
    ones = sp.MatrixSymbol(r"\mathbf{1}", batch, 1)
    weight, bias = sp.MatrixSymbol("W", d_in, d_mid), sp.MatrixSymbol("b", 1, d_mid)
    next_weight, next_bias = sp.MatrixSymbol("W'", d_mid, d_out), sp.MatrixSymbol("b'", 1, d_out)
    one_more_layer = (inputs * weight + ones * bias) * next_weight + ones * next_bias
    claimed = inputs * (weight * next_weight) + ones * (bias * next_weight + next_bias)
    return _is_zero(sp.expand(one_more_layer - claimed))
