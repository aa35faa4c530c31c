"""One training step and one evaluation pass for a ModelStack, plus SGD/Adam on stacked tensors.

The backward pass is written by hand (it is the faster choice, measured by
benchmarks/q4_sweep.py --compare-backward); `autograd_step` computes the same
gradients with autograd on the stacked tensors, and the tests check that the
two agree and that both match nn.Module + torch.optim run per model.
"""

from __future__ import annotations

from itertools import accumulate

import torch

from hwsolve.experiments.mnist_models import (
    LAYER_SIZES,
    PARAMETER_NAMES,
    ModelStack,
    apply_activation,
    apply_activation_grad,
)


def log_softmax_flags(stack: ModelStack, nll_on_log_softmax: bool) -> torch.Tensor:
    """(M, 1, 1) bool: does model m's loss see log-probabilities (CE always; NLL only if fixed)?"""
    flags = [c.loss == "cross_entropy" or nll_on_log_softmax for c in stack.configs]
    return torch.tensor(flags, device=stack.params["b1"].device).view(-1, 1, 1)


GEMM_ROW_STEP = 16  # split points are multiples of this: the GEMM kernels like row counts of 8/16


def column_groups(widths: list[int]) -> tuple[tuple[int, int, int], ...]:
    """(start, stop, width) groups of a batch's rows for the first layer's GEMMs.

    `widths` gives each row's last non-zero column + 1. One group covers all
    rows at their largest width; two groups split the rows where
    rows x width summed over the groups is least. With rows sorted by width
    (mnist_split does that) a batch of 128 MNIST images needs ~20% fewer
    multiply-adds in two groups; benchmarks/q4_sweep.py measures the sweep.
    """
    n = len(widths)
    # Split points fall on block edges, so block maxima are all the search needs (~8x faster in Python).
    blocks = [max(widths[i : i + GEMM_ROW_STEP]) for i in range(0, n, GEMM_ROW_STEP)]
    prefix = list(accumulate(blocks, max))  # prefix[b] = max width of rows before block b + 1
    suffix = list(accumulate(reversed(blocks), max))[::-1]  # suffix[b] = max width from block b on
    whole = max(prefix[-1] if blocks else 0, 1)  # width 1 at least: a GEMM with no columns is an edge case
    best_cost, best = n * whole, ((0, n, whole),)
    for b in range(1, len(blocks)):
        split, narrow, wide = b * GEMM_ROW_STEP, max(prefix[b - 1], 1), max(suffix[b], 1)
        if split * narrow + (n - split) * wide < best_cost:
            best_cost, best = split * narrow + (n - split) * wide, ((0, split, narrow), (split, n, wide))
    return best


def active_width(x: torch.Tensor) -> int:
    """Columns up to the last one that is non-zero anywhere in x: the rest add exact zeros."""
    # max |x| per column is ~10x cheaper than x.ne(0).any(0) (no bool temporary).
    nonzero = torch.nonzero(x.abs().amax(0))
    return int(nonzero[-1]) + 1 if len(nonzero) else 1


def first_layer(stack: ModelStack, x: torch.Tensor, groups) -> torch.Tensor:
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


def forward(
    stack: ModelStack, x: torch.Tensor, masks: tuple[torch.Tensor, torch.Tensor] | None = None, groups=None
) -> dict:
    """Feature-major forward pass: x (B, 784) -> logits (M, 10, B), keeping what backward needs.

    groups: mnist_split.Batch.groups; None treats the batch as one group (active_width).
    """
    p = stack.params
    if groups is None:
        groups = ((0, x.shape[0], active_width(x)),)
    z1 = first_layer(stack, x, groups).view(stack.size, LAYER_SIZES[1], -1)
    a1 = apply_activation(stack, z1)
    a1_in = a1 * masks[0] if masks is not None else a1
    z2 = torch.baddbmm(p["b2"].unsqueeze(2), p["W2"], a1_in)
    a2 = apply_activation(stack, z2)
    a2_in = a2 * masks[1] if masks is not None else a2
    logits = torch.baddbmm(p["b3"].unsqueeze(2), p["W3"], a2_in)
    return {
        "x": x,
        "groups": groups,
        "z1": z1,
        "a1": a1,
        "a1_in": a1_in,
        "z2": z2,
        "a2": a2,
        "a2_in": a2_in,
        "logits": logits,
    }


def per_sample_losses(
    logits: torch.Tensor, targets: torch.Tensor, lsm_flags: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(M, B) losses: -log_softmax(logits)[target] where flagged, else -logits[target] (NLL on raw logits).

    Also returns log_softmax, which the backward pass reuses.
    """
    log_probs = torch.log_softmax(logits, dim=1)
    scores = torch.where(lsm_flags, log_probs, logits)
    index = targets.view(1, 1, -1).expand(logits.shape[0], 1, -1)
    return -scores.gather(1, index).squeeze(1), log_probs


def manual_step(
    stack: ModelStack, x, y, lsm_flags, masks=None, groups=None
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Per-model mean batch losses (M,) and the gradients of each model's loss w.r.t. its own parameters."""
    cache = forward(stack, x, masks, groups)
    losses, log_probs = per_sample_losses(cache["logits"], y, lsm_flags)
    batch = x.shape[0]
    # d(mean loss)/d logits: (softmax - onehot)/B through log_softmax, -onehot/B on raw logits.
    d_logits = log_probs.exp()
    if not bool(lsm_flags.all()):
        d_logits.masked_fill_(~lsm_flags, 0.0)
    targets = y.view(1, 1, -1).expand(stack.size, 1, -1)
    d_logits.scatter_add_(1, targets, torch.full(targets.shape, -1.0, dtype=d_logits.dtype, device=d_logits.device))
    d_logits.div_(batch)
    p = stack.params
    grads = {"W3": torch.bmm(d_logits, cache["a2_in"].transpose(1, 2)), "b3": d_logits.sum(2)}
    d_a2 = torch.bmm(p["W3"].transpose(1, 2), d_logits)
    if masks is not None:
        d_a2 = d_a2 * masks[1]
    d_z2 = apply_activation_grad(stack, cache["z2"], cache["a2"], d_a2)
    grads["W2"] = torch.bmm(d_z2, cache["a1_in"].transpose(1, 2))
    grads["b2"] = d_z2.sum(2)
    d_a1 = torch.bmm(p["W2"].transpose(1, 2), d_z2)
    if masks is not None:
        d_a1 = d_a1 * masks[0]
    d_z1 = apply_activation_grad(stack, cache["z1"], cache["a1"], d_a1)
    grads["W1"] = w1_gradient(stack, d_z1.reshape(-1, batch), x, cache["groups"])
    grads["b1"] = d_z1.sum(2)
    return losses.mean(1), grads


def w1_gradient(stack: ModelStack, d_z1: torch.Tensor, x: torch.Tensor, groups) -> torch.Tensor:
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
    stack: ModelStack, x, y, lsm_flags, masks=None, groups=None
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The same as manual_step, with autograd on the stacked tensors (the sum of per-model losses
    has, for each model's parameters, exactly that model's gradient)."""
    for tensor in stack.params.values():
        tensor.requires_grad_(True)
    try:
        cache = forward(stack, x, masks, groups)
        losses, _ = per_sample_losses(cache["logits"], y, lsm_flags)
        mean_losses = losses.mean(1)
        gradients = torch.autograd.grad(mean_losses.sum(), [stack.params[n] for n in PARAMETER_NAMES])
    finally:
        for tensor in stack.params.values():
            tensor.requires_grad_(False)
    return mean_losses.detach(), dict(zip(PARAMETER_NAMES, gradients))


@torch.no_grad()
def evaluate(
    stack: ModelStack, x: torch.Tensor, y: torch.Tensor, lsm_flags, widths: list[int] | None = None, chunk: int = 2048
) -> dict[str, torch.Tensor]:
    """Summed loss (float64) and number of correct argmax predictions per model, no dropout.

    widths: each row's last non-zero column + 1 (mnist_split.row_widths); with
    the rows sorted by width, each chunk's GEMM stops early.
    """
    loss_sum = torch.zeros(stack.size, dtype=torch.float64, device=x.device)
    correct = torch.zeros(stack.size, dtype=torch.int64, device=x.device)
    for start in range(0, x.shape[0], chunk):
        xs, ys = x[start : start + chunk], y[start : start + chunk]
        groups = None if widths is None else column_groups(widths[start : start + chunk])
        logits = forward(stack, xs, groups=groups)["logits"]
        losses, _ = per_sample_losses(logits, ys, lsm_flags)
        loss_sum += losses.sum(1, dtype=torch.float64)
        # torch.max over classes, as the homework's test(); NaN logits count as wrong unless NaN is picked.
        predicted = torch.max(logits, dim=1).indices
        correct += (predicted == ys.view(1, -1)).sum(1)
    return {"loss_sum": loss_sum, "correct": correct}


class StackOptimizer:
    """torch.optim.SGD / torch.optim.Adam with default settings, applied to contiguous model blocks.

    SGD is p -= lr * g (torch's default: no momentum, no weight decay). Adam
    uses torch's fused CPU/CUDA kernel (torch._fused_adam_, the same kernel as
    torch.optim.Adam(fused=True)) over the blocks of all Adam models in one
    call: one pass over memory instead of seven. The tests check it against
    torch.optim.Adam's default (single-tensor) path in float64.
    """

    BETA1, BETA2, EPS = 0.9, 0.999, 1e-8

    def __init__(self, stack: ModelStack, sgd_lr: float, adam_lr: float):
        self.lrs = {"sgd": sgd_lr, "adam": adam_lr}
        self.step_count = 0
        self.state = {
            "exp_avg": {n: torch.zeros_like(t) for n, t in stack.params.items()},
            "exp_avg_sq": {n: torch.zeros_like(t) for n, t in stack.params.items()},
        }
        self._views: dict[tuple[str, str], list[torch.Tensor]] = {}  # block views of params and state

    def cached_blocks(self, stack: ModelStack, which: str, optimizer: str) -> list[torch.Tensor]:
        key = (which, optimizer)
        if key not in self._views:
            tensors = stack.params if which == "params" else self.state[which]
            self._views[key] = self.blocks(stack, tensors, optimizer)
        return self._views[key]

    def blocks(self, stack: ModelStack, tensors: dict[str, torch.Tensor], optimizer: str) -> list[torch.Tensor]:
        """Every contiguous block of `optimizer`'s models, for every parameter."""
        return [
            stack.model_view(n, tensors[n])[start:stop]
            for kind, start, stop in stack.optimizer_runs
            if kind == optimizer
            for n in PARAMETER_NAMES
        ]

    @torch.no_grad()
    def step(self, stack: ModelStack, grads: dict[str, torch.Tensor]) -> None:
        self.step_count += 1
        sgd = self.cached_blocks(stack, "params", "sgd")
        if sgd:
            torch._foreach_add_(sgd, self.blocks(stack, grads, "sgd"), alpha=-self.lrs["sgd"])
        params = self.cached_blocks(stack, "params", "adam")
        if not params:
            return
        steps = [torch.tensor(float(self.step_count), dtype=torch.float32, device=params[0].device)] * len(params)
        torch._fused_adam_(
            params,
            self.blocks(stack, grads, "adam"),
            self.cached_blocks(stack, "exp_avg", "adam"),
            self.cached_blocks(stack, "exp_avg_sq", "adam"),
            [],
            steps,
            lr=self.lrs["adam"],
            beta1=self.BETA1,
            beta2=self.BETA2,
            weight_decay=0.0,
            eps=self.EPS,
            amsgrad=False,
            maximize=False,
        )

    def select(self, stack: ModelStack, keep: list[int]) -> ModelStack:
        """Drop retired models from the stack and from the optimizer state together."""
        new_stack, exp_avg, exp_avg_sq = stack.select(keep, self.state["exp_avg"], self.state["exp_avg_sq"])
        self.state = {"exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        self._views = {}
        return new_stack
