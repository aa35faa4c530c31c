"""Fast float64 evaluation of a NetworkDerivation, for many descent steps.

``evaluate_gradients`` substitutes into every factor at 30 digits, which is
right for the step a person reads but takes tens of milliseconds. For
``--steps N`` the same SymPy expressions (the net inputs, the activations,
the loss and each parameter's whole chain-rule expression) are compiled once
with ``lambdify`` into plain Python float functions.

Public API: ``compile_network(derivation)`` -> ``CompiledNetwork``; calling it
with (x, y, parameters) returns (loss, outputs, gradients by name).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping, Sequence

import sympy as sp

from hwsolve.derive.backprop import NetworkDerivation, derive_gradients, given_values


def _sigmoid(z: float) -> float:
    # Two branches so that exp never overflows for large |z|.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


_FLOAT_FUNCTIONS = {
    "sigmoid": _sigmoid,
    "relu": lambda z: z if z > 0 else 0.0,
    "relu_step": lambda z: 1.0 if z > 0 else 0.0,
}


@dataclass(frozen=True)
class CompiledNetwork:
    derivation: NetworkDerivation
    symbols: tuple[sp.Symbol, ...]  # argument order of every compiled function
    nets: tuple[tuple[int, Callable], ...]  # (neuron, net input), layer by layer
    activations: tuple[tuple[int, Callable], ...]
    loss: Callable
    gradients: tuple[tuple[str, Callable], ...]

    def __call__(
        self, x: Sequence[float], y: Sequence[float], parameters: Mapping[str, float]
    ) -> tuple[float, tuple[float, ...], dict[str, float]]:
        d = self.derivation
        values = given_values(d, x, y, parameters, float)
        for (neuron, net), (_, act) in zip(self.nets, self.activations):
            values[d.net_symbols[neuron]] = float(net(*self._args(values)))
            values[d.output_symbols[neuron]] = float(act(*self._args(values)))
        args = self._args(values)
        outputs = tuple(values[d.output_symbols[k]] for k in d.neuron_layers[-1])
        return float(self.loss(*args)), outputs, {name: float(f(*args)) for name, f in self.gradients}

    def _args(self, values: Mapping[sp.Symbol, float]) -> list[float]:
        return [values.get(symbol, 0.0) for symbol in self.symbols]


def compile_network(derivation: NetworkDerivation) -> CompiledNetwork:
    """lambdify every expression of the derivation over one shared argument list (cached per shape)."""
    d = derivation
    return _compile(d.layers, d.activation, d.loss, d.with_biases)


@lru_cache(maxsize=64)
def _compile(layers: tuple[int, ...], activation: str, loss: str, with_biases: bool) -> CompiledNetwork:
    d = derive_gradients(layers, activation, loss, with_biases)
    symbols = (*d.inputs, *d.targets, *d.parameter_symbols.values(), *d.net_symbols.values())
    symbols += tuple(d.output_symbols[j] for j in d.net_symbols)

    def compile_one(expression: sp.Expr) -> Callable:
        return sp.lambdify(symbols, expression, modules=[_FLOAT_FUNCTIONS, "math"])

    order = [j for layer in d.neuron_layers[1:] for j in layer]
    return CompiledNetwork(
        derivation=d,
        symbols=symbols,
        nets=tuple((j, compile_one(d.net_expressions[j])) for j in order),
        activations=tuple((j, compile_one(d.activation_expressions[j])) for j in order),
        loss=compile_one(d.loss_expression),
        gradients=tuple((p.name, compile_one(p.expression)) for p in d.parameters),
    )
