"""Q3's forward pass as the write-up shows it: every neuron's net input, output and the numbers behind them.

Public API: ``NeuronValue`` (one neuron, with its formula written out and
substituted) and ``neuron_values(derivation, problem, forward)`` (every
neuron, inputs first, layer by layer).
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsolve.derive.backprop import ForwardPass, NetworkDerivation
from hwsolve.problem.q3 import Q3Problem, bias_name, weight_name, weight_pairs
from hwsolve.solutions import q3_chain as chain


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


def neuron_values(derivation: NetworkDerivation, problem: Q3Problem, forward: ForwardPass) -> tuple[NeuronValue, ...]:
    """Every neuron of the forward pass: the inputs as given, then each later layer's net input and output."""
    numbered = derivation.neuron_layers
    result = [
        NeuronValue(i, "input", derivation.latex_names[symbol], str(symbol), forward.value(symbol))
        for i, symbol in zip(numbered[0], derivation.inputs)
    ]
    incoming: dict[int, list[int]] = {}
    for i, j in weight_pairs(problem.layers):
        incoming.setdefault(j, []).append(i)
    for depth, layer in enumerate(numbered[1:], start=1):
        role = "output" if depth == len(numbered) - 1 else "hidden"
        result.extend(_computed_neuron(derivation, problem, forward, j, incoming[j], role, depth == 1) for j in layer)
    return tuple(result)


def _computed_neuron(
    derivation: NetworkDerivation,
    problem: Q3Problem,
    forward: ForwardPass,
    j: int,
    sources: list[int],
    role: str,
    sources_are_inputs: bool,
) -> NeuronValue:
    """Neuron j after the inputs: net_j = sum_i y_i w_ij (+ b_j) and y_j = f(net_j), written and evaluated."""
    names, parameters = derivation.latex_names, problem.parameters
    out, net = derivation.output_symbols[j], derivation.net_symbols[j]
    weights = [derivation.parameter_symbols[weight_name(i, j)] for i in sources]
    pieces_latex = [f"{names[derivation.output_symbols[i]]} {names[w]}" for i, w in zip(sources, weights)]
    pieces_text = [f"{derivation.output_symbols[i]}·{w}" for i, w in zip(sources, weights)]
    bias = None
    if problem.has_biases:
        bias = parameters[bias_name(j)]
        pieces_latex.append(f"b_{{{j}}}")
        pieces_text.append(bias_name(j))
    return NeuronValue(
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
        sources_are_inputs=sources_are_inputs,
    )
