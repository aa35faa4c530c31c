"""Q3 over a mini-batch: each sample's forward and backward pass, then the mean the update uses.

The loss of a mini-batch is the mean of the samples' losses, so every
gradient is the mean of the samples' gradients. Each sample is solved on its
own, exactly as a single sample is: its forward pass, its deltas (of its own
loss, output layer first), its gradients delta_j * y_i and, where the network
is small enough, the full chain rule as the cross-reference. The means are
taken at 30 digits and rounded to float64 once. One sample is a batch of one,
and its mean is itself.

Public API
----------
- ``SampleNumbers``, ``solve_sample(derivation, route, x, y, parameters)``:
  one sample's SymPy values, both routes compared.
- ``mean_loss(samples)``, ``mean_gradients(samples)``: the batch's loss and
  gradients, rounded once.
- ``SampleSolution``, ``written_sample(...)``: one sample as the write-up
  shows it (forward pass, loss, deltas, gradients, chain rule).
- ``MeanGradient``, ``mean_gradient_steps(...)``: each gradient per sample,
  then averaged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from hwsolve.check.backprop_routes import compare_routes
from hwsolve.check.finite import require_finite
from hwsolve.derive.backprop import (
    ForwardPass,
    GradientValue,
    NetworkDerivation,
    evaluate_gradients,
    forward_pass,
)
from hwsolve.derive.backprop_deltas import DeltaRoute, DeltaValues, evaluate_deltas
from hwsolve.problem.q3 import Q3Problem
from hwsolve.solutions import q3_chain as chain
from hwsolve.solutions.base import template_only
from hwsolve.solutions.q3_backward import DeltaStep, GradientStep, delta_steps, gradient_steps
from hwsolve.solutions.q3_cross_reference import ParameterStep, chain_rule_shown, parameter_steps
from hwsolve.solutions.q3_forward import NeuronValue, neuron_values


@dataclass(frozen=True)
class SampleNumbers:
    """One sample's first step, all SymPy at 30 digits."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    forward: ForwardPass
    by_delta: DeltaValues  # the gradients' main route, of this sample's own loss
    by_chain: dict[str, GradientValue]  # the full chain rule; {} when the network has too many paths
    outputs: tuple[float, ...]
    route_difference: float  # the largest relative delta-route-vs-chain-rule difference (0 without one)


def require_finite_step(
    where: str,
    loss: float,
    outputs: Sequence[float],
    gradients: Mapping[str, float],
    deltas: Mapping[int, float] | None = None,
) -> None:
    """An overflow in one evaluation (loss, outputs, deltas, gradients) is named, never compared."""
    values = {"the loss": loss, **{f"output {index + 1}": value for index, value in enumerate(outputs)}}
    values.update({f"delta{neuron}": value for neuron, value in (deltas or {}).items()})
    values.update({f"dL/d{name}": value for name, value in gradients.items()})
    require_finite(values, where)


def solve_sample(
    derivation: NetworkDerivation,
    route: DeltaRoute,
    sample: tuple[tuple[float, ...], tuple[float, ...]],
    parameters: Mapping[str, float],
    where: str,
) -> SampleNumbers:
    """Forward pass, deltas and (where there is one) the full chain rule in SymPy, the two routes compared."""
    x, y = sample
    forward = forward_pass(derivation, x, y, parameters)
    by_delta = evaluate_deltas(route, forward)
    outputs = tuple(forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    require_finite_step(where, float(forward.loss), outputs, by_delta.gradients, by_delta.deltas)
    by_chain = evaluate_gradients(derivation, forward)
    route_difference = 0.0
    if by_chain:
        require_finite({f"dL/d{name} by the chain rule": value.value for name, value in by_chain.items()}, where)
        route_difference = compare_routes(by_delta.gradients, {name: value.value for name, value in by_chain.items()})
    return SampleNumbers(x, y, forward, by_delta, by_chain, outputs, route_difference)


def mean_loss(samples: Sequence[SampleNumbers]) -> float:
    return float(sp.Add(*[sample.forward.loss for sample in samples]) / len(samples))


def mean_gradients(samples: Sequence[SampleNumbers]) -> dict[str, float]:
    """Each parameter's gradient of the mean loss: the samples' gradients averaged at 30 digits."""
    names = samples[0].by_delta.exact_gradients
    count = sp.Integer(len(samples))
    return {
        name: float(sp.Add(*[sample.by_delta.exact_gradients[name] for sample in samples]) / count) for name in names
    }


def mean_deltas(samples: Sequence[SampleNumbers]) -> dict[int, float]:
    """Each neuron's delta averaged over the samples at 30 digits: the gradient of the mean loss with respect to
    its bias, to the last bit."""
    count = sp.Integer(len(samples))
    return {
        j: float(sp.Add(*[sample.by_delta.exact_deltas[j] for sample in samples]) / count)
        for j in samples[0].by_delta.exact_deltas
    }


LOSS_TERMS_PER_ROW = 3  # a cross-entropy term with its numbers is about a third of a display row


@dataclass(frozen=True)
class SampleSolution:
    """One sample as the write-up shows it."""

    index: int  # 1, 2, ...
    x: tuple[float, ...]
    y: tuple[float, ...]
    neurons: tuple[NeuronValue, ...]
    targets: tuple[tuple[str, str, float], ...]  # (text name, LaTeX name, value) per output neuron
    loss: float  # this sample's own loss
    outputs: tuple[float, ...]
    deltas: dict[int, float]
    gradients: dict[str, float]  # of this sample's own loss
    delta_steps: tuple[DeltaStep, ...]
    gradient_steps: tuple[GradientStep, ...]
    derivations: tuple[ParameterStep, ...]  # the full chain rule, () where the network has none
    route_max_rel_diff: float
    loss_expression: sp.Expr | None = template_only(None)
    loss_symbol_values: dict[sp.Symbol, float] = template_only(default_factory=dict)
    loss_given_symbols: frozenset[sp.Symbol] = template_only(frozenset())

    def loss_numbers_text(self, digits: int) -> str:
        return chain.substituted_text(self._loss(), self.loss_symbol_values, digits, self.loss_given_symbols)

    def loss_rows_latex(self, digits: int) -> tuple[str, ...]:
        """The loss with its numbers as rows of an aligned display: three outputs to a row."""
        return chain.sum_rows_latex(
            self._loss(),
            lambda term: chain.substituted_latex(term, self.loss_symbol_values, digits, self.loss_given_symbols),
            LOSS_TERMS_PER_ROW,
        )

    def _loss(self) -> sp.Expr:
        if self.loss_expression is None:
            raise ValueError("this SampleSolution was built without its loss expression (templates need it)")
        return self.loss_expression


def written_sample(
    derivation: NetworkDerivation,
    route: DeltaRoute,
    problem: Q3Problem,
    numbers: SampleNumbers,
    index: int,
    updated: Mapping[str, float],
) -> SampleSolution:
    """Every written step of one sample: the forward pass, the loss, the deltas, the gradients, the chain rule.

    The chain rule is written out for the first sample only, where it is
    short enough to read (``chain_rule_shown``); every sample's is checked.
    """
    forward = numbers.forward
    shown = index == 1 and bool(numbers.by_chain) and chain_rule_shown(derivation)
    return SampleSolution(
        index=index,
        x=numbers.x,
        y=numbers.y,
        neurons=neuron_values(derivation, problem, forward),
        targets=tuple((str(t), derivation.latex_names[t], value) for t, value in zip(derivation.targets, numbers.y)),
        loss=float(forward.loss),
        outputs=numbers.outputs,
        deltas=dict(numbers.by_delta.deltas),
        gradients=dict(numbers.by_delta.gradients),
        delta_steps=delta_steps(route, forward, numbers.by_delta),
        gradient_steps=gradient_steps(route, forward, numbers.by_delta),
        derivations=parameter_steps(derivation, numbers.by_chain, problem, updated) if shown else (),
        route_max_rel_diff=numbers.route_difference,
        loss_expression=derivation.loss_expression,
        loss_symbol_values={
            symbol: float(forward.values[symbol]) for symbol in derivation.loss_expression.free_symbols
        },
        loss_given_symbols=frozenset(derivation.targets),
    )


@dataclass(frozen=True)
class MeanGradient:
    """dL/dparameter of a mini-batch: each sample's gradient, then their mean."""

    name: str
    latex_name: str
    per_sample: tuple[float, ...]
    value: float

    def numbers_text(self, digits: int) -> str:
        summed = " + ".join(chain.number_text(value, digits) for value in self.per_sample)
        return f"({summed}) / {len(self.per_sample)}"

    def numbers_rows_latex(self, digits: int) -> tuple[str, ...]:
        """numbers_latex as rows of an aligned display: 1/n (a + b + ...), six samples to a row, past four."""
        return mean_rows_latex(self.per_sample, digits)


MEAN_FRACTION_SAMPLES = 4  # up to this many samples the mean is one fraction; beyond, 1/n times rows of a sum
MEAN_TERMS_PER_ROW = 5


def mean_rows_latex(values: Sequence[float], digits: int) -> tuple[str, ...]:
    """The mean of computed values as rows: (a + b) / n as one fraction, or 1/n (a + b + ...) cut into rows."""
    terms = [chain.number_latex(value, digits) for value in values]
    if len(terms) <= MEAN_FRACTION_SAMPLES:
        return (rf"\frac{{{' + '.join(terms)}}}{{{len(terms)}}}",)
    return chain.wrapped_sum_latex(rf"\frac{{1}}{{{len(terms)}}} ", terms, MEAN_TERMS_PER_ROW, bracketed=True)


def mean_gradient_steps(
    derivation: NetworkDerivation, samples: Sequence[SampleSolution], means: Mapping[str, float]
) -> tuple[MeanGradient, ...]:
    return tuple(
        MeanGradient(
            name,
            derivation.latex_names[symbol],
            tuple(sample.gradients[name] for sample in samples),
            means[name],
        )
        for name, symbol in derivation.parameter_symbols.items()
    )
