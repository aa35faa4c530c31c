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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hwsolve.check.backprop_autograd import TOLERANCE, autograd_gradients, compare_loss, compare_with_autograd
from hwsolve.check.backprop_routes import compare_routes
from hwsolve.check.finite import overflow_error, require_finite
from hwsolve.derive.backprop import NetworkDerivation, derive_gradients, evaluate_gradients, forward_pass
from hwsolve.derive.backprop_activations import ACTIVATION_DERIVATIVE_LATEX, ACTIVATION_LATEX
from hwsolve.derive.backprop_compiled import compile_network
from hwsolve.derive.backprop_deltas import DeltaRoute, derive_deltas, evaluate_deltas
from hwsolve.problem.q3 import Q3Problem, weight_name, weight_pairs
from hwsolve.solutions import q3_chain as chain
from hwsolve.solutions.base import template_only

QUESTION = (
    "A fully connected network has inputs x1 = 0.35 and x2 = 0.9, hidden neurons 3 and 4 and output "
    "neuron 5, all with sigmoid activations and no biases. The weights are w13 = 0.1, w23 = 0.8, "
    "w14 = 0.4, w24 = 0.6, w35 = 0.3 and w45 = 0.9. With the loss L = (y - y5)^2, target y = 0.5 and "
    "learning rate 1, compute the forward pass, the gradient of the loss with respect to every weight "
    "by the chain rule, and the weights after one step of gradient descent."
)
QUESTION_NOTE = "Reconstructed from the given values; the target y = 0.5 is recovered from the published gradients."


@dataclass(frozen=True)
class NeuronValue:
    """One neuron of the forward pass. Inputs have no net input."""

    neuron: int
    role: str  # input, hidden or output
    output_latex: str
    output_text: str
    output: float
    net_latex: str | None = None
    net_text: str | None = None
    net_input: float | None = None
    formula_latex: str | None = None  # x_{1} w_{13} + x_{2} w_{23}
    formula_text: str | None = None
    terms: tuple[tuple[float, float], ...] = ()  # (source output, weight) per incoming edge
    bias: float | None = None
    applied_latex: str | None = None  # f(net): \sigma\left(H_{3}\right)
    applied_text: str | None = None
    sources_are_inputs: bool = False  # the first layer after the inputs: its sources are given values

    def substituted_latex(self, digits: int) -> str:
        """The net input with numbers substituted, e.g. 0.35 * 0.1 + 0.9 * 0.8 in LaTeX."""
        given = self.sources_are_inputs
        pieces = [
            f"{chain.number_latex(a, digits, given)} \\cdot {chain.number_latex(w, digits, True)}"
            for a, w in self.terms
        ]
        if self.bias is not None:
            pieces.append(chain.number_latex(self.bias, digits, True))
        return " + ".join(pieces)

    def substituted_text(self, digits: int) -> str:
        given = self.sources_are_inputs
        pieces = [f"{chain.number_text(a, digits, given)}·{chain.number_text(w, digits, True)}" for a, w in self.terms]
        if self.bias is not None:
            pieces.append(chain.number_text(self.bias, digits, True))
        return " + ".join(pieces)


@dataclass(frozen=True)
class ParameterStep:
    """One parameter's gradient: chain rule, expression, numbers, value, update."""

    name: str
    latex_name: str
    chain_latex: str
    chain_text: str
    expression_latex: str
    expression_text: str
    path_count: int
    path_factor_values: tuple[tuple[float, ...], ...]
    path_values: tuple[float, ...]
    local_values: tuple[float, ...]
    value: float
    before: float
    updated: float
    # Which factors are a given value (a weight, an input), written as given.
    path_factor_given: tuple[tuple[bool, ...], ...] = ()
    local_given: tuple[bool, ...] = ()

    def _numbers(self, show, times: str, brackets: tuple[str, str]) -> str:
        paths = [tuple(zip(values, given)) for values, given in zip(self.path_factor_values, self.path_factor_given)]
        return chain.layout(paths, tuple(zip(self.local_values, self.local_given)), show, times, brackets)

    def numbers_latex(self, digits: int) -> str:
        """The chain with every factor replaced by its value."""
        return self._numbers(
            lambda item: chain.number_latex(item[0], digits, item[1]), chain.LATEX_TIMES, (r"\left(", r"\right)")
        )

    def numbers_text(self, digits: int) -> str:
        return self._numbers(lambda item: chain.number_text(item[0], digits, item[1]), chain.TEXT_TIMES, ("[", "]"))


@dataclass(frozen=True)
class DeltaStep:
    """delta_j = dL/dnet_j for one neuron: definition, chain rule, expression, numbers, value."""

    neuron: int
    role: str  # output or hidden
    latex_name: str  # \delta_{5}
    text_name: str  # δ5
    definition_latex: str  # \frac{\partial L}{\partial O_{5}}
    definition_text: str  # dL/dO5
    chain_latex: str  # the chain rule one level down
    chain_text: str
    expression_latex: str  # the factors as expressions
    expression_text: str
    factor_values: tuple[float, ...]
    value: float
    downstream: tuple[int, ...]  # the neurons whose deltas a hidden delta sums
    factors: tuple[Any, ...] = template_only(())  # SymPy factors, for the substituted numbers
    symbol_values: dict = template_only(default_factory=dict)  # symbol -> float
    given_symbols: frozenset = template_only(frozenset())  # the symbols whose values are given

    def numbers_latex(self, digits: int) -> str:
        """Each factor with every symbol replaced by its value."""
        return chain.product_latex(
            self.factors, lambda f: chain.substituted_latex(f, self.symbol_values, digits, self.given_symbols)
        )

    def numbers_text(self, digits: int) -> str:
        return chain.product_text(
            self.factors, lambda f: chain.substituted_text(f, self.symbol_values, digits, self.given_symbols)
        )


@dataclass(frozen=True)
class GradientStep:
    """dL/dparameter = delta_j * y_i (a weight from i to j), or delta_j (a bias of j)."""

    name: str
    latex_name: str
    neuron: int
    expression_latex: str  # \delta_{5} y_{3}
    expression_text: str  # δ5·y3
    delta: float
    source_value: float | None  # y_i, None for a bias
    value: float
    source_is_input: bool = False  # y_i is a given input x_i

    def numbers_latex(self, digits: int) -> str:
        pieces = [chain.number_latex(self.delta, digits)]
        if self.source_value is not None:
            pieces.append(chain.number_latex(self.source_value, digits, self.source_is_input))
        return chain.LATEX_TIMES.join(pieces)

    def numbers_text(self, digits: int) -> str:
        pieces = [chain.number_text(self.delta, digits)]
        if self.source_value is not None:
            pieces.append(chain.number_text(self.source_value, digits, self.source_is_input))
        return chain.TEXT_TIMES.join(pieces)


@dataclass(frozen=True)
class OldWeight:
    """An outgoing weight a hidden delta uses, at its value before the update."""

    name: str
    latex_name: str
    value: float


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
    loss_expression: Any = template_only(None)  # SymPy, for the substituted loss
    loss_symbol_values: dict = template_only(default_factory=dict)

    loss_given_symbols: frozenset = template_only(frozenset())  # the targets

    def loss_numbers_latex(self, digits: int) -> str:
        """The loss with the target and outputs substituted: (0.5 - 0.690283)^2."""
        return chain.substituted_latex(self.loss_expression, self.loss_symbol_values, digits, self.loss_given_symbols)

    def loss_numbers_text(self, digits: int) -> str:
        return chain.substituted_text(self.loss_expression, self.loss_symbol_values, digits, self.loss_given_symbols)

    @property
    def loss_change(self) -> float:
        """loss_after_step - loss: negative when the step lowered the loss."""
        return self.loss_after_step - self.loss


def _neurons(derivation: NetworkDerivation, problem: Q3Problem, forward) -> tuple[NeuronValue, ...]:
    names = derivation.latex_names
    numbered = derivation.neuron_layers
    parameters = problem.parameters
    result = [
        NeuronValue(i, "input", names[symbol], str(symbol), forward.value(symbol))
        for i, symbol in zip(numbered[0], derivation.inputs)
    ]
    incoming: dict[int, list[int]] = {}
    for i, j in weight_pairs(problem.layers):
        incoming.setdefault(j, []).append(i)
    for depth, layer in enumerate(numbered[1:], start=1):
        role = "output" if depth == len(numbered) - 1 else "hidden"
        for j in layer:
            out, net = derivation.output_symbols[j], derivation.net_symbols[j]
            sources = incoming[j]
            weights = [derivation.parameter_symbols[weight_name(i, j)] for i in sources]
            pieces_latex = [f"{names[derivation.output_symbols[i]]} {names[w]}" for i, w in zip(sources, weights)]
            pieces_text = [f"{derivation.output_symbols[i]}·{w}" for i, w in zip(sources, weights)]
            bias = None
            if problem.has_biases:
                bias = parameters[f"b{j}"]
                pieces_latex.append(f"b_{{{j}}}")
                pieces_text.append(f"b{j}")
            result.append(
                NeuronValue(
                    neuron=j,
                    role=role,
                    output_latex=names[out],
                    output_text=str(out),
                    output=forward.value(out),
                    net_latex=names[net],
                    net_text=str(net),
                    net_input=forward.value(net),
                    formula_latex=" + ".join(pieces_latex),
                    formula_text=" + ".join(pieces_text),
                    terms=tuple(
                        (forward.value(derivation.output_symbols[i]), parameters[weight_name(i, j)]) for i in sources
                    ),
                    bias=bias,
                    applied_latex=derivation.latex(derivation.activation_expressions[j]),
                    applied_text=derivation.text(derivation.activation_expressions[j]),
                    sources_are_inputs=depth == 1,
                )
            )
    return tuple(result)


def _symbolic_step(derivation: NetworkDerivation, route: DeltaRoute, problem: Q3Problem):
    """Forward pass, deltas (the gradients' main route) and the full chain rule, all SymPy at 30 digits."""
    forward = forward_pass(derivation, problem.x, problem.y, problem.parameters)
    by_delta = evaluate_deltas(route, forward)
    by_chain = evaluate_gradients(derivation, forward)
    outputs = tuple(forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    where = "in the SymPy forward and backward pass"
    _require_finite_step(where, float(forward.loss), outputs, by_delta.gradients, by_delta.deltas)
    require_finite({f"dL/d{name} by the chain rule": value.value for name, value in by_chain.items()}, where)
    route_difference = compare_routes(by_delta.gradients, {name: value.value for name, value in by_chain.items()})
    return forward, by_delta, by_chain, outputs, route_difference


def _require_finite_step(where: str, loss: float, outputs, gradients, deltas=None) -> None:
    """An overflow in one evaluation (loss, outputs, deltas, gradients) is named, never compared."""
    values = {"the loss": loss, **{f"output {index + 1}": value for index, value in enumerate(outputs)}}
    values.update({f"delta{neuron}": value for neuron, value in (deltas or {}).items()})
    values.update({f"dL/d{name}": value for name, value in gradients.items()})
    require_finite(values, where)


def _checked_autograd(problem: Q3Problem, where: str):
    """torch autograd's float64 result for the problem, refused when it overflowed."""
    reference = autograd_gradients(problem)
    _require_finite_step(
        f"{where} (torch autograd, float64)", reference.loss, reference.outputs, reference.gradients, reference.deltas
    )
    return reference


def _checked_step(derivation: NetworkDerivation, route: DeltaRoute, problem: Q3Problem):
    """One symbolic evaluation, cross-checked against autograd (raises on disagreement)."""
    forward, by_delta, by_chain, outputs, route_difference = _symbolic_step(derivation, route, problem)
    gradients = dict(by_delta.gradients)
    reference = _checked_autograd(problem, "in the first step")
    difference = compare_with_autograd(
        float(forward.loss), outputs, gradients, reference, TOLERANCE, deltas=by_delta.deltas
    )
    return forward, by_delta, by_chain, outputs, gradients, reference, difference, route_difference


def _descend(problem: Q3Problem, gradients: dict[str, float]) -> Q3Problem:
    parameters = {name: value - problem.lr * gradients[name] for name, value in problem.parameters.items()}
    require_finite(parameters, "in the updated parameters (w - lr * dL/dw)")
    weights = tuple((name, parameters[name]) for name in problem.weight_map)
    biases = tuple((name, parameters[name]) for name in problem.bias_map)
    return Q3Problem(
        problem.layers, problem.activation, problem.loss, problem.x, problem.y, problem.lr, weights, biases
    )


def _given_symbols(derivation: NetworkDerivation) -> frozenset:
    return frozenset((*derivation.inputs, *derivation.targets, *derivation.parameter_symbols.values()))


def _parameter_steps(derivation, values, problem, updated) -> tuple[ParameterStep, ...]:
    given = _given_symbols(derivation)

    def is_given(factor) -> bool:  # a factor that is itself a weight or an input, e.g. dO5/dy3 = w35
        return factor.expression in given

    steps = []
    before = problem.parameters
    for parameter in derivation.parameters:
        value = values[parameter.name]
        steps.append(
            ParameterStep(
                name=parameter.name,
                latex_name=derivation.latex_names[parameter.symbol],
                chain_latex=chain.layout(
                    parameter.paths,
                    parameter.local,
                    lambda f: chain.factor_label_latex(derivation, f),
                    " ",
                    (r"\left(", r"\right)"),
                ),
                chain_text=chain.layout(
                    parameter.paths, parameter.local, chain.factor_label_text, chain.TEXT_TIMES, ("[", "]")
                ),
                expression_latex=chain.layout(
                    parameter.paths,
                    parameter.local,
                    lambda f: chain.factor_expression_latex(derivation, f),
                    chain.LATEX_TIMES,
                    (r"\left(", r"\right)"),
                ),
                expression_text=chain.layout(
                    parameter.paths, parameter.local, chain.factor_expression_text, chain.TEXT_TIMES, ("[", "]")
                ),
                path_count=len(parameter.paths),
                path_factor_values=value.path_factor_values,
                path_values=value.path_values,
                local_values=value.local_values,
                value=value.value,
                before=before[parameter.name],
                updated=updated[parameter.name],
                path_factor_given=tuple(tuple(is_given(f) for f in path) for path in parameter.paths),
                local_given=tuple(is_given(f) for f in parameter.local),
            )
        )
    return tuple(steps)


def _delta_steps(route: DeltaRoute, forward, values) -> tuple[DeltaStep, ...]:
    d = route.derivation
    names = route.latex_names
    symbol_values = {symbol: float(value) for symbol, value in forward.values.items()}
    symbol_values.update({route.delta_symbols[j]: value for j, value in values.deltas.items()})
    text_names = {symbol: f"δ{j}" for j, symbol in route.delta_symbols.items()}
    steps = []
    for delta in route.deltas:
        net, out = names[delta.net_symbol], names[delta.output_symbol]
        if delta.role == "output":
            chain_latex = rf"\frac{{\partial L}}{{\partial {out}}} \frac{{\partial {out}}}{{\partial {net}}}"
            chain_text = f"dL/d{delta.output_symbol} · d{delta.output_symbol}/d{delta.net_symbol}"
        else:
            terms_latex = [
                rf"\frac{{\partial {names[d.net_symbols[k]]}}}{{\partial {out}}} {names[route.delta_symbols[k]]}"
                for k in delta.downstream
            ]
            terms_text = [f"d{d.net_symbols[k]}/d{delta.output_symbol}·δ{k}" for k in delta.downstream]
            summed_latex = terms_latex[0] if len(terms_latex) == 1 else rf"\left({' + '.join(terms_latex)}\right)"
            summed_text = terms_text[0] if len(terms_text) == 1 else f"({' + '.join(terms_text)})"
            chain_latex = rf"\frac{{\partial {out}}}{{\partial {net}}} {summed_latex}"
            chain_text = f"d{delta.output_symbol}/d{delta.net_symbol} · {summed_text}"
        used = {symbol: symbol_values[symbol] for symbol in delta.expression.free_symbols}
        steps.append(
            DeltaStep(
                neuron=delta.neuron,
                role=delta.role,
                latex_name=names[delta.symbol],
                text_name=f"δ{delta.neuron}",
                definition_latex=rf"\frac{{\partial L}}{{\partial {net}}}",
                definition_text=f"dL/d{delta.net_symbol}",
                chain_latex=chain_latex,
                chain_text=chain_text,
                expression_latex=chain.product_latex(delta.factors, route.latex),
                expression_text=chain.product_text(delta.factors, lambda f: chain.named_text(f, text_names)),
                factor_values=values.factor_values[delta.neuron],
                value=values.deltas[delta.neuron],
                downstream=delta.downstream,
                factors=delta.factors,
                symbol_values=used,
                given_symbols=_given_symbols(d),
            )
        )
    return tuple(steps)


def _gradient_steps(route: DeltaRoute, forward, values) -> tuple[GradientStep, ...]:
    d = route.derivation
    steps = []
    for gradient in route.gradients:
        source = d.output_symbols[gradient.source] if gradient.source is not None else None
        steps.append(
            GradientStep(
                name=gradient.name,
                latex_name=d.latex_names[d.parameter_symbols[gradient.name]],
                neuron=gradient.neuron,
                expression_latex=route.latex(gradient.expression),
                expression_text=f"δ{gradient.neuron}·{source}" if source is not None else f"δ{gradient.neuron}",
                delta=values.deltas[gradient.neuron],
                source_value=forward.value(source) if source is not None else None,
                value=values.gradients[gradient.name],
                source_is_input=source in d.inputs,
            )
        )
    return tuple(steps)


def _old_outgoing_weights(route: DeltaRoute, problem: Q3Problem) -> tuple[OldWeight, ...]:
    d = route.derivation
    names = [weight_name(delta.neuron, k) for delta in route.deltas for k in delta.downstream]
    ordered = [name for name in d.parameter_symbols if name in set(names)]
    return tuple(
        OldWeight(name, d.latex_names[d.parameter_symbols[name]], problem.parameters[name]) for name in ordered
    )


def _loss_after(derivation: NetworkDerivation, problem: Q3Problem) -> tuple[float, tuple[float, ...], float, float]:
    """The loss and outputs at the problem's parameters by a SymPy forward pass, checked by autograd."""
    forward = forward_pass(derivation, problem.x, problem.y, problem.parameters)
    loss = float(forward.loss)
    outputs = tuple(forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    _require_finite_step("in the loss after the step", loss, outputs, {})
    reference = _checked_autograd(problem, "in the loss after the step")
    difference = compare_loss(loss, reference.loss, "the loss after the step")
    return loss, outputs, reference.loss, difference


def _compiled_step(compiled, problem: Q3Problem, where: str):
    """One float64 evaluation of the compiled network; plain Python floats raise OverflowError where torch gives inf."""
    try:
        step = compiled.step(problem.x, problem.y, problem.parameters)
    except OverflowError:
        raise overflow_error(where) from None
    _require_finite_step(where, step.loss, step.outputs, step.gradients, step.deltas)
    return step


def solve_q3(problem: Q3Problem | None = None, steps: int = 1) -> Q3Solution:
    """Forward pass, deltas and gradients, autograd check and `steps` descent steps."""
    problem = problem or Q3Problem()
    if steps < 1:
        raise ValueError("steps must be at least 1")
    derivation = derive_gradients(problem.layers, problem.activation, problem.loss, problem.has_biases)
    route = derive_deltas(derivation)
    forward, by_delta, by_chain, outputs, gradients, reference, difference, route_difference = _checked_step(
        derivation, route, problem
    )
    next_problem = _descend(problem, gradients)
    updated = next_problem.parameters
    loss_after_step, outputs_after_step, autograd_loss_after_step, after_difference = _loss_after(
        derivation, next_problem
    )

    # Later steps evaluate the same SymPy deltas compiled to float64
    # (lambdify), still cross-checked by autograd at every step, and the loss
    # after the last step is checked too.
    loss_history, step_differences = [float(forward.loss), loss_after_step], [difference]
    checked_differences = [difference, after_difference]
    current = next_problem
    if steps > 1:
        compiled = compile_network(derivation)
        for number in range(2, steps + 1):
            where = f"in step {number}"
            step = _compiled_step(compiled, current, where)
            reference_step = _checked_autograd(current, where)
            step_differences.append(
                compare_with_autograd(
                    step.loss, step.outputs, step.gradients, reference_step, TOLERANCE, deltas=step.deltas
                )
            )
            current = _descend(current, step.gradients)
            loss_history.append(_compiled_step(compiled, current, f"in the loss after step {number}").loss)
        last = _checked_autograd(current, "in the loss after the last step")
        checked_differences.append(compare_loss(loss_history[-1], last.loss, "the loss after the last step"))

    derivation_steps = _parameter_steps(derivation, by_chain, problem, updated)
    latex = derivation.latex
    numbered = derivation.neuron_layers
    loss_symbols = derivation.loss_expression.free_symbols
    return Q3Solution(
        problem=problem,
        question=QUESTION,
        question_note=QUESTION_NOTE,
        is_homework=problem == Q3Problem(),
        activation_latex=ACTIVATION_LATEX[problem.activation],
        loss_formula_latex=f"L = {latex(derivation.loss_expression)}",
        loss_composed_latex=f"L = {latex(derivation.loss_composed())}",
        loss_formula_text=f"L = {derivation.text(derivation.loss_expression)}",
        neurons=_neurons(derivation, problem, forward),
        targets=tuple((str(t), derivation.latex_names[t], value) for t, value in zip(derivation.targets, problem.y)),
        loss=float(forward.loss),
        outputs=outputs,
        gradients=gradients,
        autograd=reference.gradients,
        autograd_loss=reference.loss,
        autograd_outputs=reference.outputs,
        max_abs_diff=max(step_differences + checked_differences),
        tolerance=TOLERANCE,
        updated=updated,
        expressions={step.name: step.expression_latex for step in derivation_steps},
        derivations=derivation_steps,
        steps=steps,
        loss_history=tuple(loss_history),
        step_max_abs_diff=tuple(step_differences),
        final_parameters=current.parameters,
        deltas=dict(by_delta.deltas),
        autograd_deltas=dict(reference.deltas),
        delta_steps=_delta_steps(route, forward, by_delta),
        gradient_steps=_gradient_steps(route, forward, by_delta),
        old_outgoing_weights=_old_outgoing_weights(route, problem),
        route_max_rel_diff=route_difference,
        loss_after_step=loss_after_step,
        autograd_loss_after_step=autograd_loss_after_step,
        outputs_after_step=outputs_after_step,
        hidden_layers=tuple(numbered[1:-1]),
        output_neurons=tuple(numbered[-1]),
        activation_derivative_latex=ACTIVATION_DERIVATIVE_LATEX[problem.activation],
        loss_expression=derivation.loss_expression,
        loss_symbol_values={symbol: float(forward.values[symbol]) for symbol in loss_symbols},
        loss_given_symbols=frozenset(derivation.targets),
    )
