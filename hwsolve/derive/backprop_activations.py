"""Activation functions as SymPy functions that differentiate and print like a textbook.

SymPy's own forms are correct but unreadable for a student (the derivative of
1/(1+e^-z) comes out as e^-z/(1+e^-z)^2). These small Function classes keep
sigma(z) as a symbol whose derivative is sigma(z)(1 - sigma(z)), and ReLU's
derivative as the step 1[z > 0] (0 at z = 0, as torch does).

A leaky ReLU keeps its slope as a second argument, and its derivative is
1[z > 0] + slope 1[z <= 0] (the slope at z = 0, as torch does). softmax is
not a function of one neuron: ``softmax_outputs`` gives a layer's outputs
e^{O_k} / sum_m e^{O_m}, and ``softmax_jacobian`` each dy_m/dO_k written in
the outputs, y_m (1[m = k] - y_k), which a test proves equal to SymPy's
derivative of the exponential form.

Public API: ``activation(name)`` returns a callable Expr -> Expr for an
elementwise activation ("leaky_relu:0.2" included; from
``SYMPY_ACTIVATIONS``, keyed by hwsolve.problem.q3.ACTIVATIONS);
``ACTIVATION_WORDS`` names each one in words, ``ACTIVATION_LATEX`` as a formula, and
``ACTIVATION_DERIVATIVE_LATEX`` states its derivative (no thin-space
commands, so the same string serves Markdown math on GitHub);
``activation_words(name)``/``activation_latex(name)``/
``activation_derivative_latex(name)`` fill in a leaky ReLU's slope.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.printing.printer import Printer

from hwsolve.i18n import N_
from hwsolve.numbers import format_number_latex
from hwsolve.problem.q3 import ACTIVATIONS, ELEMENTWISE, activation_base, activation_slope


def _argument(printer: Printer, argument: sp.Expr) -> str:
    """The printed argument of f(...): a substituted negative number brings its own brackets, which f's replace."""
    text: str = printer._print(argument)
    if argument.is_Symbol:
        for opening, closing in ((r"\left(", r"\right)"), ("(", ")")):
            if text.startswith(opening) and text.endswith(closing):
                return text[len(opening) : -len(closing)]
    return text


# SymPy's own functions are lower-case (sp.tanh), so these are too.
class sigmoid(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """The logistic function 1 / (1 + e^-z)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return sp.Mul(sigmoid(z), 1 - sigmoid(z), evaluate=False)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **hints: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer: Printer) -> str:
        return rf"\sigma\left({_argument(printer, self.args[0])}\right)"

    def _sympystr(self, printer: Printer) -> str:
        return f"σ({_argument(printer, self.args[0])})"


class relu_step(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """ReLU's derivative: 1 where z > 0, else 0 (torch's choice at z = 0)."""

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_number and z.is_extended_real:
            return sp.Integer(1) if z > 0 else sp.Integer(0)
        return None

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        value = self.args[0]._eval_evalf(prec)
        return None if value is None else sp.Integer(1 if value > 0 else 0)

    def _latex(self, printer: Printer) -> str:
        return rf"\mathbf{{1}}\left[{_argument(printer, self.args[0])} > 0\right]"

    def _sympystr(self, printer: Printer) -> str:
        return f"1[{_argument(printer, self.args[0])} > 0]"


class relu(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """max(0, z)."""

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_number and z.is_extended_real:
            return sp.Max(0, z)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return relu_step(self.args[0])

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        value = self.args[0]._eval_evalf(prec)
        return None if value is None else sp.Max(0, value)

    def _latex(self, printer: Printer) -> str:
        return rf"\operatorname{{ReLU}}\left({_argument(printer, self.args[0])}\right)"

    def _sympystr(self, printer: Printer) -> str:
        return f"ReLU({_argument(printer, self.args[0])})"


def _slope_text(slope: sp.Expr) -> str:
    # The slope is a given float, written as given (0.01), not at 30 digits.
    return repr(float(slope))


class leaky_relu_step(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """The leaky ReLU's derivative: 1 where z > 0, else the slope (torch's choice at z = 0)."""

    @classmethod
    def eval(cls, z: sp.Expr, slope: sp.Expr) -> sp.Expr | None:
        if z.is_number and z.is_extended_real:
            return sp.Integer(1) if z > 0 else slope
        return None

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        value = self.args[0]._eval_evalf(prec)
        return None if value is None else (sp.Integer(1) if value > 0 else self.args[1])

    def _latex(self, printer: Printer) -> str:
        z = _argument(printer, self.args[0])
        return rf"\operatorname{{LReLU}}'_{{{_slope_text(self.args[1])}}}\left({z}\right)"

    def _sympystr(self, printer: Printer) -> str:
        return f"LReLU'_{_slope_text(self.args[1])}({_argument(printer, self.args[0])})"


class leaky_relu(sp.Function):  # type: ignore[misc]  # SymPy ships no types, so sp.Function is Any to mypy
    """z where z > 0, else slope * z."""

    @classmethod
    def eval(cls, z: sp.Expr, slope: sp.Expr) -> sp.Expr | None:
        if z.is_number and z.is_extended_real:
            return z if z > 0 else slope * z
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)  # the slope is a given constant
        return leaky_relu_step(*self.args)

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        value = self.args[0]._eval_evalf(prec)
        return None if value is None else (value if value > 0 else self.args[1] * value)

    def _latex(self, printer: Printer) -> str:
        return rf"\operatorname{{LReLU}}_{{{_slope_text(self.args[1])}}}\left({_argument(printer, self.args[0])}\right)"

    def _sympystr(self, printer: Printer) -> str:
        return f"LReLU_{_slope_text(self.args[1])}({_argument(printer, self.args[0])})"


def identity(z: sp.Expr) -> sp.Expr:
    return z


def _leaky(z: sp.Expr, slope: float) -> sp.Expr:
    # The slope enters as its exact binary value, as every given float does.
    return leaky_relu(z, sp.Float(slope, 30))


def softmax_outputs(nets: list[sp.Expr]) -> list[sp.Expr]:
    """A softmax layer's outputs e^{O_k} / sum_m e^{O_m}, one per net input."""
    total = sp.Add(*[sp.exp(net) for net in nets], evaluate=False)  # in neuron order when printed
    return [sp.exp(net) / total for net in nets]


def softmax_jacobian(outputs: list[sp.Symbol], m: int, k: int) -> sp.Expr:
    """dy_m/dO_k of a softmax layer, written in its outputs: y_k (1 - y_k) on the diagonal, -y_m y_k off it."""
    if m == k:
        return sp.Mul(outputs[k], 1 - outputs[k], evaluate=False)
    return sp.Mul(-1, outputs[m], outputs[k], evaluate=False)


# These registries are keyed by problem.q3.ACTIVATIONS, the one list of
# names; a test checks that each covers exactly those names. softmax is a
# layer's function (softmax_outputs), every other one a neuron's.
SYMPY_ACTIVATIONS: dict[str, Callable[..., sp.Expr] | Callable[[list[sp.Expr]], list[sp.Expr]]] = {
    "sigmoid": sigmoid,
    "tanh": sp.tanh,
    "relu": relu,
    "leaky_relu": _leaky,
    "identity": identity,
    "softmax": softmax_outputs,
}

# How the write-up's question names each activation in words (in English; a document translates them where it
# says them, hwsolve.solutions.q3_layers).
ACTIVATION_WORDS: dict[str, str] = {
    "sigmoid": N_("sigmoid"),
    "tanh": N_("tanh"),
    "relu": N_("ReLU"),
    "leaky_relu": N_("leaky ReLU"),
    "identity": N_("identity (linear)"),
    "softmax": N_("softmax"),
}

ACTIVATION_LATEX: dict[str, str] = {
    "sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    "tanh": r"\tanh(z)",
    "relu": r"\operatorname{ReLU}(z) = \max(0, z)",
    "leaky_relu": r"\operatorname{LReLU}_{\alpha}(z) = z \text{ for } z > 0 \text{, } \alpha z \text{ otherwise}",
    "identity": r"f(z) = z",
    "softmax": r"y_k = \operatorname{softmax}(O)_k = \frac{e^{O_k}}{\sum_m e^{O_m}}",
}


ACTIVATION_DERIVATIVE_LATEX: dict[str, str] = {
    "sigmoid": r"\sigma'(z) = \sigma(z)\left(1 - \sigma(z)\right)",
    "tanh": r"\tanh'(z) = 1 - \tanh^{2}(z)",
    "relu": r"\operatorname{ReLU}'(z) = \mathbf{1}[z > 0]",
    "leaky_relu": r"\operatorname{LReLU}_{\alpha}'(z) = 1 \text{ for } z > 0 \text{, } \alpha \text{ otherwise}",
    "identity": r"f'(z) = 1",
    "softmax": r"\frac{\partial y_m}{\partial O_k} = y_m \left(\mathbf{1}[m = k] - y_k\right)",
}


def _with_slope(text: str, name: str) -> str:
    slope = activation_slope(name)
    return text if slope is None else text.replace(r"\alpha", format_number_latex(slope, 6))


def activation_words(name: str) -> str:
    """'leaky_relu:0.2' -> 'leaky ReLU (slope 0.2)'."""
    slope = activation_slope(name)
    words = ACTIVATION_WORDS[activation_base(name)]
    return words if slope is None else f"{words} (slope {slope!r})"


def activation_latex(name: str) -> str:
    return _with_slope(ACTIVATION_LATEX[activation_base(name)], name)


def activation_derivative_latex(name: str) -> str:
    return _with_slope(ACTIVATION_DERIVATIVE_LATEX[activation_base(name)], name)


def activation(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """The SymPy activation called `name` (sigmoid, tanh, relu, leaky_relu[:slope], identity), of one neuron."""
    base = activation_base(name)
    if base not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r} (choose from {', '.join(ACTIVATIONS)})")
    if base not in ELEMENTWISE:
        raise ValueError(f"{base} is a function of a whole layer (softmax_outputs), not of one neuron")
    slope = activation_slope(name)
    if slope is not None:
        return lambda z: _leaky(z, slope)
    function: Callable[[sp.Expr], sp.Expr] = SYMPY_ACTIVATIONS[base]
    return function
