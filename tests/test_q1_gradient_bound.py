"""Q1(d): the per-layer bound is max f' * ||W||_2 (for sigmoid (1/4) ||W||_2, not 1/4), checked by hand.

delta_l = f'(z_l) * (delta_{l+1} W_{l+1}) is recomputed here from the weights
with numpy (no autograd), and ||W||_2 from numpy's SVD.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hwsolve.check.q1_activation_bounds import autograd_derivative_at
from hwsolve.derive.q1_activation_bounds import Z, derive_activation_bounds
from hwsolve.experiments.gradient_flow import build_mlp
from hwsolve.problem.q1 import GradientFlowProblem
from hwsolve.solutions.q1 import solve_q1d

DERIVATIVES = {
    "sigmoid": lambda z: (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z))),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),  # relu'(0) = 0, as in torch
}
ACTIVATIONS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
MAX_DERIVATIVE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}


def _deltas_by_hand(weights, biases, inputs, labels, activation):
    """||delta_l||_F for every layer, by the delta recursion in numpy."""
    hidden, pre = inputs, []
    for index, (weight, bias) in enumerate(zip(weights, biases)):
        z = hidden @ weight.T + bias
        pre.append(z)
        hidden = z if index == len(weights) - 1 else ACTIVATIONS[activation](z)
    shifted = np.exp(hidden - hidden.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    delta = (probabilities - np.eye(probabilities.shape[1])[labels]) / len(labels)
    norms = [np.linalg.norm(delta)]
    for index in range(len(weights) - 1, 0, -1):
        delta = (delta @ weights[index]) * DERIVATIVES[activation](pre[index - 1])
        norms.append(np.linalg.norm(delta))
    return norms[::-1]


def _inputs(problem, seed):
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(problem.batch_size, problem.width, generator=generator, dtype=torch.float64)
    labels = torch.randint(0, 10, (problem.batch_size,), generator=generator)
    return inputs.numpy(), labels.numpy()


def _weights(model):
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    return [m.weight.detach().numpy() for m in linears], [m.bias.detach().numpy() for m in linears]


PROBLEM = GradientFlowProblem(depth=6, width=24, batch_size=40)


@pytest.fixture(scope="module")
def solution():
    return solve_q1d(PROBLEM, seed=3)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("initialisation", ["default", "xavier_he"])
def test_ratios_and_bounds_match_a_direct_computation(solution, activation, initialisation):
    weights, biases = _weights(build_mlp(PROBLEM, activation, initialisation, seed=3))
    deltas = _deltas_by_hand(weights, biases, *_inputs(PROBLEM, 3), activation)
    ratios = [low / high for low, high in zip(deltas[:-1], deltas[1:])]
    bounds = [MAX_DERIVATIVE[activation] * np.linalg.svd(weight, compute_uv=False)[0] for weight in weights[1:]]
    factor = solution.factor(initialisation, activation)
    assert factor.delta_ratios == pytest.approx(ratios, rel=1e-9)
    assert factor.bounds == pytest.approx(bounds, rel=1e-9)
    assert all(ratio <= bound for ratio, bound in zip(ratios, bounds))


def test_a_quarter_alone_is_not_a_bound_for_sigmoid():
    """Scale the weights up: the per-layer ratio passes 1/4, but never (1/4) ||W||_2."""
    weights, biases = _weights(build_mlp(PROBLEM, "sigmoid", "default", seed=3))
    weights = [8.0 * weight for weight in weights]
    deltas = _deltas_by_hand(weights, [0 * b for b in biases], *_inputs(PROBLEM, 3), "sigmoid")
    ratios = [low / high for low, high in zip(deltas[:-1], deltas[1:])]
    bounds = [0.25 * np.linalg.svd(weight, compute_uv=False)[0] for weight in weights[1:]]
    assert max(ratios) > 0.25
    assert all(ratio <= bound for ratio, bound in zip(ratios, bounds))


def test_relu_derivative_at_zero_is_zero_as_in_torch(solution):
    relu = derive_activation_bounds()["relu"]
    assert relu.derivative.subs(Z, 0) == 0 and relu.derivative.subs(Z, 1) == 1
    z = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    torch.relu(z).backward()
    assert z.grad.item() == 0.0 == autograd_derivative_at("relu", 0.0)
    assert solution.relu_derivative_at_zero == 0.0
