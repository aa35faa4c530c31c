"""Numerical check of the linear collapse (Q1a) in torch float64.

- For several layer shapes, random weights and biases: the stacked layers and
  the closed-form collapse W = W1...WN, b = sum_k b_k W_{k+1}...W_N agree.
- The counterexample: with ReLU or sigmoid between two layers, the best
  least-squares affine map X A + 1 c still leaves a residual, so no single
  affine layer reproduces the network. Without an activation the residual is
  rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from hwsolve.errors import VerificationError
from hwsolve.problem.q1 import LinearCollapseProblem

COLLAPSE_TOLERANCE = 1e-12  # relative to the largest output entry


@dataclass(frozen=True)
class CollapseCheck:
    shape: tuple[int, ...]  # widths d0, d1, ..., dN
    max_abs_difference: float
    max_relative_difference: float  # max|stacked - collapsed| / max|stacked|


@dataclass(frozen=True)
class AffineFitResidual:
    activation: str  # "none", "relu" or "sigmoid" between the two layers
    rms_residual: float  # RMS of Y - (X A + 1 c) at the least-squares optimum
    relative_residual: float  # ||Y - fit||_F / ||Y - mean(Y)||_F: 0 = affine, 1 = no better than a constant


def _random_stack(
    shape: tuple[int, ...], batch: int, generator: torch.Generator
) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    inputs = torch.randn(batch, shape[0], generator=generator, dtype=torch.float64)
    # 1/sqrt(fan_in) keeps every layer's output of order one, so a relative tolerance is meaningful.
    weights = [
        torch.randn(shape[k], shape[k + 1], generator=generator, dtype=torch.float64) / shape[k] ** 0.5
        for k in range(len(shape) - 1)
    ]
    biases = [torch.randn(1, shape[k + 1], generator=generator, dtype=torch.float64) for k in range(len(shape) - 1)]
    return inputs, weights, biases


def collapse(weights: list[torch.Tensor], biases: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """W = W1...WN and b = sum_k b_k W_{k+1}...W_N, computed directly from the closed form."""
    weight = weights[0]
    for next_weight in weights[1:]:
        weight = weight @ next_weight
    bias = torch.zeros_like(biases[-1])
    for k, bias_k in enumerate(biases):
        term = bias_k
        for later_weight in weights[k + 1 :]:
            term = term @ later_weight
        bias = bias + term
    return weight, bias


def check_collapse(shape: tuple[int, ...], batch: int, generator: torch.Generator) -> CollapseCheck:
    inputs, weights, biases = _random_stack(shape, batch, generator)
    stacked = inputs
    for weight, bias in zip(weights, biases):
        stacked = stacked @ weight + bias  # broadcasting adds the row vector to every row, i.e. 1 b
    weight, bias = collapse(weights, biases)
    collapsed = inputs @ weight + bias
    difference = (stacked - collapsed).abs().max().item()
    relative = difference / stacked.abs().max().item()
    if relative > COLLAPSE_TOLERANCE:
        raise VerificationError(f"stacked and collapsed layers differ by {relative:.3g} (relative) for shape {shape}")
    return CollapseCheck(tuple(shape), difference, relative)


def best_affine_fit_residual(
    activation: str, shape: tuple[int, int, int], batch: int, generator: torch.Generator
) -> AffineFitResidual:
    """Fit X A + 1 c to a two-layer network by least squares and report what is left."""
    inputs, weights, biases = _random_stack(shape, batch, generator)
    nonlinearity = {"none": lambda h: h, "relu": torch.relu, "sigmoid": torch.sigmoid}[activation]
    # Scale the pre-activations up so the non-linearity is exercised over its curved range.
    hidden = nonlinearity(3.0 * (inputs @ weights[0] + biases[0]))
    outputs = hidden @ weights[1] + biases[1]
    design = torch.cat([inputs, torch.ones(batch, 1, dtype=torch.float64)], dim=1)
    solution = torch.linalg.lstsq(design, outputs, driver="gelsd").solution
    residual = outputs - design @ solution
    spread = outputs - outputs.mean(dim=0, keepdim=True)
    return AffineFitResidual(
        activation,
        rms_residual=residual.pow(2).mean().sqrt().item(),
        relative_residual=(residual.norm() / spread.norm()).item(),
    )


def check_linear_collapse(
    problem: LinearCollapseProblem = LinearCollapseProblem(), seed: int = 0
) -> tuple[list[CollapseCheck], list[AffineFitResidual]]:
    generator = torch.Generator().manual_seed(seed)
    checks = [check_collapse(shape, problem.batch_size, generator) for shape in problem.shapes]
    residuals = [
        best_affine_fit_residual(activation, problem.counterexample_shape, problem.counterexample_batch, generator)
        for activation in ("none", "relu", "sigmoid")
    ]
    return checks, residuals
