"""Q3: one (or more) steps of backpropagation, derived in SymPy and checked by autograd.

Public API
----------
- ``solve_q3(problem=Q3Problem(), steps=1) -> Q3Solution``.
- ``Q3Solution``: the JSON output and the templates' context. JSON keys
  include ``problem`` (with ``activations``, one per non-input layer, and
  ``samples``), ``loss``, ``outputs``, ``gradients``, ``autograd``,
  ``max_abs_diff``, ``updated`` and ``expressions`` (name -> LaTeX), all in
  full float64, plus ``neurons`` (the forward pass), ``deltas`` (neuron ->
  delta_j = dL/dnet_j), ``autograd_deltas``, ``delta_steps`` (each delta's
  derivation, output layer first), ``gradient_steps`` (each gradient as
  delta_j * y_i), ``derivations`` (each parameter's full chain rule, the
  cross-reference), ``loss_after_step`` (the loss at the updated
  parameters, by a forward pass), ``loss_history`` (the loss before each
  step and after the last) and ``final_parameters``. With several samples
  (a mini-batch) the loss is their mean and the gradients the mean of
  theirs; ``outputs`` is then one list per sample, ``deltas`` the mean of
  the samples' deltas, and the JSON adds ``per_sample_gradients``,
  ``deltas_per_sample`` (each of that sample's own loss),
  ``autograd_deltas_per_sample``, ``sample_losses`` and ``samples`` (each
  sample's written steps).

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
beside it, one module per part of the write-up: ``q3_samples`` (each
sample of a mini-batch, and their means), ``q3_forward`` (the forward
pass), ``q3_backward`` (the deltas and the gradients from them),
``q3_cross_reference`` (the full chain rule per parameter), ``q3_layers``
(each layer's activation in words) and ``q3_chain`` (how a chain, a number
or a substituted expression is written).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from hwsolve.check.backprop_autograd import (
    TOLERANCE,
    AutogradResult,
    PerSample,
    autograd_gradients,
    compare_loss,
    compare_with_autograd,
)
from hwsolve.check.finite import overflow_error, require_finite
from hwsolve.derive.backprop import (
    MAX_CROSS_REFERENCE_PATHS,
    NetworkDerivation,
    cross_reference_paths,
    derive_gradients,
    forward_pass,
)
from hwsolve.derive.backprop_compiled import CompiledNetwork, CompiledStep, compile_network
from hwsolve.derive.backprop_deltas import DeltaRoute, derive_deltas
from hwsolve.i18n import N_, _
from hwsolve.numbers import format_number
from hwsolve.problem.q3 import Q3Problem, parse_bias_name, parse_weight_name
from hwsolve.solutions import q3_chain as chain
from hwsolve.solutions.base import template_only
from hwsolve.solutions.q3_backward import DeltaStep, GradientStep, OldWeight, old_outgoing_weights
from hwsolve.solutions.q3_chain import sum_rows_latex
from hwsolve.solutions.q3_cross_reference import ParameterStep, written_expressions
from hwsolve.solutions.q3_forward import NeuronValue
from hwsolve.solutions.q3_layers import LayerActivation, layer_activations
from hwsolve.solutions.q3_samples import (
    LOSS_TERMS_PER_ROW,
    MeanGradient,
    SampleNumbers,
    SampleSolution,
    mean_deltas,
    mean_gradient_steps,
    mean_gradients,
    mean_loss,
    mean_rows_latex,
    require_finite_step,
    solve_sample,
    written_sample,
)

__all__ = [
    "QUESTION",
    "QUESTION_NOTE",
    "DeltaStep",
    "GradientStep",
    "LayerActivation",
    "MeanGradient",
    "NeuronValue",
    "OldWeight",
    "ParameterStep",
    "ParameterUpdate",
    "Q3Solution",
    "SampleSolution",
    "solve_q3",
]

# JSON keys that only a mini-batch has: one sample's JSON stays as it was.
BATCH_ONLY_KEYS = (
    "per_sample_gradients",
    "deltas_per_sample",
    "autograd_deltas_per_sample",
    "sample_losses",
    "samples",
)

# The loss as a sum over the outputs k, for prose: a long loss written out in full runs off a line of text.
LOSS_SUM_LATEX = {
    "mse": r"L = \sum_k \left(t_k - y_k\right)^{2}",
    "half_mse": r"L = \frac{1}{2} \sum_k \left(t_k - y_k\right)^{2}",
    "cross_entropy": r"L = - \sum_k t_k \log y_k",
    "bce": r"L = - \sum_k \left(t_k \log y_k + \left(1 - t_k\right) \log \left(1 - y_k\right)\right)",
}
SHORT_LOSS_OUTPUTS = 2  # up to this many outputs the prose writes the loss out in full

LOSS_WORDS = {  # translated with _() where they are said (Q3Solution.loss_words)
    "mse": N_("the sum of squared errors"),
    "half_mse": N_("half the sum of squared errors"),
    "cross_entropy": N_("the cross-entropy"),
    "bce": N_("the binary cross-entropy"),
}

QUESTION = (
    "A fully connected network has inputs x1 = 0.35 and x2 = 0.9, hidden neurons 3 and 4 and output "
    "neuron 5, all with sigmoid activations and no biases. The weights are w13 = 0.1, w23 = 0.8, "
    "w14 = 0.4, w24 = 0.6, w35 = 0.3 and w45 = 0.9. With the loss L = (y - y5)^2, target y = 0.5 and "
    "learning rate 1, compute the forward pass, the gradient of the loss with respect to every weight "
    "by the chain rule, and the weights after one step of gradient descent."
)
QUESTION_NOTE = "Reconstructed from the given values; the target y = 0.5 is recovered from the published gradients."


@dataclass(frozen=True)
class ParameterUpdate:
    """One parameter's step: w <- w - lr * dL/dw, with the mean gradient of a mini-batch."""

    name: str
    latex_name: str
    before: float
    gradient: float
    updated: float
    lr: float

    def numbers_text(self, digits: int) -> str:
        """w - lr·dL/dw with the numbers: 0.1 - 1·(-0.0717736)."""
        gradient = chain.number_text(self.gradient, digits)
        return f"{chain.number_text(self.before, digits, given=True)} - {format_number(self.lr, digits)}·{gradient}"


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
    neurons: tuple[NeuronValue, ...]  # the first sample's forward pass
    targets: tuple[tuple[str, str, float], ...]  # (text name, LaTeX name, value) per output neuron, first sample
    loss: float  # the mean over the samples
    outputs: tuple[float, ...] | tuple[tuple[float, ...], ...]  # one sample's, or one tuple per sample
    gradients: dict[str, float]  # of the (mean) loss
    autograd: dict[str, float]
    autograd_loss: float
    autograd_outputs: tuple[float, ...]
    max_abs_diff: float
    tolerance: float
    updated: dict[str, float]
    expressions: dict[str, str]
    derivations: tuple[ParameterStep, ...]  # the first sample's chain rule; () where it is not written out
    steps: int
    loss_history: tuple[float, ...]
    step_max_abs_diff: tuple[float, ...]
    final_parameters: dict[str, float] = field(default_factory=dict)
    # The delta route (output layer first) and the loss after the step.
    deltas: dict[int, float] = field(default_factory=dict)  # neuron -> dL/dnet_j (a mini-batch: the samples' mean)
    autograd_deltas: dict[int, float] = field(default_factory=dict)
    delta_steps: tuple[DeltaStep, ...] = ()  # output layer first, the first sample's
    gradient_steps: tuple[GradientStep, ...] = ()  # in the deltas' order, the first sample's
    old_outgoing_weights: tuple[OldWeight, ...] = ()  # the weights the hidden deltas use, before the update
    route_max_rel_diff: float = 0.0  # delta route vs full chain rule, both SymPy, over every sample
    loss_after_step: float = float("nan")  # forward pass at the parameters after the first step
    autograd_loss_after_step: float = float("nan")
    outputs_after_step: tuple[float, ...] = ()  # the first sample's
    hidden_layers: tuple[tuple[int, ...], ...] = ()  # neuron numbers, for the question's wording
    output_neurons: tuple[int, ...] = ()
    activation_derivative_latex: str = ""
    # A mini-batch (JSON only with several samples: BATCH_ONLY_KEYS).
    per_sample_gradients: tuple[dict[str, float], ...] = ()
    deltas_per_sample: tuple[dict[int, float], ...] = ()
    autograd_deltas_per_sample: tuple[dict[int, float], ...] = ()
    sample_losses: tuple[float, ...] = ()
    samples: tuple[SampleSolution, ...] = ()
    # For the templates only.
    layer_activations: tuple[LayerActivation, ...] = template_only(())
    mean_gradient_steps: tuple[MeanGradient, ...] = template_only(())
    updates: tuple[ParameterUpdate, ...] = template_only(())
    chain_rule_checked: bool = template_only(True)  # False: too many paths for the cross-reference
    chain_rule_paths: int = template_only(1)
    chain_rule_limit: int = template_only(MAX_CROSS_REFERENCE_PATHS)
    loss_formula_rows_latex: tuple[str, ...] = template_only(())  # the loss formula, cut into display rows

    def json_fields(self) -> dict[str, object]:
        """The JSON's fields (hwsolve.io): the template-only ones left out, the batch's only for a batch."""
        left_out = () if self.is_batch else BATCH_ONLY_KEYS
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.metadata.get("json", True) and f.name not in left_out
        }

    @property
    def outputs_per_sample(self) -> tuple[tuple[float, ...], ...]:
        return tuple(sample.outputs for sample in self.samples)

    @property
    def is_batch(self) -> bool:
        return len(self.samples) > 1

    def mean_loss_rows_latex(self, digits: int) -> tuple[str, ...]:
        """The mini-batch's loss, the mean of the samples' losses, as rows of an aligned display."""
        return mean_rows_latex(self.sample_losses, digits)

    @property
    def loss_change(self) -> float:
        """loss_after_step - loss: negative when the step lowered the loss."""
        return self.loss_after_step - self.loss

    @property
    def loss_change_direction(self) -> str:
        """falls, rises, or stays (a saturated network whose loss is 0 in float64 before and after)."""
        return "falls" if self.loss_change < 0 else "rises" if self.loss_change > 0 else "stays"

    @property
    def loss_change_fraction(self) -> float | None:
        """|change| / loss; None where the loss is 0 (no fraction of it) or does not change."""
        return abs(self.loss_change) / self.loss if self.loss and self.loss_change else None

    @property
    def activation_words(self) -> str:
        """The activation in the question's words: ReLU, identity (linear); per layer when they differ.

        In the active language (hwsolve.i18n), as every property here that returns words.
        """
        if len(self.layer_activations) == 1:
            return self.layer_activations[0].words
        named = [
            _("{activation} in {where}").format(activation=layer.words, where=layer.where)
            for layer in self.layer_activations
        ]
        if len(named) == 2:
            return _("{first}, and {second}").format(first=named[0], second=named[1])
        # More than two: semicolons between them, since the runs' own lists of neurons have commas.
        return _("{items}; and {last}").format(items=_("; ").join(named[:-1]), last=named[-1])

    @property
    def single_activation(self) -> bool:
        return len(self.layer_activations) == 1

    @property
    def loss_prose_latex(self) -> str:
        """The loss for a sentence: written out for one or two outputs, as a sum over k beyond."""
        if len(self.output_neurons) <= SHORT_LOSS_OUTPUTS:
            return self.loss_formula_latex
        return LOSS_SUM_LATEX[self.problem.loss]

    @property
    def loss_words(self) -> str:
        """What the loss is, in words: the sum of squared errors, the binary cross-entropy, ..."""
        return _(LOSS_WORDS[self.problem.loss])

    @property
    def softmax_output(self) -> bool:
        return self.problem.activations[-1] == "softmax"

    @property
    def simplification_words(self) -> str:
        """The pairing whose output delta SymPy proved to be y_k - t_k ('' when it did not)."""
        if not any(step.simplified_latex for step in self.delta_steps):
            return ""
        output = self.layer_activations[-1]
        # English's article follows the activation's English words; each variant is one message.
        if self.problem.loss == "cross_entropy":
            text = (
                _("an {activation} output with {loss} (targets summing to 1)")
                if output.starts_with_vowel
                else _("a {activation} output with {loss} (targets summing to 1)")
            )
        else:
            text = (
                _("an {activation} output with {loss}")
                if output.starts_with_vowel
                else _("a {activation} output with {loss}")
            )
        return text.format(activation=output.words, loss=self.loss_words)

    # The md and tex templates list the given parameters in two groups, the
    # biases apart from the weights; the split is made here, once, for both.
    @property
    def weight_steps(self) -> tuple[ParameterUpdate, ...]:
        """The weights' updates, in canonical order."""
        return tuple(step for step in self.updates if parse_weight_name(step.name) is not None)

    @property
    def bias_steps(self) -> tuple[ParameterUpdate, ...]:
        """The biases' updates, in canonical order; empty without biases."""
        return tuple(step for step in self.updates if parse_bias_name(step.name) is not None)


@dataclass(frozen=True)
class _FirstStep:
    """The first step at the given parameters, all SymPy at 30 digits, every number checked."""

    samples: tuple[SampleNumbers, ...]
    loss: float  # the mean
    gradients: dict[str, float]  # the mean
    reference: AutogradResult
    difference: float  # the largest SymPy-vs-autograd difference
    route_difference: float  # the largest relative delta-route-vs-chain-rule difference


@dataclass(frozen=True)
class _LossAfter:
    """The loss and the first sample's outputs at the updated parameters (SymPy), and autograd's loss there."""

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


def _checked_autograd(problem: Q3Problem, where: str) -> AutogradResult:
    """torch autograd's float64 result for the problem, refused when it overflowed."""
    reference = autograd_gradients(problem)
    for index, gradients in enumerate(reference.gradients_per_sample, start=1):
        require_finite_step(
            f"{where} (torch autograd, float64, sample {index})",
            reference.loss,
            reference.outputs_per_sample[index - 1],
            gradients,
            reference.deltas_per_sample[index - 1],
        )
    require_finite_step(f"{where} (torch autograd, float64)", reference.loss, reference.outputs, reference.gradients)
    return reference


def _sample_where(problem: Q3Problem, index: int) -> str:
    where = "in the SymPy forward and backward pass"
    return f"{where} of sample {index}" if problem.batch_size > 1 else where


def _first_step(derivation: NetworkDerivation, route: DeltaRoute, problem: Q3Problem) -> _FirstStep:
    """Each sample's forward pass, deltas and full chain rule in SymPy, the routes compared, then autograd (raises)."""
    samples = tuple(
        solve_sample(derivation, route, sample, problem.parameters, _sample_where(problem, index))
        for index, sample in enumerate(problem.samples, start=1)
    )
    loss, gradients = mean_loss(samples), mean_gradients(samples)
    reference = _checked_autograd(problem, "in the first step")
    per_sample = PerSample(
        [sample.outputs for sample in samples],
        [sample.by_delta.gradients for sample in samples],
        [sample.by_delta.deltas for sample in samples],
    )
    difference = compare_with_autograd(loss, samples[0].outputs, gradients, reference, TOLERANCE, per_sample=per_sample)
    route_difference = max(sample.route_difference for sample in samples)
    return _FirstStep(samples, loss, gradients, reference, difference, route_difference)


def _descend(problem: Q3Problem, gradients: Mapping[str, float]) -> Q3Problem:
    parameters = {name: value - problem.lr * gradients[name] for name, value in problem.parameters.items()}
    require_finite(parameters, "in the updated parameters (w - lr * dL/dw)")
    weights = tuple((name, parameters[name]) for name in problem.weight_map)
    biases = tuple((name, parameters[name]) for name in problem.bias_map)
    return dataclasses.replace(problem, weights=weights, biases=biases)


def _loss_after(derivation: NetworkDerivation, problem: Q3Problem) -> _LossAfter:
    """The mean loss and the first sample's outputs at the problem's parameters by SymPy, checked by autograd."""
    forwards = [forward_pass(derivation, x, y, problem.parameters) for x, y in problem.samples]
    loss = float(sp.Add(*[forward.loss for forward in forwards]) / len(forwards))
    outputs = tuple(forwards[0].value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    require_finite_step("in the loss after the step", loss, outputs, {})
    reference = autograd_gradients(problem)
    require_finite({"the loss (torch autograd, float64)": reference.loss}, "in the loss after the step")
    difference = compare_loss(loss, reference.loss, "the loss after the step")
    return _LossAfter(loss, outputs, reference.loss, difference)


@dataclass(frozen=True)
class _CompiledBatch:
    loss: float  # the mean
    gradients: dict[str, float]  # the mean
    steps: tuple[CompiledStep, ...]  # per sample


def _compiled_step(compiled: CompiledNetwork, problem: Q3Problem, where: str) -> _CompiledBatch:
    """One float64 evaluation of the compiled network per sample, and their means.

    Plain Python floats raise OverflowError (math.exp) or ValueError (log 0) where torch gives inf.
    """
    steps = []
    for x, y in problem.samples:
        try:
            step = compiled.step(x, y, problem.parameters)
        except (OverflowError, ValueError):
            raise overflow_error(where) from None
        require_finite_step(where, step.loss, step.outputs, step.gradients, step.deltas)
        steps.append(step)
    count = len(steps)
    loss = sum(step.loss for step in steps) / count
    gradients = {name: sum(step.gradients[name] for step in steps) / count for name in steps[0].gradients}
    return _CompiledBatch(loss, gradients, tuple(steps))


def _later_steps(derivation: NetworkDerivation, start: Q3Problem, steps: int) -> _LaterSteps:
    """Steps 2..steps: the same SymPy deltas compiled to float64 (lambdify), autograd checking every step
    and the loss after the last one."""
    if steps < 2:
        return _LaterSteps()
    compiled = compile_network(derivation)
    losses, differences, current = [], [], start
    for number in range(2, steps + 1):
        where = f"in step {number}"
        batch = _compiled_step(compiled, current, where)
        reference = _checked_autograd(current, where)
        per_sample = PerSample(
            [step.outputs for step in batch.steps],
            [step.gradients for step in batch.steps],
            [step.deltas for step in batch.steps],
        )
        differences.append(
            compare_with_autograd(
                batch.loss, batch.steps[0].outputs, batch.gradients, reference, TOLERANCE, per_sample=per_sample
            )
        )
        current = _descend(current, batch.gradients)
        losses.append(_compiled_step(compiled, current, f"in the loss after step {number}").loss)
    last = _checked_autograd(current, "in the loss after the last step")
    last_difference = compare_loss(losses[-1], last.loss, "the loss after the last step")
    return _LaterSteps(tuple(losses), tuple(differences), (last_difference,), current)


def solve_q3(problem: Q3Problem | None = None, steps: int = 1) -> Q3Solution:
    """Forward pass, deltas and gradients, autograd check and `steps` descent steps."""
    problem = problem or Q3Problem()
    if steps < 1:
        raise ValueError("steps must be at least 1")
    derivation = derive_gradients(problem.layers, problem.activations, problem.loss, problem.has_biases)
    route = derive_deltas(derivation)
    first = _first_step(derivation, route, problem)
    next_problem = _descend(problem, first.gradients)
    after = _loss_after(derivation, next_problem)
    later = _later_steps(derivation, next_problem, steps)
    return _solution(problem, steps, derivation, route, first, next_problem, after, later)


def _updates(
    derivation: NetworkDerivation, problem: Q3Problem, first: _FirstStep, updated: Mapping[str, float]
) -> tuple[ParameterUpdate, ...]:
    return tuple(
        ParameterUpdate(
            name,
            derivation.latex_names[symbol],
            problem.parameters[name],
            first.gradients[name],
            updated[name],
            problem.lr,
        )
        for name, symbol in derivation.parameter_symbols.items()
    )


def _delta_route_fields(
    route: DeltaRoute, problem: Q3Problem, first: _FirstStep, one: SampleSolution
) -> dict[str, Any]:
    """The deltas (a mini-batch: the samples' mean, as the bias gradients are) and the first sample's steps."""
    batch = len(first.samples) > 1
    reference = first.reference
    return {
        "deltas": mean_deltas(first.samples) if batch else one.deltas,
        "autograd_deltas": _mean_of(reference.deltas_per_sample) if batch else reference.deltas,
        "delta_steps": one.delta_steps,
        "gradient_steps": one.gradient_steps,
        "old_outgoing_weights": old_outgoing_weights(route, problem),
        "route_max_rel_diff": first.route_difference,
    }


def _per_sample_fields(
    derivation: NetworkDerivation, samples: tuple[SampleSolution, ...], first: _FirstStep
) -> dict[str, Any]:
    """Each sample's numbers and written steps, and the means the update uses (JSON only for a mini-batch)."""
    return {
        "per_sample_gradients": tuple(sample.gradients for sample in samples),
        "deltas_per_sample": tuple(sample.deltas for sample in samples),
        "autograd_deltas_per_sample": first.reference.deltas_per_sample,
        "sample_losses": tuple(sample.loss for sample in samples),
        "samples": samples,
        "mean_gradient_steps": mean_gradient_steps(derivation, samples, first.gradients),
    }


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
    samples = tuple(
        written_sample(derivation, route, problem, numbers, index, updated)
        for index, numbers in enumerate(first.samples, start=1)
    )
    one = samples[0]
    step_differences = (first.difference, *later.differences)
    latex, numbered, reference = derivation.latex, derivation.neuron_layers, first.reference
    return Q3Solution(
        problem=problem,
        question=QUESTION,
        question_note=QUESTION_NOTE,
        is_homework=problem == Q3Problem(),
        activation_latex=layer_activations(derivation)[0].latex,
        loss_formula_latex=f"L = {latex(derivation.loss_expression)}",
        loss_composed_latex=f"L = {latex(derivation.loss_composed())}",
        loss_formula_text=f"L = {derivation.text(derivation.loss_expression)}",
        neurons=one.neurons,
        targets=one.targets,
        loss=first.loss,
        outputs=tuple(sample.outputs for sample in samples) if len(samples) > 1 else one.outputs,
        gradients=first.gradients,
        autograd=reference.gradients,
        autograd_loss=reference.loss,
        autograd_outputs=reference.outputs,
        max_abs_diff=max((*step_differences, after.difference, *later.last_difference)),
        tolerance=TOLERANCE,
        updated=updated,
        expressions=written_expressions(derivation, route, one.derivations),
        derivations=one.derivations,
        steps=steps,
        loss_history=(first.loss, after.loss, *later.losses),
        step_max_abs_diff=step_differences,
        final_parameters=(later.final or next_problem).parameters,
        **_delta_route_fields(route, problem, first, one),
        loss_after_step=after.loss,
        autograd_loss_after_step=after.autograd_loss,
        outputs_after_step=after.outputs,
        hidden_layers=tuple(numbered[1:-1]),
        output_neurons=tuple(numbered[-1]),
        activation_derivative_latex=layer_activations(derivation)[0].derivative_latex,
        **_per_sample_fields(derivation, samples, first),
        layer_activations=layer_activations(derivation),
        updates=_updates(derivation, problem, first, updated),
        chain_rule_checked=bool(derivation.parameters),
        chain_rule_paths=cross_reference_paths(derivation),
        loss_formula_rows_latex=sum_rows_latex(derivation.loss_expression, latex, LOSS_TERMS_PER_ROW),
    )


def _mean_of(mappings: Sequence[Mapping[int, float]]) -> dict[int, float]:
    """The mean of autograd's per-sample deltas, neuron by neuron (float64, as autograd's own numbers are)."""
    return {j: sum(mapping[j] for mapping in mappings) / len(mappings) for j in mappings[0]}
