"""One training step and one evaluation pass for a ModelStack.

The backward pass is written by hand (it is the faster choice, measured by
benchmarks/q4_sweep.py --compare-backward); `autograd_step` computes the same
gradients with autograd on the stacked tensors, and the tests check that the
two agree and that both match nn.Module + torch.optim run per model.
Every tensor a step creates takes its device from the stack or the batch
(tests/test_q4_device.py reads this file to check it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from hwsolve.experiments.mnist.kernels import apply_activation, apply_activation_grad
from hwsolve.experiments.mnist.layout import RowGroups, active_width, column_groups
from hwsolve.experiments.mnist.stack import LAYER_SIZES, PARAMETER_NAMES, ModelStack, Tensors

Masks = tuple[torch.Tensor, torch.Tensor]  # scaled dropout masks after hidden layers 1 and 2, broadcast over models
# (stack, x, y, uses_log_softmax, masks, groups) -> per-model mean losses (M,) and the gradients
StepFunction = Callable[
    [ModelStack, torch.Tensor, torch.Tensor, torch.Tensor, Masks | None, RowGroups | None], tuple[torch.Tensor, Tensors]
]


def log_softmax_flags(stack: ModelStack, nll_on_log_softmax: bool) -> torch.Tensor:
    """(M, 1, 1) bool: does model m's loss see log-probabilities (CE always; NLL only if fixed)?"""
    flags = [c.loss == "cross_entropy" or nll_on_log_softmax for c in stack.configs]
    return torch.tensor(flags, device=stack.device).view(-1, 1, 1)


def first_layer(stack: ModelStack, x: torch.Tensor, groups: RowGroups) -> torch.Tensor:
    """z1 = W1 x + b1 for all models, (M*100, B): the big GEMM, one per row group.

    Each group's GEMM stops at the group's width (the columns past it are zero
    in those rows). Autograd cannot record out= kernels, so with gradients
    enabled it is one GEMM at the widest width.
    """
    p = stack.params
    bias = p["b1"].reshape(-1, 1)
    if len(groups) == 1 or p["W1"].requires_grad:
        width = max(w for _, _, w in groups)
        return torch.addmm(bias, p["W1"][:, :width], x[:, :width].T)
    z1 = x.new_empty(p["W1"].shape[0], x.shape[0])
    for start, stop, width in groups:
        torch.addmm(bias, p["W1"][:, :width], x[start:stop, :width].T, out=z1[:, start:stop])
    return z1


@dataclass(frozen=True)
class Forward:
    """What a forward pass keeps for the backward pass; activations are (M, features, batch)."""

    x: torch.Tensor
    groups: RowGroups
    z1: torch.Tensor
    a1: torch.Tensor
    a1_in: torch.Tensor  # a1 after dropout: the next layer's input
    z2: torch.Tensor
    a2: torch.Tensor
    a2_in: torch.Tensor
    logits: torch.Tensor


def forward(stack: ModelStack, x: torch.Tensor, masks: Masks | None = None, groups: RowGroups | None = None) -> Forward:
    """Feature-major forward pass: x (B, 784) -> logits (M, 10, B), keeping what backward needs.

    groups: data.Batch.groups; None treats the batch as one group (active_width).
    """
    p = stack.params
    if groups is None:
        groups = ((0, x.shape[0], active_width(x)),)
    z1 = first_layer(stack, x, groups).view(stack.size, LAYER_SIZES[1], -1)
    a1 = apply_activation(stack.activation_runs, z1)
    a1_in = a1 * masks[0] if masks is not None else a1
    z2 = torch.baddbmm(p["b2"].unsqueeze(2), p["W2"], a1_in)
    a2 = apply_activation(stack.activation_runs, z2)
    a2_in = a2 * masks[1] if masks is not None else a2
    logits = torch.baddbmm(p["b3"].unsqueeze(2), p["W3"], a2_in)
    return Forward(x, groups, z1, a1, a1_in, z2, a2, a2_in, logits)


def per_sample_losses(
    logits: torch.Tensor, targets: torch.Tensor, uses_log_softmax: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(M, B) losses: -log_softmax(logits)[target] where flagged, else -logits[target] (NLL on raw logits).

    Also returns log_softmax, which the backward pass reuses.
    """
    log_probs = torch.log_softmax(logits, dim=1)
    scores = torch.where(uses_log_softmax, log_probs, logits)
    index = targets.view(1, 1, -1).expand(logits.shape[0], 1, -1)
    return -scores.gather(1, index).squeeze(1), log_probs


def _logit_gradient(
    stack: ModelStack, log_probs: torch.Tensor, y: torch.Tensor, uses_log_softmax: torch.Tensor
) -> torch.Tensor:
    """d(mean loss)/d logits: (softmax - onehot)/B through log_softmax, -onehot/B on raw logits."""
    d_logits = log_probs.exp()
    if not bool(uses_log_softmax.all()):
        d_logits.masked_fill_(~uses_log_softmax, 0.0)
    targets = y.view(1, 1, -1).expand(stack.size, 1, -1)
    d_logits.scatter_add_(1, targets, torch.full(targets.shape, -1.0, dtype=d_logits.dtype, device=d_logits.device))
    return d_logits.div_(y.shape[0])


def manual_step(
    stack: ModelStack,
    x: torch.Tensor,
    y: torch.Tensor,
    uses_log_softmax: torch.Tensor,
    masks: Masks | None = None,
    groups: RowGroups | None = None,
) -> tuple[torch.Tensor, Tensors]:
    """Per-model mean batch losses (M,) and the gradients of each model's loss w.r.t. its own parameters."""
    cache = forward(stack, x, masks, groups)
    losses, log_probs = per_sample_losses(cache.logits, y, uses_log_softmax)
    d_logits = _logit_gradient(stack, log_probs, y, uses_log_softmax)
    p = stack.params
    grads = {"W3": torch.bmm(d_logits, cache.a2_in.transpose(1, 2)), "b3": d_logits.sum(2)}
    d_a2 = torch.bmm(p["W3"].transpose(1, 2), d_logits)
    if masks is not None:
        d_a2 = d_a2 * masks[1]
    d_z2 = apply_activation_grad(stack.activation_runs, cache.z2, cache.a2, d_a2)
    grads["W2"] = torch.bmm(d_z2, cache.a1_in.transpose(1, 2))
    grads["b2"] = d_z2.sum(2)
    d_a1 = torch.bmm(p["W2"].transpose(1, 2), d_z2)
    if masks is not None:
        d_a1 = d_a1 * masks[0]
    d_z1 = apply_activation_grad(stack.activation_runs, cache.z1, cache.a1, d_a1)
    grads["W1"] = w1_gradient(stack, d_z1.reshape(-1, x.shape[0]), x, cache.groups)
    grads["b1"] = d_z1.sum(2)
    return losses.mean(1), grads


def w1_gradient(stack: ModelStack, d_z1: torch.Tensor, x: torch.Tensor, groups: RowGroups) -> torch.Tensor:
    """dZ1 @ X into a reused buffer: the second big GEMM (no input gradient is needed), one per row group.

    Only the first `width` columns can be non-zero; the widest group's GEMM
    writes them in place, narrower groups add into their own columns, and the
    columns a wider previous batch wrote are cleared.
    """
    if stack.w1_grad is None:
        stack.w1_grad = torch.zeros_like(stack.params["W1"])
        stack.w1_grad_width = 0
    grad = stack.w1_grad
    ordered = sorted(groups, key=lambda g: -g[2])
    width = ordered[0][2]
    if width < stack.w1_grad_width:
        grad[:, width : stack.w1_grad_width].zero_()
    for i, (start, stop, group_width) in enumerate(ordered):
        block = grad[:, :group_width]
        if i == 0:
            torch.mm(d_z1[:, start:stop], x[start:stop, :group_width], out=block)
        else:
            block.addmm_(d_z1[:, start:stop], x[start:stop, :group_width])
    stack.w1_grad_width = width
    return grad


def autograd_step(
    stack: ModelStack,
    x: torch.Tensor,
    y: torch.Tensor,
    uses_log_softmax: torch.Tensor,
    masks: Masks | None = None,
    groups: RowGroups | None = None,
) -> tuple[torch.Tensor, Tensors]:
    """The same as manual_step, with autograd on the stacked tensors (the sum of per-model losses
    has, for each model's parameters, exactly that model's gradient)."""
    for tensor in stack.params.values():
        tensor.requires_grad_(True)
    try:
        cache = forward(stack, x, masks, groups)
        losses, _ = per_sample_losses(cache.logits, y, uses_log_softmax)
        mean_losses = losses.mean(1)
        gradients = torch.autograd.grad(mean_losses.sum(), [stack.params[n] for n in PARAMETER_NAMES])
    finally:
        for tensor in stack.params.values():
            tensor.requires_grad_(False)
    return mean_losses.detach(), dict(zip(PARAMETER_NAMES, gradients))


STEPS: dict[str, StepFunction] = {"manual": manual_step, "autograd": autograd_step}


@dataclass(frozen=True)
class Evaluation:
    """Per model: the summed loss (float64) and the number of correct argmax predictions."""

    loss_sum: torch.Tensor
    correct: torch.Tensor


@torch.no_grad()
def evaluate(
    stack: ModelStack,
    x: torch.Tensor,
    y: torch.Tensor,
    uses_log_softmax: torch.Tensor,
    widths: list[int] | None = None,
    chunk: int = 2048,
) -> Evaluation:
    """Summed loss and correct predictions per model over (x, y), no dropout.

    widths: each row's last non-zero column + 1 (layout.row_widths); with
    the rows sorted by width, each chunk's GEMM stops early.
    """
    loss_sum = torch.zeros(stack.size, dtype=torch.float64, device=x.device)
    correct = torch.zeros(stack.size, dtype=torch.int64, device=x.device)
    for start in range(0, x.shape[0], chunk):
        xs, ys = x[start : start + chunk], y[start : start + chunk]
        groups = None if widths is None else column_groups(widths[start : start + chunk])
        logits = forward(stack, xs, groups=groups).logits
        losses, _ = per_sample_losses(logits, ys, uses_log_softmax)
        loss_sum += losses.sum(1, dtype=torch.float64)
        # torch.max over classes, as the homework's test(); NaN logits count as wrong unless NaN is picked.
        predicted = torch.max(logits, dim=1).indices
        correct += (predicted == ys.view(1, -1)).sum(1)
    return Evaluation(loss_sum, correct)
