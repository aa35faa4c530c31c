"""Q1d: how the gradient changes from layer to layer at initialisation in a deep MLP (float64).

A `depth`-layer MLP (width -> width -> ... -> 10 classes) with the same
activation after every hidden layer, one seeded batch of N(0, 1) inputs and
random labels, cross-entropy loss. At initialisation, under torch's default
nn.Linear initialisation and under Xavier (sigmoid, tanh) or He (ReLU)
initialisation, we record for every layer l = 1 (input side) .. depth:

- ||dL/dW_l||_F, the weight gradient the optimiser sees;
- ||delta_l||_F, the gradient with respect to the pre-activation z_l over the
  batch, which backpropagation computes as delta_l = f'(z_l) * (delta_{l+1} W_{l+1});
- ||W_l||_2, the spectral norm (the most W_l^T can stretch a vector), and
  ||W_l||_F / sqrt(rows), what it does to a typical one (E||W^T v||^2 =
  ||W||_F^2 / rows * ||v||^2 for a v of random direction);
- the RMS of f'(z_l) over the batch.

From delta_l = f'(z_l) * (delta_{l+1} W_{l+1}) follows the per-layer bound
||delta_l|| <= max f' * ||W_{l+1}||_2 * ||delta_{l+1}||: for sigmoid,
(1/4) ||W_{l+1}||_2, which is below 1 only when ||W_{l+1}||_2 < 4. We also fit a
per-layer factor of the weight gradients as exp(-slope) of a least-squares line
through log ||dL/dW_l|| over the hidden layers 2..depth-1 (layer 1 sees the raw
inputs and layer `depth` has no activation after it): an observation, which
the bound need not explain.

Key numbers: GradientFlowResult.norms[init][activation] (||dL/dW_l||, list per
layer), .layers[init][activation] (LayerStatistics), .fits[init][activation] (ShrinkFit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from hwsolve.problem.q1 import GradientFlowProblem
from hwsolve.threads import torch_threads

CLASSES = 10
ACTIVATION_MODULES = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}
# Xavier's gain for the saturating activations (ReLU gets He's initialisation instead).
XAVIER_GAINS = {name: torch.nn.init.calculate_gain(name) for name in ("sigmoid", "tanh")}


@dataclass(frozen=True)
class ShrinkFit:
    initialisation: str
    activation: str
    factor: float  # geometric per-layer ratio ||dW_l|| / ||dW_{l+1}|| from the fitted line
    r_squared: float  # of the line through log norms: near 1 means "roughly constant factor"
    layer_ratios: tuple[float, ...]  # ||dW_l|| / ||dW_{l+1}|| for the fitted layers


@dataclass(frozen=True)
class LayerStatistics:
    """Per layer l = 1..depth (index l - 1); the last layer has no activation."""

    delta_norms: list[float]  # ||dL/dz_l||_F over the batch
    spectral_norms: list[float]  # ||W_l||_2
    typical_gains: list[float]  # ||W_l||_F / sqrt(rows): how much W_l^T stretches a typical (random-direction) vector
    rms_derivative: list[float]  # sqrt(mean f'(z_l)^2) over the batch and units, hidden layers only (depth - 1 values)

    @property
    def delta_ratios(self) -> list[float]:
        """||delta_l|| / ||delta_{l+1}||, l = 1..depth-1."""
        return [low / high for low, high in zip(self.delta_norms[:-1], self.delta_norms[1:])]


@dataclass(frozen=True)
class GradientFlowResult:
    problem: GradientFlowProblem
    seed: int
    norms: dict[str, dict[str, list[float]]]  # initialisation -> activation -> ||dL/dW_l||, l = 1..depth
    layers: dict[str, dict[str, LayerStatistics]]  # initialisation -> activation -> per-layer statistics
    fits: dict[str, dict[str, ShrinkFit]]  # initialisation -> activation -> fit of the weight-gradient norms


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
                    torch.nn.init.xavier_uniform_(linear.weight, gain=XAVIER_GAINS[activation])
                torch.nn.init.zeros_(linear.bias)
            elif initialisation != "default":
                raise ValueError(f"unknown initialisation {initialisation!r}")
            layers.append(linear)
            if not last:
                layers.append(ACTIVATION_MODULES[activation]())
    return torch.nn.Sequential(*layers)


def _forward_keeping_pre_activations(
    model: torch.nn.Sequential, inputs: torch.Tensor
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    pre_activations: list[torch.Tensor] = []
    hidden = inputs
    for module in model:
        hidden = module(hidden)
        if isinstance(module, torch.nn.Linear):
            hidden.retain_grad()
            pre_activations.append(hidden)
    return hidden, pre_activations


def _rms_derivative(model: torch.nn.Sequential, pre_activation: torch.Tensor) -> float:
    activation = next(module for module in model if not isinstance(module, torch.nn.Linear))
    z = pre_activation.detach().clone().requires_grad_(True)
    (derivative,) = torch.autograd.grad(activation(z).sum(), z)  # elementwise, so this is f'(z)
    return derivative.pow(2).mean().sqrt().item()


def layer_statistics(
    model: torch.nn.Sequential, inputs: torch.Tensor, labels: torch.Tensor
) -> tuple[list[float], LayerStatistics]:
    """||dL/dW_l|| per layer, and the statistics behind the per-layer bound."""
    model.zero_grad(set_to_none=True)
    logits, pre_activations = _forward_keeping_pre_activations(model, inputs)
    torch.autograd.backward(torch.nn.functional.cross_entropy(logits, labels))
    linears = [module for module in model if isinstance(module, torch.nn.Linear)]
    statistics = LayerStatistics(
        delta_norms=[_gradient_norm(z) for z in pre_activations],
        spectral_norms=[torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item() for layer in linears],
        typical_gains=[(layer.weight.detach().norm() / math.sqrt(layer.out_features)).item() for layer in linears],
        rms_derivative=[_rms_derivative(model, z) for z in pre_activations[:-1]],
    )
    return [_gradient_norm(layer.weight) for layer in linears], statistics


def _gradient_norm(tensor: torch.Tensor) -> float:
    """||dL/d tensor||_F after the backward pass; every tensor asked about is on the loss's path."""
    if tensor.grad is None:
        raise RuntimeError("the backward pass left no gradient on a layer it runs through")
    return float(tensor.grad.norm())


def gradient_norms(model: torch.nn.Sequential, inputs: torch.Tensor, labels: torch.Tensor) -> list[float]:
    return layer_statistics(model, inputs, labels)[0]


def fit_shrink_factor(norms: list[float], initialisation: str, activation: str) -> ShrinkFit:
    depth = len(norms)
    layers = list(range(2, depth))  # 1-based hidden layers 2..depth-1
    logs = [math.log(norms[layer - 1]) for layer in layers]
    mean_x, mean_y = sum(layers) / len(layers), sum(logs) / len(logs)
    sxx = sum((x - mean_x) ** 2 for x in layers)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(layers, logs)) / sxx
    residual = sum((y - (mean_y + slope * (x - mean_x))) ** 2 for x, y in zip(layers, logs))
    total = sum((y - mean_y) ** 2 for y in logs)
    ratios = tuple(norms[layer - 1] / norms[layer] for layer in layers[:-1])
    return ShrinkFit(initialisation, activation, math.exp(-slope), 1.0 - residual / total if total > 0 else 1.0, ratios)


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
    layers: dict[str, dict[str, LayerStatistics]] = {}
    fits: dict[str, dict[str, ShrinkFit]] = {}
    for initialisation in problem.initialisations:
        norms[initialisation], layers[initialisation], fits[initialisation] = {}, {}, {}
        for activation in problem.activations:
            model = build_mlp(problem, activation, initialisation, seed)
            weight_norms, statistics = layer_statistics(model, inputs, labels)
            norms[initialisation][activation] = weight_norms
            layers[initialisation][activation] = statistics
            fits[initialisation][activation] = fit_shrink_factor(weight_norms, initialisation, activation)
    return GradientFlowResult(problem, seed, norms, layers, fits)
