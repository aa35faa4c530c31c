"""Activation functions as SymPy functions that differentiate and print like a textbook.

SymPy's own forms are correct but unreadable for a student (the derivative of
1/(1+e^-z) comes out as e^-z/(1+e^-z)^2). These small Function classes keep
sigma(z) as a symbol whose derivative is sigma(z)(1 - sigma(z)), and ReLU's
derivative as the step 1[z > 0] (0 at z = 0, as torch does).

Public API: ``activation(name)`` returns a callable Expr -> Expr (from
``SYMPY_ACTIVATIONS``, keyed by hwsolve.problem.q3.ACTIVATIONS);
``ACTIVATION_WORDS`` names each one in words, ``ACTIVATION_LATEX`` as a formula, and
``ACTIVATION_DERIVATIVE_LATEX`` states its derivative (no thin-space
commands, so the same string serves Markdown math on GitHub).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.printing.printer import Printer

from hwsolve.problem.q3 import ACTIVATIONS


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
        return rf"\sigma\left({printer._print(self.args[0])}\right)"

    def _sympystr(self, printer: Printer) -> str:
        return f"σ({printer._print(self.args[0])})"


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
        return rf"\mathbf{{1}}\left[{printer._print(self.args[0])} > 0\right]"

    def _sympystr(self, printer: Printer) -> str:
        return f"1[{printer._print(self.args[0])} > 0]"


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
        return rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)"

    def _sympystr(self, printer: Printer) -> str:
        return f"ReLU({printer._print(self.args[0])})"


def identity(z: sp.Expr) -> sp.Expr:
    return z


# These three registries are keyed by problem.q3.ACTIVATIONS, the one list of
# names; a test checks that each covers exactly those names.
SYMPY_ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sigmoid": sigmoid,
    "tanh": sp.tanh,
    "relu": relu,
    "identity": identity,
}

# How the write-up's question names each activation in words.
ACTIVATION_WORDS: dict[str, str] = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "identity": "identity (linear)",
}

ACTIVATION_LATEX: dict[str, str] = {
    "sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    "tanh": r"\tanh(z)",
    "relu": r"\operatorname{ReLU}(z) = \max(0, z)",
    "identity": r"f(z) = z",
}


ACTIVATION_DERIVATIVE_LATEX: dict[str, str] = {
    "sigmoid": r"\sigma'(z) = \sigma(z)\left(1 - \sigma(z)\right)",
    "tanh": r"\tanh'(z) = 1 - \tanh^{2}(z)",
    "relu": r"\operatorname{ReLU}'(z) = \mathbf{1}[z > 0]",
    "identity": r"f'(z) = 1",
}


def activation(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """The SymPy activation called `name` (sigmoid, tanh, relu, identity)."""
    try:
        return SYMPY_ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r} (choose from {', '.join(ACTIVATIONS)})") from None
