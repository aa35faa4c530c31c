"""The delta route against the full chain rule, inside SymPy.

The write-up's main path computes every gradient as delta_j * y_i; the full
chain-rule product per parameter (every path from the loss down to it) is
kept as the cross-reference. Both are SymPy evaluations at 30 digits of
different expressions, so their agreement checks the delta derivation.

Public API
----------
- ``compare_routes(by_delta, by_chain)`` -> the largest relative difference;
  raises ``VerificationError`` naming the parameter when the two disagree
  beyond float64 rounding (they are each rounded once from 30 digits).
- ``symbolic_route_mismatches(route)`` -> the parameters whose delta-route
  expression, unrolled down to the forward pass, does not expand to the
  chain rule's expression. Expansion grows with the number of chain-rule
  paths, so this is for small networks (the tests use it on several).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from hwsolve.derive.backprop_deltas import DeltaRoute, in_net_inputs, unrolled
from hwsolve.errors import VerificationError

# Both values are 30-digit SymPy results rounded once to float64.
RELATIVE_TOLERANCE = 1e-14
ABSOLUTE_TOLERANCE = 1e-25  # room for cancellation at 30 digits around an exact zero


def compare_routes(by_delta: Mapping[str, float], by_chain: Mapping[str, float]) -> float:
    if set(by_delta) != set(by_chain):
        raise VerificationError(
            f"the delta route and the chain rule cover different parameters: {sorted(by_delta)} vs {sorted(by_chain)}"
        )
    largest = 0.0
    for name, value in by_delta.items():
        other = by_chain[name]
        scale = max(abs(value), abs(other))
        difference = abs(value - other)
        if not difference <= RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE:  # also catches NaN
            raise VerificationError(
                f"the delta route and the chain rule disagree on dL/d{name}: {value!r} vs {other!r}"
            )
        largest = max(largest, difference / scale if scale else 0.0)
    return largest


def symbolic_route_mismatches(route: DeltaRoute) -> list[str]:
    derivation = route.derivation
    chain = {parameter.name: parameter.expression for parameter in derivation.parameters}
    return [
        gradient.name
        for gradient in route.gradients
        if sp.expand(unrolled(route, gradient.expression) - in_net_inputs(derivation, chain[gradient.name])) != 0
    ]
