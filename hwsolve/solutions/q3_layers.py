"""Each layer's activation as the write-up names it: one entry when every layer has the same one.

Public API: ``LayerActivation`` (the neurons of one or more layers, the
activation's name, its words, its LaTeX formula and derivative) and
``layer_activations(derivation)``: one per run of layers with the same
activation, inputs excluded. The words (``words``, ``where``) are said in the
active language when they are read (hwsolve.i18n).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hwsolve.derive.backprop import NetworkDerivation
from hwsolve.derive.backprop_activations import ACTIVATION_WORDS, activation_derivative_latex, activation_latex
from hwsolve.i18n import _, ngettext
from hwsolve.problem.q3 import activation_base, activation_slope


@dataclass(frozen=True)
class LayerActivation:
    name: str  # canonical: sigmoid, leaky_relu:0.2, softmax
    neurons: tuple[int, ...]
    scope: Literal["every", "output", "hidden"]  # every layer, the output layer, or hidden layers
    latex: str
    derivative_latex: str

    @property
    def where(self) -> str:
        """'hidden neurons 3, 4', 'the output layer (neurons 5, 6)' or 'every layer'."""
        if self.scope == "every":
            return _("every layer")
        listed = _(", ").join(map(str, self.neurons))
        if self.scope == "output":
            text = ngettext(
                "the output layer (neuron {neurons})", "the output layer (neurons {neurons})", len(self.neurons)
            )
        else:
            text = ngettext("hidden neuron {neurons}", "hidden neurons {neurons}", len(self.neurons))
        return text.format(neurons=listed)

    @property
    def words(self) -> str:
        """'leaky_relu:0.2' -> 'leaky ReLU (slope 0.2)'."""
        return activation_words(self.name)

    @property
    def starts_with_vowel(self) -> bool:
        """Whether the English words start with a vowel ('an identity (linear) output')."""
        return ACTIVATION_WORDS[activation_base(self.name)][0] in "aeiou"


def activation_words(name: str) -> str:
    """The activation in words, in the active language: 'leaky_relu:0.2' -> 'leaky ReLU (slope 0.2)'."""
    slope = activation_slope(name)
    words = _(ACTIVATION_WORDS[activation_base(name)])
    return words if slope is None else _("{activation} (slope {slope})").format(activation=words, slope=repr(slope))


def _scope(is_output: bool, is_every: bool) -> Literal["every", "output", "hidden"]:
    return "every" if is_every else "output" if is_output else "hidden"


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
            _scope(is_output, every),
            activation_latex(name),
            activation_derivative_latex(name),
        )
        for name, neurons, is_output in runs
    )
