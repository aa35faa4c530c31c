"""Fast float64 evaluation of a NetworkDerivation, for many descent steps.

``evaluate_deltas`` substitutes into every factor at 30 digits, which is
right for the step a person reads but takes tens of milliseconds. For
``--steps N`` the same SymPy expressions (the net inputs, the activations,
the loss and each neuron's delta, output layer first) are compiled once
with ``lambdify`` into plain Python float functions; each gradient is then
delta_j * y_i (delta_j for a bias), as in the write-up.

Public API: ``compile_network(derivation)`` -> ``CompiledNetwork``; calling it
with (x, y, parameters) returns (loss, outputs, gradients by name), and
``.step(x, y, parameters)`` returns a ``CompiledStep`` that has the deltas too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from hwsolve.derive.backprop import NetworkDerivation, derive_gradients, given_values
from hwsolve.derive.backprop_deltas import DeltaRoute, derive_deltas


def _sigmoid(z: float) -> float:
    # Two branches so that exp never overflows for large |z|.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# lambdify's names for the SymPy functions of backprop_activations, as floats.
_FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": _sigmoid,
    "relu": lambda z: z if z > 0 else 0.0,
    "relu_step": lambda z: 1.0 if z > 0 else 0.0,
}


# A lambdified expression: the shared argument list in, one float out.
CompiledFunction = Callable[..., float]


@dataclass(frozen=True)
class CompiledStep:
    loss: float
    outputs: tuple[float, ...]
    gradients: dict[str, float]  # canonical parameter order
    deltas: dict[int, float]  # neuron -> dL/dnet_j, in neuron order


@dataclass(frozen=True)
class CompiledNetwork:
    derivation: NetworkDerivation
    route: DeltaRoute
    symbols: tuple[sp.Symbol, ...]  # argument order of every compiled function
    nets: tuple[tuple[int, CompiledFunction], ...]  # (neuron, net input), layer by layer
    activations: tuple[tuple[int, CompiledFunction], ...]
    loss: CompiledFunction
    deltas: tuple[tuple[int, CompiledFunction], ...]  # (neuron, delta), output layer first

    def step(self, x: Sequence[float], y: Sequence[float], parameters: Mapping[str, float]) -> CompiledStep:
        d = self.derivation
        values = given_values(d, x, y, parameters, float)
        for (neuron, net), (_, act) in zip(self.nets, self.activations):
            values[d.net_symbols[neuron]] = float(net(*self._args(values)))
            values[d.output_symbols[neuron]] = float(act(*self._args(values)))
        loss = float(self.loss(*self._args(values)))
        deltas: dict[int, float] = {}
        for neuron, delta in self.deltas:  # each reads the deltas of the layer above, already in `values`
            deltas[neuron] = values[self.route.delta_symbols[neuron]] = float(delta(*self._args(values)))
        by_delta = {
            g.name: deltas[g.neuron] * (values[d.output_symbols[g.source]] if g.source is not None else 1.0)
            for g in self.route.gradients
        }
        outputs = tuple(values[d.output_symbols[k]] for k in d.neuron_layers[-1])
        return CompiledStep(
            loss,
            outputs,
            {name: by_delta[name] for name in d.parameter_symbols},
            {j: deltas[j] for j in sorted(deltas)},
        )

    def __call__(
        self, x: Sequence[float], y: Sequence[float], parameters: Mapping[str, float]
    ) -> tuple[float, tuple[float, ...], dict[str, float]]:
        result = self.step(x, y, parameters)
        return result.loss, result.outputs, result.gradients

    def _args(self, values: Mapping[sp.Symbol, float]) -> list[float]:
        return [values.get(symbol, 0.0) for symbol in self.symbols]


def compile_network(derivation: NetworkDerivation) -> CompiledNetwork:
    """lambdify every expression of the derivation over one shared argument list (cached per shape)."""
    d = derivation
    return _compile(d.layers, d.activation, d.loss, d.with_biases)


@lru_cache(maxsize=64)
def _compile(layers: tuple[int, ...], activation: str, loss: str, with_biases: bool) -> CompiledNetwork:
    d = derive_gradients(layers, activation, loss, with_biases)
    route = derive_deltas(d)
    symbols = (*d.inputs, *d.targets, *d.parameter_symbols.values(), *d.net_symbols.values())
    symbols += tuple(d.output_symbols[j] for j in d.net_symbols)
    symbols += tuple(route.delta_symbols.values())

    def compile_one(expression: sp.Expr) -> CompiledFunction:
        function: CompiledFunction = sp.lambdify(symbols, expression, modules=[_FLOAT_FUNCTIONS, "math"])
        return function

    order = [j for layer in d.neuron_layers[1:] for j in layer]
    return CompiledNetwork(
        derivation=d,
        route=route,
        symbols=symbols,
        nets=tuple((j, compile_one(d.net_expressions[j])) for j in order),
        activations=tuple((j, compile_one(d.activation_expressions[j])) for j in order),
        loss=compile_one(d.loss_expression),
        deltas=tuple((delta.neuron, compile_one(delta.expression)) for delta in route.deltas),
    )
