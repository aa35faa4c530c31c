"""An independent reference for Q3 tests: scalar-by-scalar torch autograd.

Written without hwsolve's network code (no weight matrices, no shared
helpers): every neuron is a float64 scalar tensor, every parameter a leaf, in
the style of micrograd. Tests compare hwsolve's SymPy values against this.
"""

from __future__ import annotations

import torch

ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + torch.exp(-z)),
    "tanh": torch.tanh,
    "relu": torch.relu,  # gradient 0 at z = 0 (torch.clamp would give 1 there)
    "leaky_relu": lambda z: torch.where(z > 0, z, 0.01 * z),  # torch's default slope; the slope at z = 0
    "identity": lambda z: z,
    "softmax": lambda z: torch.exp(z) / torch.exp(z).sum(),  # of a whole layer; one neuron alone gives 1
}


def name(i: int, j: int) -> str:
    return f"w{i}{j}" if i < 10 and j < 10 else f"w{i}_{j}"


def reference(layers, activation, loss, x, y, weights, biases=None):
    """(loss, outputs, {parameter: gradient}) by autograd on scalars."""
    act = ACTIVATIONS[activation]
    leaves = {
        key: torch.tensor(float(value), dtype=torch.float64, requires_grad=True) for key, value in weights.items()
    }
    for key, value in (biases or {}).items():
        leaves[key] = torch.tensor(float(value), dtype=torch.float64, requires_grad=True)
    neuron = 1
    previous = []
    for value in x:
        previous.append((neuron, torch.tensor(float(value), dtype=torch.float64)))
        neuron += 1
    for size in layers[1:]:
        current = []
        for _ in range(size):
            net = sum(leaves[name(i, neuron)] * out for i, out in previous)
            if biases:
                net = net + leaves[f"b{neuron}"]
            current.append((neuron, act(net)))
            neuron += 1
        previous = current
    outputs = [out for _, out in previous]
    total = sum((float(target) - out) ** 2 for target, out in zip(y, outputs))
    if loss == "half_mse":
        total = total / 2
    total.backward()
    gradients = {key: float(leaf.grad) if leaf.grad is not None else 0.0 for key, leaf in leaves.items()}
    return float(total.detach()), [float(out.detach()) for out in outputs], gradients


def reference_deltas(layers, activation, loss, x, y, weights, biases=None):
    """{neuron j: dL/dnet_j} by autograd on scalars: each net input keeps its gradient (retain_grad)."""
    act = ACTIVATIONS[activation]
    leaves = {
        key: torch.tensor(float(value), dtype=torch.float64) for key, value in {**weights, **(biases or {})}.items()
    }
    neuron = 1
    previous = []
    for value in x:
        previous.append((neuron, torch.tensor(float(value), dtype=torch.float64)))
        neuron += 1
    nets = {}
    for size in layers[1:]:
        current = []
        for _ in range(size):
            net = sum(leaves[name(i, neuron)] * out for i, out in previous)
            if biases:
                net = net + leaves[f"b{neuron}"]
            net = net if net.requires_grad else net.requires_grad_()  # a first-layer net is a leaf here
            net.retain_grad()
            nets[neuron] = net
            current.append((neuron, act(net)))
            neuron += 1
        previous = current
    total = sum((float(target) - out) ** 2 for target, (_, out) in zip(y, previous))
    if loss == "half_mse":
        total = total / 2
    total.backward()
    return {j: float(net.grad) for j, net in nets.items()}
