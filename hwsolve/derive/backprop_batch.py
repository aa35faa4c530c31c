"""One step of backpropagation for many networks of one shape at once: numpy arrays over the networks.

A course gives every student a variant of the same network (other weights,
inputs, target, learning rate). The SymPy derivation is per shape, so it is
derived once and each expression (the net inputs, the activations, the loss,
each neuron's delta, output layer first) is compiled with ``lambdify`` into a
numpy function of arrays: row v of every array is variant v. Each gradient
is then delta_j * y_i (delta_j for a bias), as in the write-up and in
hwsolve.derive.backprop_compiled, whose float64 forms (a shifted softmax, the
probability losses from the net inputs, a proven y - t) this module shares.

Public API: ``evaluate_batch(derivation, x, y, parameters)`` -> ``BatchStep``,
one sample per network: ``x`` is (networks, inputs), ``y`` (networks,
outputs), ``parameters`` a 1-D array per parameter name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import sympy as sp

from hwsolve.derive.backprop import NetworkDerivation, derive_gradients
from hwsolve.derive.backprop_compiled import float_activations, float_loss
from hwsolve.derive.backprop_deltas import DeltaRoute, derive_deltas

Array = npt.NDArray[np.float64]


def _sigmoid(z: Array) -> Array:
    # e^-|z| never overflows; the two branches are the same function.
    e = np.exp(-np.abs(z))
    return np.asarray(np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def _softplus(z: Array) -> Array:
    return np.asarray(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))), dtype=np.float64)


def _logsumexp(*values: Array) -> Array:
    stacked = np.stack(np.broadcast_arrays(*values))
    top = stacked.max(axis=0)
    return np.asarray(top + np.log(np.exp(stacked - top).sum(axis=0)), dtype=np.float64)


# lambdify's names for hwsolve's SymPy functions, as numpy functions of arrays.
_NUMPY_FUNCTIONS: dict[str, Callable[..., Array]] = {
    "sigmoid": _sigmoid,
    "relu": lambda z: np.maximum(z, 0.0),
    "relu_step": lambda z: np.where(z > 0, 1.0, 0.0),
    "leaky_relu": lambda z, slope: np.where(z > 0, z, slope * z),
    "leaky_relu_step": lambda z, slope: np.where(z > 0, 1.0, slope),
    "softplus": _softplus,
    "logsumexp": _logsumexp,
}


@dataclass(frozen=True)
class BatchStep:
    """Every network's forward pass, loss, deltas and gradients; each array has one entry per network."""

    nets: dict[int, Array]  # neuron -> net input
    outputs: dict[int, Array]  # neuron -> output (the inputs included, as y_i = x_i)
    loss: Array
    deltas: dict[int, Array]  # neuron -> dL/dnet_j
    gradients: dict[str, Array]  # parameter -> delta_j * y_i, in canonical order


@dataclass(frozen=True)
class _Compiled:
    derivation: NetworkDerivation
    route: DeltaRoute
    symbols: tuple[sp.Symbol, ...]
    functions: dict[sp.Symbol, Callable[..., Array]]  # symbol computed -> its function of every symbol
    loss: Callable[..., Array]


@lru_cache(maxsize=16)
def _compile(layers: tuple[int, ...], activations: tuple[str, ...], loss: str) -> _Compiled:
    d = derive_gradients(layers, activations, loss)
    route = derive_deltas(d)
    symbols = (*d.inputs, *d.targets, *d.parameter_symbols.values(), *d.net_symbols.values())
    symbols += (*(d.output_symbols[j] for j in d.net_symbols), *route.delta_symbols.values())

    def compile_one(expression: sp.Expr) -> Callable[..., Array]:
        function: Callable[..., Array] = sp.lambdify(symbols, expression, modules=[_NUMPY_FUNCTIONS, "numpy"])
        return function

    outputs = float_activations(d)
    functions = {d.net_symbols[j]: compile_one(d.net_expressions[j]) for j in d.net_symbols}
    functions.update({d.output_symbols[j]: compile_one(outputs[j]) for j in d.net_symbols})
    functions.update(
        {
            route.delta_symbols[delta.neuron]: compile_one(
                delta.expression if delta.simplified is None else delta.simplified
            )
            for delta in route.deltas
        }
    )
    return _Compiled(d, route, symbols, functions, compile_one(float_loss(d)))


def evaluate_batch(derivation: NetworkDerivation, x: Array, y: Array, parameters: Mapping[str, Array]) -> BatchStep:
    """The forward pass, the loss, the deltas (output layer first) and the gradients of every network."""
    if derivation.with_biases:
        raise ValueError("evaluate_batch handles networks without biases (the variants' shape)")
    compiled = _compile(derivation.layers, derivation.activations, derivation.loss)
    d, route = compiled.derivation, compiled.route
    count = x.shape[0]
    values: dict[sp.Symbol, Array] = {symbol: np.zeros(count) for symbol in compiled.symbols}
    values.update({symbol: x[:, index] for index, symbol in enumerate(d.inputs)})
    values.update({symbol: y[:, index] for index, symbol in enumerate(d.targets)})
    values.update(
        {symbol: np.asarray(parameters[name], dtype=np.float64) for name, symbol in d.parameter_symbols.items()}
    )

    def evaluate(symbol: sp.Symbol) -> Array:
        result = np.broadcast_to(compiled.functions[symbol](*(values[s] for s in compiled.symbols)), (count,))
        values[symbol] = np.asarray(result, dtype=np.float64)
        return values[symbol]

    for layer in d.neuron_layers[1:]:  # every net input of a layer before its outputs (softmax needs them all)
        for j in layer:
            evaluate(d.net_symbols[j])
        for j in layer:
            evaluate(d.output_symbols[j])
    loss = np.asarray(compiled.loss(*(values[s] for s in compiled.symbols)), dtype=np.float64)
    deltas = {delta.neuron: evaluate(route.delta_symbols[delta.neuron]) for delta in route.deltas}
    by_delta = {
        g.name: deltas[g.neuron] * (values[d.output_symbols[g.source]] if g.source is not None else 1.0)
        for g in route.gradients
    }
    return BatchStep(
        nets={j: values[symbol] for j, symbol in d.net_symbols.items()},
        outputs={j: values[symbol] for j, symbol in d.output_symbols.items()},
        loss=np.broadcast_to(loss, (count,)).copy(),
        deltas={j: deltas[j] for j in sorted(deltas)},
        gradients={name: by_delta[name] for name in d.parameter_symbols},
    )
