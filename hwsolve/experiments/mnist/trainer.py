"""The lockstep loop: every model of the stack trains on the same batch at every step.

Read train_lockstep top to bottom: build the batches the mode prescribes
(data.py), then per epoch train (train_epoch), evaluate validation and test
under no_grad (evaluate_epoch), record (record_epoch), and retire the models
whose epochs are done (retire_finished: homework mode's shrinking epochs).
The state those steps share is one LockstepState.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from hwsolve.data.mnist import Mnist
from hwsolve.experiments.mnist.config_result import ConfigResult
from hwsolve.experiments.mnist.configs import Config
from hwsolve.experiments.mnist.data import DataSplit, split_data
from hwsolve.experiments.mnist.dropout import MaskSource, default_mask_source
from hwsolve.experiments.mnist.modes import ModeSpec, epochs_for
from hwsolve.experiments.mnist.optim import StackOptimizer
from hwsolve.experiments.mnist.stack import ModelStack, Tensors
from hwsolve.experiments.mnist.step import STEPS, Evaluation, StepFunction, evaluate, log_softmax_flags

EpochCallback = Callable[[int, int], None]  # (epoch, models trained in it)
ResultCallback = Callable[[ConfigResult], None]


@dataclass
class ConfigHistory:
    """What one config's run has produced so far."""

    config: Config
    epochs_planned: int
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)  # mean per validation sample
    val_loss_sum: list[float] = field(default_factory=list)  # the homework's sum of loss*batch size
    val_accuracy: list[float] = field(default_factory=list)
    test_error_history: list[float] = field(default_factory=list)  # only with test_every_epoch
    best_epoch: int | None = None
    wall_time_s: float = 0.0  # share of the lockstep run's time: each epoch's time / models in it

    def result(self, test_error: float, sizes: tuple[int, int, int], test_history: bool) -> ConfigResult:
        curves = {
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "val_loss_sum": self.val_loss_sum,
            "val_accuracy": self.val_accuracy,
        }
        history = self.test_error_history if test_history else None
        return ConfigResult.from_curves(
            self.config, curves, test_error, self.best_epoch, self.wall_time_s, sizes, history
        )


@dataclass(frozen=True)
class LockstepRun:
    """What stays fixed over a lockstep run."""

    data: DataSplit
    mode: ModeSpec
    step: StepFunction
    mask_source: MaskSource | None
    test_every_epoch: bool

    @property
    def sizes(self) -> tuple[int, int, int]:
        return (self.data.train_x.shape[0], self.data.val_x.shape[0], self.data.test_x.shape[0])


@dataclass
class LockstepState:
    """The models still training, their optimizer, histories and (keep_best) best-validation weights."""

    stack: ModelStack
    optimizer: StackOptimizer
    histories: dict[Config, ConfigHistory]
    best: Tensors | None  # the best-validation weights, in corrected mode
    best_val: torch.Tensor  # (M,) float64: each model's lowest validation loss sum so far
    epoch: int = 0


@dataclass(frozen=True)
class EpochScores:
    train_loss: list[float]  # per model: the mean of its batch losses
    validation: Evaluation
    test: Evaluation | None  # with test_every_epoch only
    improved: list[bool] | None  # keep_best only: did the validation loss reach a new low


def train_epoch(run: LockstepRun, state: LockstepState, uses_log_softmax: torch.Tensor) -> list[float]:
    """One pass over the training batches; each model's mean batch loss."""
    stack = state.stack
    loss_sum = torch.zeros(stack.size, dtype=torch.float64, device=stack.device)
    n_batches = 0
    for x, y, groups in run.data.batches():
        masks = run.mask_source(x.shape[0]) if run.mask_source is not None else None  # broadcast over the models
        losses, grads = run.step(stack, x, y, uses_log_softmax, masks, groups)
        state.optimizer.step(stack, grads)
        loss_sum += losses.detach().double()
        n_batches += 1
    result: list[float] = (loss_sum / max(n_batches, 1)).tolist()
    return result


def evaluate_epoch(
    run: LockstepRun, state: LockstepState, uses_log_softmax: torch.Tensor, train_loss: list[float]
) -> EpochScores:
    """Validation (and, if asked, test) scores after an epoch; keeps each model's best weights so far."""
    stack, data = state.stack, run.data
    validation = evaluate(stack, data.val_x, data.val_y, uses_log_softmax, data.val_widths)
    test = (
        evaluate(stack, data.test_x, data.test_y, uses_log_softmax, data.test_widths) if run.test_every_epoch else None
    )
    if state.best is None:
        return EpochScores(train_loss, validation, test, None)
    improved = validation.loss_sum < state.best_val  # NaN never improves
    state.best_val = torch.where(improved, validation.loss_sum, state.best_val)
    for name in state.best:
        stack.model_view(name, state.best[name])[improved] = stack.model_view(name)[improved]
    return EpochScores(train_loss, validation, test, improved.tolist())


def _lowest_validation_epoch(history: ConfigHistory) -> int:
    """1-based epoch of the lowest validation loss so far; NaN epochs count only when all are NaN."""
    losses = history.val_loss
    return 1 + min(range(len(losses)), key=lambda e: (losses[e] != losses[e], losses[e]))


def record_epoch(run: LockstepRun, state: LockstepState, scores: EpochScores, elapsed: float) -> None:
    """Append the epoch's numbers to every training model's history."""
    n_val, n_test = run.sizes[1], run.sizes[2]
    val_sum = scores.validation.loss_sum.tolist()
    val_acc = (scores.validation.correct.double() / max(n_val, 1)).tolist()
    test_err = (1 - scores.test.correct.double() / n_test).tolist() if scores.test is not None else None
    for m, config in enumerate(state.stack.configs):
        history = state.histories[config]
        history.train_loss.append(scores.train_loss[m])
        history.val_loss_sum.append(val_sum[m])
        history.val_loss.append(val_sum[m] / max(n_val, 1))
        history.val_accuracy.append(val_acc[m])
        if test_err is not None:
            history.test_error_history.append(test_err[m])
        history.wall_time_s += elapsed / state.stack.size
        if scores.improved is None:
            history.best_epoch = _lowest_validation_epoch(history)
        elif scores.improved[m]:
            history.best_epoch = state.epoch


def _test_errors(run: LockstepRun, state: LockstepState, done: list[int]) -> list[float]:
    """Test error of the models at `done`: their best-validation weights in corrected mode, else their last."""
    stack = state.stack
    weights = ModelStack(stack.configs, state.best, stack.pixel_order) if state.best is not None else stack
    tested = weights.select(done)
    flags = log_softmax_flags(tested, run.mode.nll_on_log_softmax)
    correct = evaluate(tested, run.data.test_x, run.data.test_y, flags, run.data.test_widths).correct
    errors: list[float] = (1 - correct.double() / run.sizes[2]).tolist()
    return errors


def retire_finished(run: LockstepRun, state: LockstepState) -> list[ConfigResult]:
    """Test and drop the models whose planned epochs are done; their results, in stack order."""
    stack = state.stack
    done = [m for m, c in enumerate(stack.configs) if state.histories[c].epochs_planned <= state.epoch]
    if not done:
        return []
    results = [
        state.histories[stack.configs[m]].result(error, run.sizes, run.test_every_epoch)
        for m, error in zip(done, _test_errors(run, state, done))
    ]
    keep = [m for m in range(stack.size) if m not in done]
    state.best_val = state.best_val[keep]
    if state.best is not None:
        state.best = stack.select_tensors(keep, state.best)
    state.stack = state.optimizer.select(stack, keep)
    return results


def start_lockstep(
    configs: list[Config], run: LockstepRun, epochs: int, seed: int, dtype: torch.dtype, device: torch.device | str
) -> LockstepState:
    """The stack of `configs` at their initial weights, with a fresh optimizer and empty histories."""
    stack = ModelStack.initialise(configs, seed, dtype=dtype, device=device, pixel_order=run.data.pixel_order)
    return LockstepState(
        stack=stack,
        optimizer=StackOptimizer(stack, run.mode.sgd_lr, run.mode.adam_lr),
        histories={c: ConfigHistory(c, epochs_for(run.mode, epochs, c.index)) for c in stack.configs},
        best={name: tensor.clone() for name, tensor in stack.params.items()} if run.mode.keep_best else None,
        best_val=torch.full((stack.size,), float("inf"), dtype=torch.float64, device=stack.device),
    )


def train_lockstep(
    configs: list[Config],
    mnist: Mnist,
    mode: ModeSpec,
    epochs: int,
    seed: int = 0,
    limit_train: int | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    backward: str = "manual",
    mask_source: MaskSource | None = None,
    on_epoch: EpochCallback | None = None,
    on_config_done: ResultCallback | None = None,
    test_every_epoch: bool = False,
) -> list[ConfigResult]:
    """Train `configs` together; return one result per config (homework order).

    The test set is looked at once per config, for the weights that count
    (best-validation or last). test_every_epoch=True also records the test
    error after every epoch as `test_error_history` (a check, not a choice:
    nothing is selected on it); it costs a 10,000-image pass per epoch.

    on_epoch(epoch, n_models_in_it) fires after each epoch; on_config_done(result)
    as soon as a config has finished, so the caller can save it at once.
    """
    if mode.dropout > 0 and mask_source is None:
        mask_source = default_mask_source(seed, mode.dropout, device, dtype)
    data = split_data(mnist, mode, seed, limit_train, device, dtype)
    run = LockstepRun(data, mode, STEPS[backward], mask_source, test_every_epoch)
    state = start_lockstep(configs, run, epochs, seed, dtype, device)
    # A model planned for 0 epochs is tested at its initial weights, before any epoch.
    results = _retire(run, state, on_config_done)
    while state.stack.size:
        state.epoch += 1
        started = time.perf_counter()
        flags = log_softmax_flags(state.stack, mode.nll_on_log_softmax)
        scores = evaluate_epoch(run, state, flags, train_epoch(run, state, flags))
        record_epoch(run, state, scores, time.perf_counter() - started)
        if on_epoch is not None:
            on_epoch(state.epoch, state.stack.size)
        results += _retire(run, state, on_config_done)
    return sorted(results, key=lambda r: r.homework_index)


def _retire(run: LockstepRun, state: LockstepState, on_config_done: ResultCallback | None) -> list[ConfigResult]:
    """The configs whose epochs are done, each handed to on_config_done as soon as it is out of the stack."""
    finished = retire_finished(run, state)
    if on_config_done is not None:
        for result in finished:
            on_config_done(result)
    return finished
