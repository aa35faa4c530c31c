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


def _leaky_relu(z: float, slope: float) -> float:
    return z if z > 0 else slope * z


def _leaky_relu_step(z: float, slope: float) -> float:
    return 1.0 if z > 0 else slope  # the slope at z = 0, as torch


def _softplus(z: float) -> float:
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|)."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _logsumexp(*values: float) -> float:
    top = max(values)
    return top + math.log(math.fsum(math.exp(value - top) for value in values))


class softplus(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """log(1 + e^z), compiled to _softplus: log sigmoid(z) = -softplus(-z), log(1 - sigmoid(z)) = -softplus(z)."""


class logsumexp(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """log sum_m e^{z_m}, compiled to _logsumexp: log softmax(z)_k = z_k - logsumexp(z)."""


# lambdify's names for the SymPy functions of backprop_activations, as floats.
_FLOAT_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sigmoid": _sigmoid,
    "relu": lambda z: z if z > 0 else 0.0,
    "relu_step": lambda z: 1.0 if z > 0 else 0.0,
    "softplus": _softplus,
    "logsumexp": _logsumexp,
    "leaky_relu": _leaky_relu,
    "leaky_relu_step": _leaky_relu_step,
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
    nets: Mapping[int, CompiledFunction]  # neuron -> its net input
    activations: Mapping[int, CompiledFunction]  # neuron -> its output
    loss: CompiledFunction
    deltas: tuple[tuple[int, CompiledFunction], ...]  # (neuron, delta), output layer first

    def step(self, x: Sequence[float], y: Sequence[float], parameters: Mapping[str, float]) -> CompiledStep:
        d = self.derivation
        values = given_values(d, x, y, parameters, float)
        for layer in d.neuron_layers[1:]:  # every net input of a layer before its outputs (softmax needs them all)
            for neuron in layer:
                values[d.net_symbols[neuron]] = float(self.nets[neuron](*self._args(values)))
            for neuron in layer:
                values[d.output_symbols[neuron]] = float(self.activations[neuron](*self._args(values)))
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
    return _compile(d.layers, d.activations, d.loss, d.with_biases)


@lru_cache(maxsize=64)
def _compile(layers: tuple[int, ...], activations: tuple[str, ...], loss: str, with_biases: bool) -> CompiledNetwork:
    d = derive_gradients(layers, activations, loss, with_biases)
    route = derive_deltas(d)
    symbols = (*d.inputs, *d.targets, *d.parameter_symbols.values(), *d.net_symbols.values())
    symbols += tuple(d.output_symbols[j] for j in d.net_symbols)
    symbols += tuple(route.delta_symbols.values())

    def compile_one(expression: sp.Expr) -> CompiledFunction:
        function: CompiledFunction = sp.lambdify(symbols, expression, modules=[_FLOAT_FUNCTIONS, "math"])
        return function

    order = [j for layer in d.neuron_layers[1:] for j in layer]
    outputs = float_activations(d)
    # A proven y_j - t_j is the same delta without bce's division by y_j (1 - y_j), which a saturated
    # output makes 0 in float64.
    deltas = tuple(
        (delta.neuron, compile_one(delta.expression if delta.simplified is None else delta.simplified))
        for delta in route.deltas
    )
    return CompiledNetwork(
        derivation=d,
        route=route,
        symbols=symbols,
        nets={j: compile_one(d.net_expressions[j]) for j in order},
        activations={j: compile_one(outputs[j]) for j in order},
        loss=compile_one(float_loss(d)),
        deltas=deltas,
    )


def float_activations(d: NetworkDerivation) -> dict[int, sp.Expr]:
    """Each neuron's output for float64: a softmax layer shifted by its largest net input (the same function,
    without e^O overflowing for a large O)."""
    expressions = dict(d.activation_expressions)
    if d.softmax_output:
        nets = [d.net_symbols[k] for k in d.neuron_layers[-1]]
        top = sp.Max(*nets)
        total = sp.Add(*[sp.exp(net - top) for net in nets])
        expressions.update({k: sp.exp(net - top) / total for k, net in zip(d.neuron_layers[-1], nets)})
    return expressions


def float_loss(d: NetworkDerivation) -> sp.Expr:
    """The loss for float64: log y and log(1 - y) of a sigmoid or softmax output taken from its net inputs.

    A saturated sigmoid is 1.0 in float64, and log(1 - 1.0) fails where log(1 - sigmoid(O)) = -softplus(O)
    does not; the loss is the same function of the net inputs.
    """
    if d.loss not in ("cross_entropy", "bce") or d.activations[-1] not in ("sigmoid", "softmax"):
        return d.loss_expression
    layer = d.neuron_layers[-1]
    nets = [d.net_symbols[k] for k in layer]
    if d.activations[-1] == "sigmoid":
        log_y = [-softplus(-net) for net in nets]
        log_not_y = [-softplus(net) for net in nets]
    else:
        total = logsumexp(*nets)
        log_y = [net - total for net in nets]
        log_not_y = [sp.log(1 - d.output_symbols[k]) for k in layer]
    terms = [t * log for t, log in zip(d.targets, log_y)]
    if d.loss == "bce":
        terms += [(1 - t) * log for t, log in zip(d.targets, log_not_y)]
    return -sp.Add(*terms)
