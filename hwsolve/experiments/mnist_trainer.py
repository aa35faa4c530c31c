"""The lockstep loop: every model of the stack trains on the same batch at every step.

Read top to bottom: build the batches the mode prescribes (mnist_split), train one epoch,
evaluate validation and test under no_grad, record, retire the models whose
epochs are done (homework mode's shrinking epochs), repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from hwsolve.experiments.mnist_models import LAYER_SIZES, Config, ModelStack
from hwsolve.experiments.mnist_modes import (
    ModeSpec,
    as_written_overfit_epochs,
    epochs_for,
    overfitting_onset,
    rising_epochs,
)
from hwsolve.experiments.mnist_split import split_data
from hwsolve.experiments.mnist_step import StackOptimizer, autograd_step, evaluate, log_softmax_flags, manual_step

DROPOUT_STREAM = 303  # beside mnist_split's SPLIT_STREAM and SHUFFLE_STREAM: one stream per source of randomness

MaskSource = Callable[[int], tuple[torch.Tensor, torch.Tensor]]  # batch size -> the step's two masks


@dataclass
class ConfigHistory:
    """What one config's run produced; becomes one entry of results.json."""

    config: Config
    epochs_planned: int
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)  # mean per validation sample
    val_loss_sum: list[float] = field(default_factory=list)  # the homework's sum of loss*batch size
    val_accuracy: list[float] = field(default_factory=list)
    test_error_history: list[float] = field(default_factory=list)  # only with test_every_epoch
    test_error: float = float("nan")
    best_epoch: int | None = None
    wall_time_s: float = 0.0  # share of the lockstep run's time: each epoch's time / models in it

    def summary(self, n_train: int, n_val: int, n_test: int, test_history: bool = False) -> dict:
        c = self.config
        summary = {
            "name": c.name,
            "activation": c.activation,
            "loss": c.loss,
            "optimizer": c.optimizer,
            "homework_index": c.index,
            "epochs_trained": len(self.train_loss),
            "test_error": self.test_error,
            "best_epoch": self.best_epoch,
            "overfitting_onset": overfitting_onset(self.val_loss),
            "rising_epochs": rising_epochs(self.val_loss_sum),
            "as_written_overfit_epochs": as_written_overfit_epochs(self.val_loss_sum),
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "val_loss_sum": self.val_loss_sum,
            "val_accuracy": self.val_accuracy,
            "wall_time_s": self.wall_time_s,
            "n_train": n_train,
            "n_val": n_val,
            "n_test": n_test,
        }
        if test_history:
            summary["test_error_history"] = self.test_error_history
        return summary


def default_mask_source(seed: int, p: float, device, dtype) -> MaskSource:
    """Scaled dropout masks, (1, 100, B) and (1, 50, B): one per step, shared by every config.

    All configs already train on the same batches in the same order; sharing
    the masks too makes the comparison between configs one of common random
    numbers (each model alone still sees i.i.d. Bernoulli masks, as
    nn.Dropout draws them), a subset of configs sees exactly the full sweep's
    masks, and a step draws 1/12 of the bits it would for a mask per model.

    Each keep/drop decision compares 16 random bits with a threshold (four per
    64-bit word): a unit is kept with probability round(keep * 65536) / 65536,
    i.e. 52429/65536 = 0.8000031 for p = 0.2 (torch's bernoulli_ is no more
    exact: it compares with a float). Kept units are scaled by 1/(1-p), as
    nn.Dropout does. The words come from numpy's PCG64, seeded from --seed, on
    the host for every device (numpy's uint16 compare is ~8x faster than
    torch's int16 one).
    """
    bits = np.random.PCG64(seed * 1000 + DROPOUT_STREAM)
    h1, h2 = LAYER_SIZES[1], LAYER_SIZES[2]
    threshold = round((1 - p) * 65536)  # uint16 values are uniform on [0, 65535]

    def masks(batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        count = (h1 + h2) * batch
        keep = bits.random_raw((count + 3) // 4).view(np.uint16)[:count] < threshold
        # bool -> uint8 view -> float converts ~2x faster than bool -> float directly.
        scaled = (
            torch.from_numpy(keep).view(torch.uint8).view(1, h1 + h2, batch).to(device=device, dtype=dtype).div_(1 - p)
        )
        return scaled[:, :h1], scaled[:, h1:]

    return masks


def train_lockstep(
    configs: list[Config],
    mnist,
    mode: ModeSpec,
    epochs: int,
    seed: int = 0,
    limit_train: int | None = None,
    device: str = "cpu",
    dtype: torch.dtype = torch.float32,
    backward: str = "manual",
    mask_source: MaskSource | None = None,
    on_epoch: Callable[[int, int], None] | None = None,
    on_config_done: Callable[[dict], None] | None = None,
    test_every_epoch: bool = False,
) -> list[dict]:
    """Train `configs` together; return one summary dict per config (homework order).

    The test set is looked at once per config, for the weights that count
    (best-validation or last). test_every_epoch=True also records the test
    error after every epoch as `test_error_history` (a check, not a choice:
    nothing is selected on it); it costs a 10,000-image pass per epoch.

    on_epoch(epoch, n_models_in_it) fires after each epoch; on_config_done(summary)
    as soon as a config has finished, so the caller can save it at once.
    """
    data = split_data(mnist, mode, seed, limit_train, device, dtype)
    sizes = (data.train_x.shape[0], data.val_x.shape[0], data.test_x.shape[0])
    step_fn = {"manual": manual_step, "autograd": autograd_step}[backward]
    if mode.dropout > 0 and mask_source is None:
        mask_source = default_mask_source(seed, mode.dropout, device, dtype)
    use_masks = mode.dropout > 0 or mask_source is not None

    stack = ModelStack.initialise(configs, seed, dtype=dtype, device=device, pixel_order=data.pixel_order)
    optimizer = StackOptimizer(stack, mode.sgd_lr, mode.adam_lr)
    histories = {c: ConfigHistory(c, epochs_for(mode, epochs, c.index)) for c in stack.configs}
    best = {name: tensor.clone() for name, tensor in stack.params.items()} if mode.keep_best else None
    best_val = torch.full((stack.size,), float("inf"), dtype=torch.float64, device=device)
    results: list[dict] = []

    def finish(done: list[int]) -> None:
        """Test error of the models at `done` (their best-validation weights in corrected mode,
        their last weights in homework mode), then report them."""
        if not done:
            return
        weights = ModelStack(stack.configs, best, stack.pixel_order) if mode.keep_best else stack
        (tested,) = weights.select(done)
        flags = log_softmax_flags(tested, mode.nll_on_log_softmax)
        wrong = 1 - evaluate(tested, data.test_x, data.test_y, flags, data.test_widths)["correct"].double() / sizes[2]
        for position, m in enumerate(done):
            history = histories[stack.configs[m]]
            history.test_error = float(wrong[position])
            summary = history.summary(*sizes, test_history=test_every_epoch)
            results.append(summary)
            if on_config_done is not None:
                on_config_done(summary)

    def retire(epoch: int) -> None:
        nonlocal stack, best_val, best
        done = [m for m, c in enumerate(stack.configs) if histories[c].epochs_planned <= epoch]
        finish(done)
        if done:
            keep = [m for m in range(stack.size) if m not in done]
            best_val = best_val[keep]
            if best is not None:
                _, best = stack.select(keep, best)
            stack = optimizer.select(stack, keep)

    retire(0)
    epoch = 0
    while stack.size:
        epoch += 1
        started = time.perf_counter()
        flags = log_softmax_flags(stack, mode.nll_on_log_softmax)
        loss_sum = torch.zeros(stack.size, dtype=torch.float64, device=device)
        n_batches = 0
        for x, y, groups in data.batches():
            masks = mask_source(x.shape[0]) if use_masks else None  # broadcast over the models
            losses, grads = step_fn(stack, x, y, flags, masks, groups)
            optimizer.step(stack, grads)
            loss_sum += losses.detach().double()
            n_batches += 1
        val = evaluate(stack, data.val_x, data.val_y, flags, data.val_widths)
        test = evaluate(stack, data.test_x, data.test_y, flags, data.test_widths) if test_every_epoch else None
        if best is not None:
            improved = val["loss_sum"] < best_val  # NaN never improves
            best_val = torch.where(improved, val["loss_sum"], best_val)
            for name in best:
                stack.model_view(name, best[name])[improved] = stack.model_view(name)[improved]
        else:
            improved = None
        elapsed = time.perf_counter() - started
        train_loss = (loss_sum / max(n_batches, 1)).tolist()
        val_sum = val["loss_sum"].tolist()
        val_acc = (val["correct"].double() / max(sizes[1], 1)).tolist()
        test_err = (1 - test["correct"].double() / sizes[2]).tolist() if test is not None else None
        improved_list = improved.tolist() if improved is not None else None
        for m, config in enumerate(stack.configs):
            h = histories[config]
            h.train_loss.append(train_loss[m])
            h.val_loss_sum.append(val_sum[m])
            h.val_loss.append(val_sum[m] / max(sizes[1], 1))
            h.val_accuracy.append(val_acc[m])
            if test_err is not None:
                h.test_error_history.append(test_err[m])
            h.wall_time_s += elapsed / stack.size
            if improved_list is not None:
                if improved_list[m]:
                    h.best_epoch = epoch
            else:
                h.best_epoch = 1 + min(
                    range(len(h.val_loss)), key=lambda e: (h.val_loss[e] != h.val_loss[e], h.val_loss[e])
                )
        if on_epoch is not None:
            on_epoch(epoch, stack.size)
        retire(epoch)
    return sorted(results, key=lambda r: r["homework_index"])
