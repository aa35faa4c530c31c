"""Numerical check of the activation-derivative maxima (Q1d) with autograd, float64.

torch differentiates sigmoid, tanh and ReLU on a dense grid containing 0; the
largest derivative found must equal the symbolic maximum (and never exceed it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from hwsolve.errors import VerificationError
from hwsolve.threads import torch_threads

GRID = torch.linspace(-10.0, 10.0, 200_001, dtype=torch.float64)  # step 1e-4, contains 0 exactly
FUNCTIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


@dataclass(frozen=True)
class DerivativeMaxCheck:
    name: str
    autograd_max: float  # largest autograd derivative on GRID
    at: float  # where it occurs
    symbolic_max: float
    difference: float  # |autograd_max - symbolic_max|


def check_derivative_max(name: str, symbolic_max: float) -> DerivativeMaxCheck:
    z = GRID.clone().requires_grad_(True)
    with torch_threads(1):
        (derivative,) = torch.autograd.grad(FUNCTIONS[name](z).sum(), z)
    index = int(derivative.argmax())
    found = derivative[index].item()
    difference = abs(found - symbolic_max)
    if difference > 1e-12 or found > symbolic_max + 1e-15:
        raise VerificationError(f"{name}: autograd maximum {found} differs from the symbolic {symbolic_max}")
    return DerivativeMaxCheck(name, found, GRID[index].item(), symbolic_max, difference)


def autograd_derivative_at(name: str, point: float) -> float:
    """torch's derivative of the activation at one point (float64): e.g. relu at 0 gives 0."""
    z = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (derivative,) = torch.autograd.grad(FUNCTIONS[name](z), z)
    return derivative.item()
