"""Q3: one (or more) steps of backpropagation, derived in SymPy and checked by autograd.

Public API
----------
- ``solve_q3(problem=Q3Problem(), steps=1) -> Q3Solution``.
- ``Q3Solution``: the JSON output and the templates' context. JSON keys
  include ``loss``, ``outputs``, ``gradients``, ``autograd``,
  ``max_abs_diff``, ``updated`` and ``expressions`` (name -> LaTeX), all in
  full float64, plus ``neurons`` (the forward pass), ``deltas`` (neuron ->
  delta_j = dL/dnet_j), ``autograd_deltas``, ``delta_steps`` (each delta's
  derivation, output layer first), ``gradient_steps`` (each gradient as
  delta_j * y_i), ``derivations`` (each parameter's full chain rule, the
  cross-reference), ``loss_after_step`` (the loss at the updated
  parameters, by a forward pass), ``loss_history`` (the loss before each
  step and after the last) and ``final_parameters``.

The gradients are computed by deltas, output layer first (hwsolve.derive.
backprop_deltas); the full chain-rule product per parameter is evaluated
separately by SymPy and must agree (``route_max_rel_diff``).
``max_abs_diff`` is the largest SymPy-vs-autograd difference over every
checked quantity (loss, outputs, deltas, gradients, and the loss after the
last step); ``step_max_abs_diff`` per step.

Raises ``VerificationError`` when SymPy and autograd disagree by more than
1e-10 (relative for values above 1) anywhere, or the delta route and the chain rule disagree, and
``OverflowDetected`` (naming the quantity) when a value leaves float64's
range: checked before any comparison, so an overflow is never reported as a
disagreement.

This module solves and checks; the written steps the solution carries live
beside it, one module per part of the write-up: ``q3_forward`` (the forward
pass), ``q3_backward`` (the deltas and the gradients from them),
``q3_cross_reference`` (the full chain rule per parameter) and
``q3_chain`` (how a chain, a number or a substituted expression is written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp

from hwsolve.check.backprop_autograd import (
    TOLERANCE,
    AutogradResult,
    autograd_gradients,
    compare_loss,
    compare_with_autograd,
)
from hwsolve.check.backprop_routes import compare_routes
from hwsolve.check.finite import overflow_error, require_finite
from hwsolve.derive.backprop import (
    ForwardPass,
    GradientValue,
    NetworkDerivation,
    derive_gradients,
    evaluate_gradients,
    forward_pass,
)
from hwsolve.derive.backprop_activations import ACTIVATION_DERIVATIVE_LATEX, ACTIVATION_LATEX, ACTIVATION_WORDS
from hwsolve.derive.backprop_compiled import CompiledNetwork, CompiledStep, compile_network
from hwsolve.derive.backprop_deltas import DeltaRoute, DeltaValues, derive_deltas, evaluate_deltas
from hwsolve.problem.q3 import Q3Problem, parse_bias_name, parse_weight_name
from hwsolve.solutions import q3_chain as chain
from hwsolve.solutions.base import template_only
from hwsolve.solutions.q3_backward import (
    DeltaStep,
    GradientStep,
    OldWeight,
    delta_steps,
    gradient_steps,
    old_outgoing_weights,
)
from hwsolve.solutions.q3_cross_reference import ParameterStep, parameter_steps
from hwsolve.solutions.q3_forward import NeuronValue, neuron_values

__all__ = [
    "QUESTION",
    "QUESTION_NOTE",
    "DeltaStep",
    "GradientStep",
    "NeuronValue",
    "OldWeight",
    "ParameterStep",
    "Q3Solution",
    "solve_q3",
]

QUESTION = (
    "A fully connected network has inputs x1 = 0.35 and x2 = 0.9, hidden neurons 3 and 4 and output "
    "neuron 5, all with sigmoid activations and no biases. The weights are w13 = 0.1, w23 = 0.8, "
    "w14 = 0.4, w24 = 0.6, w35 = 0.3 and w45 = 0.9. With the loss L = (y - y5)^2, target y = 0.5 and "
    "learning rate 1, compute the forward pass, the gradient of the loss with respect to every weight "
    "by the chain rule, and the weights after one step of gradient descent."
)
QUESTION_NOTE = "Reconstructed from the given values; the target y = 0.5 is recovered from the published gradients."


@dataclass(frozen=True)
class Q3Solution:
    problem: Q3Problem
    question: str
    question_note: str
    is_homework: bool
    activation_latex: str
    loss_formula_latex: str
    loss_composed_latex: str
    loss_formula_text: str
    neurons: tuple[NeuronValue, ...]
    targets: tuple[tuple[str, str, float], ...]  # (text name, LaTeX name, value) per output neuron
    loss: float
    outputs: tuple[float, ...]
    gradients: dict[str, float]
    autograd: dict[str, float]
    autograd_loss: float
    autograd_outputs: tuple[float, ...]
    max_abs_diff: float
    tolerance: float
    updated: dict[str, float]
    expressions: dict[str, str]
    derivations: tuple[ParameterStep, ...]
    steps: int
    loss_history: tuple[float, ...]
    step_max_abs_diff: tuple[float, ...]
    final_parameters: dict[str, float] = field(default_factory=dict)
    # The delta route (output layer first) and the loss after the step.
    deltas: dict[int, float] = field(default_factory=dict)  # neuron -> dL/dnet_j, in neuron order
    autograd_deltas: dict[int, float] = field(default_factory=dict)
    delta_steps: tuple[DeltaStep, ...] = ()  # output layer first
    gradient_steps: tuple[GradientStep, ...] = ()  # in the deltas' order
    old_outgoing_weights: tuple[OldWeight, ...] = ()  # the weights the hidden deltas use, before the update
    route_max_rel_diff: float = 0.0  # delta route vs full chain rule, both SymPy
    loss_after_step: float = float("nan")  # forward pass at the parameters after the first step
    autograd_loss_after_step: float = float("nan")
    outputs_after_step: tuple[float, ...] = ()
    hidden_layers: tuple[tuple[int, ...], ...] = ()  # neuron numbers, for the question's wording
    output_neurons: tuple[int, ...] = ()
    activation_derivative_latex: str = ""
    loss_expression: sp.Expr | None = template_only(None)  # SymPy, for the substituted loss
    loss_symbol_values: dict[sp.Symbol, float] = template_only(default_factory=dict)
    loss_given_symbols: frozenset[sp.Symbol] = template_only(frozenset())  # the targets

    def loss_numbers_latex(self, digits: int) -> str:
        """The loss with the target and outputs substituted: (0.5 - 0.690283)^2."""
        return chain.substituted_latex(self._loss(), self.loss_symbol_values, digits, self.loss_given_symbols)

    def loss_numbers_text(self, digits: int) -> str:
        return chain.substituted_text(self._loss(), self.loss_symbol_values, digits, self.loss_given_symbols)

    def _loss(self) -> sp.Expr:
        if self.loss_expression is None:
            raise ValueError("this Q3Solution was built without its loss expression (templates need it)")
        return self.loss_expression

    @property
    def loss_change(self) -> float:
        """loss_after_step - loss: negative when the step lowered the loss."""
        return self.loss_after_step - self.loss

    @property
    def activation_words(self) -> str:
        """The activation in the question's words: ReLU, identity (linear)."""
        return ACTIVATION_WORDS[self.problem.activation]

    # The md and tex templates list the given parameters in two groups, the
    # biases apart from the weights; the split is made here, once, for both.
    @property
    def weight_steps(self) -> tuple[ParameterStep, ...]:
        """The weights' derivations, in canonical order."""
        return tuple(step for step in self.derivations if parse_weight_name(step.name) is not None)

    @property
    def bias_steps(self) -> tuple[ParameterStep, ...]:
        """The biases' derivations, in canonical order; empty without biases."""
        return tuple(step for step in self.derivations if parse_bias_name(step.name) is not None)


@dataclass(frozen=True)
class _FirstStep:
    """The first step at the given parameters, all SymPy at 30 digits, every number checked."""

    forward: ForwardPass
    by_delta: DeltaValues  # the gradients' main route
    by_chain: dict[str, GradientValue]  # the full chain rule, the cross-reference
    outputs: tuple[float, ...]
    reference: AutogradResult
    difference: float  # the largest SymPy-vs-autograd difference
    route_difference: float  # the largest relative delta-route-vs-chain-rule difference


@dataclass(frozen=True)
class _LossAfter:
    """The loss and outputs at the updated parameters (SymPy), and autograd's loss there."""

    loss: float
    outputs: tuple[float, ...]
    autograd_loss: float
    difference: float


@dataclass(frozen=True)
class _LaterSteps:
    """Steps 2..n on the compiled float64 network, each checked by autograd."""

    losses: tuple[float, ...] = ()  # the loss after each later step
    differences: tuple[float, ...] = ()  # per step, SymPy-compiled vs autograd
    last_difference: tuple[float, ...] = ()  # the loss after the last step vs autograd; empty with one step
    final: Q3Problem | None = None  # the problem at the last parameters; None: no later step


def _require_finite_step(
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


def _checked_autograd(problem: Q3Problem, where: str) -> AutogradResult:
    """torch autograd's float64 result for the problem, refused when it overflowed."""
    reference = autograd_gradients(problem)
    _require_finite_step(
        f"{where} (torch autograd, float64)", reference.loss, reference.outputs, reference.gradients, reference.deltas
    )
    return reference


def _first_step(derivation: NetworkDerivation, route: DeltaRoute, problem: Q3Problem) -> _FirstStep:
    """Forward pass, deltas and the full chain rule in SymPy, the two routes compared, then autograd (raises)."""
    forward = forward_pass(derivation, problem.x, problem.y, problem.parameters)
    by_delta = evaluate_deltas(route, forward)
    by_chain = evaluate_gradients(derivation, forward)
    outputs = tuple(forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    where = "in the SymPy forward and backward pass"
    _require_finite_step(where, float(forward.loss), outputs, by_delta.gradients, by_delta.deltas)
    require_finite({f"dL/d{name} by the chain rule": value.value for name, value in by_chain.items()}, where)
    route_difference = compare_routes(by_delta.gradients, {name: value.value for name, value in by_chain.items()})
    reference = _checked_autograd(problem, "in the first step")
    difference = compare_with_autograd(
        float(forward.loss), outputs, dict(by_delta.gradients), reference, TOLERANCE, deltas=by_delta.deltas
    )
    return _FirstStep(forward, by_delta, by_chain, outputs, reference, difference, route_difference)


def _descend(problem: Q3Problem, gradients: Mapping[str, float]) -> Q3Problem:
    parameters = {name: value - problem.lr * gradients[name] for name, value in problem.parameters.items()}
    require_finite(parameters, "in the updated parameters (w - lr * dL/dw)")
    weights = tuple((name, parameters[name]) for name in problem.weight_map)
    biases = tuple((name, parameters[name]) for name in problem.bias_map)
    return Q3Problem(
        problem.layers, problem.activation, problem.loss, problem.x, problem.y, problem.lr, weights, biases
    )


def _loss_after(derivation: NetworkDerivation, problem: Q3Problem) -> _LossAfter:
    """The loss and outputs at the problem's parameters by a SymPy forward pass, checked by autograd."""
    forward = forward_pass(derivation, problem.x, problem.y, problem.parameters)
    loss = float(forward.loss)
    outputs = tuple(forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    _require_finite_step("in the loss after the step", loss, outputs, {})
    reference = _checked_autograd(problem, "in the loss after the step")
    difference = compare_loss(loss, reference.loss, "the loss after the step")
    return _LossAfter(loss, outputs, reference.loss, difference)


def _compiled_step(compiled: CompiledNetwork, problem: Q3Problem, where: str) -> CompiledStep:
    """One float64 evaluation of the compiled network; plain Python floats raise OverflowError where torch gives inf."""
    try:
        step = compiled.step(problem.x, problem.y, problem.parameters)
    except OverflowError:
        raise overflow_error(where) from None
    _require_finite_step(where, step.loss, step.outputs, step.gradients, step.deltas)
    return step


def _later_steps(derivation: NetworkDerivation, start: Q3Problem, steps: int) -> _LaterSteps:
    """Steps 2..steps: the same SymPy deltas compiled to float64 (lambdify), autograd checking every step
    and the loss after the last one."""
    if steps < 2:
        return _LaterSteps()
    compiled = compile_network(derivation)
    losses, differences, current = [], [], start
    for number in range(2, steps + 1):
        where = f"in step {number}"
        step = _compiled_step(compiled, current, where)
        reference = _checked_autograd(current, where)
        differences.append(
            compare_with_autograd(step.loss, step.outputs, step.gradients, reference, TOLERANCE, deltas=step.deltas)
        )
        current = _descend(current, step.gradients)
        losses.append(_compiled_step(compiled, current, f"in the loss after step {number}").loss)
    last = _checked_autograd(current, "in the loss after the last step")
    last_difference = compare_loss(losses[-1], last.loss, "the loss after the last step")
    return _LaterSteps(tuple(losses), tuple(differences), (last_difference,), current)


def solve_q3(problem: Q3Problem | None = None, steps: int = 1) -> Q3Solution:
    """Forward pass, deltas and gradients, autograd check and `steps` descent steps."""
    problem = problem or Q3Problem()
    if steps < 1:
        raise ValueError("steps must be at least 1")
    derivation = derive_gradients(problem.layers, problem.activation, problem.loss, problem.has_biases)
    route = derive_deltas(derivation)
    first = _first_step(derivation, route, problem)
    next_problem = _descend(problem, first.by_delta.gradients)
    after = _loss_after(derivation, next_problem)
    later = _later_steps(derivation, next_problem, steps)
    return _solution(problem, steps, derivation, route, first, next_problem, after, later)


def _solution(
    problem: Q3Problem,
    steps: int,
    derivation: NetworkDerivation,
    route: DeltaRoute,
    first: _FirstStep,
    next_problem: Q3Problem,
    after: _LossAfter,
    later: _LaterSteps,
) -> Q3Solution:
    """Every number and every written step of the solution, for the JSON and the templates."""
    updated = next_problem.parameters
    derivation_steps = parameter_steps(derivation, first.by_chain, problem, updated)
    step_differences = (first.difference, *later.differences)
    latex, numbered, forward = derivation.latex, derivation.neuron_layers, first.forward
    return Q3Solution(
        problem=problem,
        question=QUESTION,
        question_note=QUESTION_NOTE,
        is_homework=problem == Q3Problem(),
        activation_latex=ACTIVATION_LATEX[problem.activation],
        loss_formula_latex=f"L = {latex(derivation.loss_expression)}",
        loss_composed_latex=f"L = {latex(derivation.loss_composed())}",
        loss_formula_text=f"L = {derivation.text(derivation.loss_expression)}",
        neurons=neuron_values(derivation, problem, forward),
        targets=tuple((str(t), derivation.latex_names[t], value) for t, value in zip(derivation.targets, problem.y)),
        loss=float(forward.loss),
        outputs=first.outputs,
        gradients=dict(first.by_delta.gradients),
        autograd=first.reference.gradients,
        autograd_loss=first.reference.loss,
        autograd_outputs=first.reference.outputs,
        max_abs_diff=max((*step_differences, first.difference, after.difference, *later.last_difference)),
        tolerance=TOLERANCE,
        updated=updated,
        expressions={step.name: step.expression_latex for step in derivation_steps},
        derivations=derivation_steps,
        steps=steps,
        loss_history=(float(forward.loss), after.loss, *later.losses),
        step_max_abs_diff=step_differences,
        final_parameters=(later.final or next_problem).parameters,
        deltas=dict(first.by_delta.deltas),
        autograd_deltas=dict(first.reference.deltas),
        delta_steps=delta_steps(route, forward, first.by_delta),
        gradient_steps=gradient_steps(route, forward, first.by_delta),
        old_outgoing_weights=old_outgoing_weights(route, problem),
        route_max_rel_diff=first.route_difference,
        loss_after_step=after.loss,
        autograd_loss_after_step=after.autograd_loss,
        outputs_after_step=after.outputs,
        hidden_layers=tuple(numbered[1:-1]),
        output_neurons=tuple(numbered[-1]),
        activation_derivative_latex=ACTIVATION_DERIVATIVE_LATEX[problem.activation],
        loss_expression=derivation.loss_expression,
        loss_symbol_values={
            symbol: float(forward.values[symbol]) for symbol in derivation.loss_expression.free_symbols
        },
        loss_given_symbols=frozenset(derivation.targets),
    )
