"""Q3: one (or more) steps of backpropagation, derived in SymPy and checked by autograd.

Public API
----------
- ``solve_q3(problem=Q3Problem(), steps=1) -> Q3Solution``.
- ``Q3Solution``: the JSON output and the templates' context. JSON keys
  include ``loss``, ``outputs``, ``gradients``, ``autograd``,
  ``max_abs_diff``, ``updated`` and ``expressions`` (name -> LaTeX), all in
  full float64, plus ``neurons`` (the forward pass), ``derivations`` (each
  parameter's chain rule, factors and values), ``loss_history`` (the loss
  before each step and after the last) and ``final_parameters``.
``max_abs_diff`` is the largest SymPy-vs-autograd difference over every
checked step (loss, outputs and gradients); ``step_max_abs_diff`` per step.

Raises ``VerificationError`` when SymPy and autograd disagree by more than
1e-10 at any step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve.check.backprop_autograd import TOLERANCE, autograd_gradients, compare_with_autograd
from hwsolve.derive.backprop import NetworkDerivation, derive_gradients, evaluate_gradients, forward_pass
from hwsolve.derive.backprop_activations import ACTIVATION_LATEX
from hwsolve.derive.backprop_compiled import compile_network
from hwsolve.problem.q3 import Q3Problem, weight_name, weight_pairs
from hwsolve.solutions import q3_chain as chain

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

    def substituted_latex(self, digits: int) -> str:
        """The net input with numbers substituted, e.g. 0.35 * 0.1 + 0.9 * 0.8 in LaTeX."""
        pieces = [f"{chain.number_latex(a, digits)} \\cdot {chain.number_latex(w, digits)}" for a, w in self.terms]
        if self.bias is not None:
            pieces.append(chain.number_latex(self.bias, digits))
        return " + ".join(pieces)

    def substituted_text(self, digits: int) -> str:
        pieces = [f"{chain.number_text(a, digits)}·{chain.number_text(w, digits)}" for a, w in self.terms]
        if self.bias is not None:
            pieces.append(chain.number_text(self.bias, digits))
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

    def _numbers(self, show, times: str, brackets: tuple[str, str]) -> str:
        return chain.layout(self.path_factor_values, self.local_values, show, times, brackets)

    def numbers_latex(self, digits: int) -> str:
        """The chain with every factor replaced by its value."""
        return self._numbers(lambda v: chain.number_latex(v, digits), chain.LATEX_TIMES, (r"\left(", r"\right)"))

    def numbers_text(self, digits: int) -> str:
        return self._numbers(lambda v: chain.number_text(v, digits), chain.TEXT_TIMES, ("[", "]"))


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
                    terms=tuple((forward.value(derivation.output_symbols[i]), parameters[weight_name(i, j)]) for i in sources),
                    bias=bias,
                    applied_latex=derivation.latex(derivation.activation_expressions[j]),
                    applied_text=derivation.text(derivation.activation_expressions[j]),
                )
            )
    return tuple(result)


def _symbolic_step(derivation: NetworkDerivation, problem: Q3Problem):
    forward = forward_pass(derivation, problem.x, problem.y, problem.parameters)
    values = evaluate_gradients(derivation, forward)
    outputs = tuple(forward.value(derivation.output_symbols[k]) for k in derivation.neuron_layers[-1])
    return forward, values, outputs


def _checked_step(derivation: NetworkDerivation, problem: Q3Problem):
    """One symbolic evaluation, cross-checked against autograd (raises on disagreement)."""
    forward, values, outputs = _symbolic_step(derivation, problem)
    gradients = {name: value.value for name, value in values.items()}
    reference = autograd_gradients(problem)
    difference = compare_with_autograd(float(forward.loss), outputs, gradients, reference, TOLERANCE)
    return forward, values, outputs, gradients, reference, difference


def _descend(problem: Q3Problem, gradients: dict[str, float]) -> Q3Problem:
    parameters = {name: value - problem.lr * gradients[name] for name, value in problem.parameters.items()}
    weights = tuple((name, parameters[name]) for name in problem.weight_map)
    biases = tuple((name, parameters[name]) for name in problem.bias_map)
    return Q3Problem(problem.layers, problem.activation, problem.loss, problem.x, problem.y, problem.lr, weights, biases)


def _parameter_steps(derivation, values, problem, updated) -> tuple[ParameterStep, ...]:
    steps = []
    before = problem.parameters
    for parameter in derivation.parameters:
        value = values[parameter.name]
        steps.append(
            ParameterStep(
                name=parameter.name,
                latex_name=derivation.latex_names[parameter.symbol],
                chain_latex=chain.layout(
                    parameter.paths, parameter.local, lambda f: chain.factor_label_latex(derivation, f),
                    " ", (r"\left(", r"\right)"),
                ),
                chain_text=chain.layout(parameter.paths, parameter.local, chain.factor_label_text, chain.TEXT_TIMES, ("[", "]")),
                expression_latex=chain.layout(
                    parameter.paths, parameter.local, lambda f: chain.factor_expression_latex(derivation, f),
                    chain.LATEX_TIMES, (r"\left(", r"\right)"),
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
            )
        )
    return tuple(steps)


def solve_q3(problem: Q3Problem | None = None, steps: int = 1) -> Q3Solution:
    """Forward pass, symbolic gradients, autograd check and `steps` descent steps."""
    problem = problem or Q3Problem()
    if steps < 1:
        raise ValueError("steps must be at least 1")
    derivation = derive_gradients(problem.layers, problem.activation, problem.loss, problem.has_biases)
    forward, values, outputs, gradients, reference, difference = _checked_step(derivation, problem)
    next_problem = _descend(problem, gradients)
    updated = next_problem.parameters

    # Later steps evaluate the same SymPy expressions compiled to float64
    # (lambdify), still cross-checked by autograd at every step; a single
    # step needs no compilation, only the loss at the updated weights.
    loss_history, step_differences = [float(forward.loss)], [difference]
    current = next_problem
    if steps > 1:
        compiled = compile_network(derivation)
        for _ in range(steps - 1):
            step_loss, step_outputs, step_gradients = compiled(current.x, current.y, current.parameters)
            reference_step = autograd_gradients(current)
            step_differences.append(compare_with_autograd(step_loss, step_outputs, step_gradients, reference_step, TOLERANCE))
            loss_history.append(step_loss)
            current = _descend(current, step_gradients)
        loss_history.append(compiled(current.x, current.y, current.parameters)[0])
    else:
        loss_history.append(float(forward_pass(derivation, current.x, current.y, current.parameters).loss))

    derivation_steps = _parameter_steps(derivation, values, problem, updated)
    latex = derivation.latex
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
        max_abs_diff=max(step_differences),
        tolerance=TOLERANCE,
        updated=updated,
        expressions={step.name: step.expression_latex for step in derivation_steps},
        derivations=derivation_steps,
        steps=steps,
        loss_history=tuple(loss_history),
        step_max_abs_diff=tuple(step_differences),
        final_parameters=current.parameters,
    )
