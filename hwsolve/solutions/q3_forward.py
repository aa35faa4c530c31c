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
from hwsolve.solutions.base import template_only

# One display row of an A4 page holds the formula and the numbers of three terms, or the numbers of four
# alone (three where the outputs are computed values with six digits, not given inputs).
TERMS_BESIDE_FORMULA = 3
TERMS_PER_ROW = 4
FORMULA_TERMS_PER_ROW = 8  # x_{1} w_{13} + ...: the formula alone, in symbols


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
    formula_terms_latex: tuple[str, ...] = template_only(())  # x_{1} w_{13}, x_{2} w_{23}
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

    @property
    def wide(self) -> bool:
        """More terms than one display row holds beside the formula: the numbers go on rows of their own."""
        # Computed outputs (0.693673) take more room than given inputs (0.35).
        beside = TERMS_BESIDE_FORMULA if self.sources_are_inputs else TERMS_BESIDE_FORMULA - 1
        return len(self.terms) + (self.bias is not None) > beside

    def substituted_rows_latex(self, digits: int) -> tuple[str, ...]:
        """substituted_latex cut into rows of TERMS_PER_ROW terms, for an aligned display."""
        given = self.sources_are_inputs
        pieces = [
            f"{chain.number_latex(a, digits, given)} \\cdot {chain.number_latex(w, digits, True)}"
            for a, w in self.terms
        ]
        if self.bias is not None:
            pieces.append(chain.number_latex(self.bias, digits, True))
        per_row = TERMS_PER_ROW if given else TERMS_PER_ROW - 1
        return chain.wrapped_sum_latex("", pieces, per_row, bracketed=False)

    @property
    def formula_rows_latex(self) -> tuple[str, ...]:
        """formula_latex cut into rows of FORMULA_TERMS_PER_ROW terms, for an aligned display."""
        return chain.wrapped_sum_latex("", self.formula_terms_latex, FORMULA_TERMS_PER_ROW, bracketed=False)

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
        formula_terms_latex=tuple(pieces_latex),
        formula_text=" + ".join(pieces_text),
        terms=tuple((forward.value(derivation.output_symbols[i]), parameters[weight_name(i, j)]) for i in sources),
        bias=bias,
        applied_latex=derivation.latex(derivation.activation_expressions[j]),
        applied_text=derivation.text(derivation.activation_expressions[j]),
        sources_are_inputs=sources_are_inputs,
    )
