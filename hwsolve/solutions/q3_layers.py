"""Each layer's activation as the write-up names it: one entry when every layer has the same one.

Public API: ``LayerActivation`` (the neurons of one or more layers, the
activation's name, its words, its LaTeX formula and derivative) and
``layer_activations(derivation)``: one per run of layers with the same
activation, inputs excluded.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsolve.derive.backprop import NetworkDerivation
from hwsolve.derive.backprop_activations import activation_derivative_latex, activation_latex, activation_words


@dataclass(frozen=True)
class LayerActivation:
    name: str  # canonical: sigmoid, leaky_relu:0.2, softmax
    neurons: tuple[int, ...]
    where: str  # "neurons 3, 4", "the output layer (neurons 5, 6)"
    words: str
    latex: str
    derivative_latex: str


def _where(neurons: tuple[int, ...], is_output: bool, is_every: bool) -> str:
    if is_every:
        return "every layer"
    listed = ", ".join(map(str, neurons))
    return (
        f"the output layer (neuron{'s' if len(neurons) > 1 else ''} {listed})"
        if is_output
        else (f"hidden neuron{'s' if len(neurons) > 1 else ''} {listed}")
    )


def layer_activations(derivation: NetworkDerivation) -> tuple[LayerActivation, ...]:
    """Consecutive layers with the same activation are named together; one entry when all agree."""
    layers = derivation.neuron_layers[1:]
    runs: list[tuple[str, list[int], bool]] = []
    for depth, (name, layer) in enumerate(zip(derivation.activations, layers), start=1):
        is_output = depth == len(layers)
        if runs and runs[-1][0] == name and not is_output:
            runs[-1][1].extend(layer)
        else:
            runs.append((name, list(layer), is_output))
    if len(set(derivation.activations)) == 1:
        runs = [(derivation.activations[0], [j for layer in layers for j in layer], True)]
    every = len(runs) == 1
    return tuple(
        LayerActivation(
            name,
            tuple(neurons),
            _where(tuple(neurons), is_output, every),
            activation_words(name),
            activation_latex(name),
            activation_derivative_latex(name),
        )
        for name, neurons, is_output in runs
    )
