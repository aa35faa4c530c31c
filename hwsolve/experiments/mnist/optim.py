"""torch.optim.SGD / torch.optim.Adam with default settings, on the stacked parameters of a ModelStack."""

from __future__ import annotations

import torch

from hwsolve.experiments.mnist.stack import PARAMETER_NAMES, ModelStack, Tensors


class StackOptimizer:
    """SGD and Adam applied to contiguous model blocks.

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
        self.state: dict[str, Tensors] = {
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

    def blocks(self, stack: ModelStack, tensors: Tensors, optimizer: str) -> list[torch.Tensor]:
        """Every contiguous block of `optimizer`'s models, for every parameter."""
        return [
            stack.model_view(n, tensors[n])[start:stop]
            for kind, start, stop in stack.optimizer_runs
            if kind == optimizer
            for n in PARAMETER_NAMES
        ]

    @torch.no_grad()
    def step(self, stack: ModelStack, grads: Tensors) -> None:
        self.step_count += 1
        sgd = self.cached_blocks(stack, "params", "sgd")
        if sgd:
            torch._foreach_add_(sgd, self.blocks(stack, grads, "sgd"), alpha=-self.lrs["sgd"])
        params = self.cached_blocks(stack, "params", "adam")
        if not params:
            return
        steps = [torch.tensor(float(self.step_count), dtype=torch.float32, device=stack.device)] * len(params)
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
        self.state = {name: stack.select_tensors(keep, tensors) for name, tensors in self.state.items()}
        self._views = {}
        return stack.select(keep)
