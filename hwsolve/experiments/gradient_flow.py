"""Q1d: gradient norm per layer at initialisation in a deep MLP (float64).

A `depth`-layer MLP (width -> width -> ... -> 10 classes) with the same
activation after every hidden layer, one seeded batch of N(0, 1) inputs and
random labels, cross-entropy loss. At initialisation we record ||dL/dW_l||_F
for every layer l = 1 (input side) .. depth (output side), under torch's
default nn.Linear initialisation and under Xavier (sigmoid, tanh) or He
(ReLU) initialisation.

Backpropagation multiplies by W^T and then by f'(z) at every hidden layer, and
sigmoid' <= 1/4, so in a sigmoid network the gradient shrinks by a roughly
constant factor per layer. We fit that factor as exp(-slope) of a least-squares
line through log ||dL/dW_l|| over the hidden layers 2..depth-1 (layer 1 sees the
raw inputs and layer `depth` has no activation after it), and compare it with
the bound max sigmoid' * ||W||_2 = ||W||_2 / 4.

Key numbers: GradientFlowResult.norms[init][activation] (list per layer),
GradientFlowResult.sigmoid_fits[init].{factor, bound_quarter, bound_with_weights}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from hwsolve.experiments.threads import torch_threads
from hwsolve.problem.q1 import GradientFlowProblem

CLASSES = 10
ACTIVATION_MODULES = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}


@dataclass(frozen=True)
class ShrinkFit:
    initialisation: str
    factor: float  # geometric per-layer ratio ||dW_l|| / ||dW_{l+1}|| from the fitted line
    r_squared: float  # of the line through log norms: near 1 means "roughly constant factor"
    layer_ratios: tuple[float, ...]  # ||dW_l|| / ||dW_{l+1}|| for the fitted layers
    bound_quarter: float  # max sigmoid' = 1/4
    mean_spectral_norm: float  # mean ||W_l||_2 over the hidden weight matrices that the gradient passes
    bound_with_weights: float  # (1/4) * max ||W_l||_2: no layer can shrink less than this allows


@dataclass(frozen=True)
class GradientFlowResult:
    problem: GradientFlowProblem
    seed: int
    norms: dict[str, dict[str, list[float]]]  # initialisation -> activation -> ||dL/dW_l||, l = 1..depth
    sigmoid_fits: dict[str, ShrinkFit]  # initialisation -> fit


def build_mlp(problem: GradientFlowProblem, activation: str, initialisation: str, seed: int) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for index in range(problem.depth):
            last = index == problem.depth - 1
            linear = torch.nn.Linear(problem.width, CLASSES if last else problem.width, dtype=torch.float64)
            if initialisation == "xavier_he":
                if activation == "relu":
                    torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
                else:
                    torch.nn.init.xavier_uniform_(linear.weight, gain=torch.nn.init.calculate_gain(activation))
                torch.nn.init.zeros_(linear.bias)
            elif initialisation != "default":
                raise ValueError(f"unknown initialisation {initialisation!r}")
            layers.append(linear)
            if not last:
                layers.append(ACTIVATION_MODULES[activation]())
    return torch.nn.Sequential(*layers)


def gradient_norms(model: torch.nn.Sequential, inputs: torch.Tensor, labels: torch.Tensor) -> list[float]:
    model.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(model(inputs), labels).backward()
    return [layer.weight.grad.norm().item() for layer in model if isinstance(layer, torch.nn.Linear)]


def fit_shrink_factor(norms: list[float], model: torch.nn.Sequential, initialisation: str) -> ShrinkFit:
    depth = len(norms)
    layers = list(range(2, depth))  # 1-based hidden layers 2..depth-1
    logs = [math.log(norms[layer - 1]) for layer in layers]
    mean_x, mean_y = sum(layers) / len(layers), sum(logs) / len(logs)
    sxx = sum((x - mean_x) ** 2 for x in layers)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(layers, logs)) / sxx
    residual = sum((y - (mean_y + slope * (x - mean_x))) ** 2 for x, y in zip(layers, logs))
    total = sum((y - mean_y) ** 2 for y in logs)
    ratios = tuple(norms[layer - 1] / norms[layer] for layer in layers[:-1])
    weights = [layer.weight.detach() for layer in model if isinstance(layer, torch.nn.Linear)]
    # The gradient reaching layer l has passed W_{l+1}^T; those are weights 3..depth-1 for the fitted layers.
    spectral = [torch.linalg.matrix_norm(weight, ord=2).item() for weight in weights[2 : depth - 1]]
    return ShrinkFit(
        initialisation,
        factor=math.exp(-slope),
        r_squared=1.0 - residual / total if total > 0 else 1.0,
        layer_ratios=ratios,
        bound_quarter=0.25,
        mean_spectral_norm=sum(spectral) / len(spectral),
        bound_with_weights=0.25 * max(spectral),
    )


def run_gradient_flow(problem: GradientFlowProblem = GradientFlowProblem(), seed: int = 0) -> GradientFlowResult:
    with torch_threads(1):  # small matrices: threads only add waiting on a shared CPU
        return _run_gradient_flow(problem, seed)


def _run_gradient_flow(problem: GradientFlowProblem, seed: int) -> GradientFlowResult:
    if problem.depth < 4:
        raise ValueError("need at least 4 layers to fit a per-layer factor")
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(problem.batch_size, problem.width, generator=generator, dtype=torch.float64)
    labels = torch.randint(0, CLASSES, (problem.batch_size,), generator=generator)
    norms: dict[str, dict[str, list[float]]] = {}
    fits: dict[str, ShrinkFit] = {}
    for initialisation in problem.initialisations:
        norms[initialisation] = {}
        for activation in problem.activations:
            model = build_mlp(problem, activation, initialisation, seed)
            norms[initialisation][activation] = gradient_norms(model, inputs, labels)
            if activation == "sigmoid":
                fits[initialisation] = fit_shrink_factor(norms[initialisation][activation], model, initialisation)
    return GradientFlowResult(problem, seed, norms, fits)
