"""The batched lockstep trainer equals 12 independent nn.Module + torch.optim runs (float64).

The reference below is the submitted code's shape: an nn.Module per config,
nn.CrossEntropyLoss / nn.NLLLoss, torch.optim.SGD / Adam with defaults, one
model at a time. Same initial weights, same batches, same dropout masks.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hwsolve.data.mnist import load_mnist
from hwsolve.experiments.mnist import ALL_CONFIGS, parse_configs
from hwsolve.experiments.mnist.data import split_data
from hwsolve.experiments.mnist.dropout import default_mask_source
from hwsolve.experiments.mnist.modes import CORRECTED, HOMEWORK
from hwsolve.experiments.mnist.optim import StackOptimizer
from hwsolve.experiments.mnist.stack import ModelStack, init_seed, initial_module_parameters
from hwsolve.experiments.mnist.step import autograd_step, log_softmax_flags, manual_step
from hwsolve.experiments.mnist.trainer import train_lockstep

ACTIVATION_MODULES = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "sigmoid": nn.Sigmoid}


class Net(nn.Module):
    """The homework's Net, with optional explicit dropout masks (scaled, (100, B) and (50, B))."""

    def __init__(self, activation_function):
        super().__init__()
        self.linear1 = nn.Linear(28 * 28, 100)
        self.linear2 = nn.Linear(100, 50)
        self.final = nn.Linear(50, 10)
        self.activation_function = activation_function()

    def forward(self, image, masks=None):
        a = self.activation_function(self.linear1(image.view(-1, 28 * 28)))
        if masks is not None:
            a = a * masks[0].T
        a = self.activation_function(self.linear2(a))
        if masks is not None:
            a = a * masks[1].T
        return self.final(a)


def reference_model(config, seed, dtype=torch.float64):
    model = Net(ACTIVATION_MODULES[config.activation]).to(dtype)
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), initial_module_parameters(seed, config, dtype)):
            parameter.copy_(value)
    return model


def reference_loss(config, mode, output, target):
    if config.loss == "cross_entropy":
        return nn.CrossEntropyLoss()(output, target)
    if mode.nll_on_log_softmax:
        return nn.NLLLoss()(torch.log_softmax(output, dim=1), target)
    return nn.NLLLoss()(output, target)  # as submitted: raw logits


def reference_optimizer(config, mode, model):
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=mode.sgd_lr)
    return torch.optim.Adam(model.parameters(), lr=mode.adam_lr)


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_default_init_is_nn_linear_under_the_config_seed():
    config = ALL_CONFIGS[5]
    torch.manual_seed(init_seed(3, config))
    expected = [nn.Linear(784, 100), nn.Linear(100, 50), nn.Linear(50, 10)]
    got = initial_module_parameters(3, config)
    flat = [t for layer in expected for t in (layer.weight, layer.bias)]
    for a, b in zip(got, flat):
        assert torch.equal(a, b.detach())


@pytest.mark.parametrize("mode", [HOMEWORK, CORRECTED], ids=["homework", "corrected"])
@pytest.mark.parametrize("step_name", ["manual", "autograd"])
def test_stacked_steps_equal_independent_modules(mnist, mode, step_name):
    """A few optimizer steps on real batches: every parameter of every model matches."""
    seed, n_steps = 7, 4
    data = split_data(mnist, mode, seed, 1280, "cpu", torch.float64)  # pixels reordered, as the trainer runs
    batches = list(data.batches())[:n_steps]
    natural = split_data(mnist, mode, seed, 1280, "cpu", torch.float64, reorder_pixels=False)
    natural_batches = list(natural.batches())[:n_steps]  # the same rows (same shuffle seed), natural columns
    masks_for = default_mask_source(seed, 0.2, "cpu", torch.float64) if mode.dropout else None
    masks = [masks_for(batch.x.shape[0]) for batch in batches] if masks_for else [None] * n_steps

    stack = ModelStack.initialise(list(ALL_CONFIGS), seed, dtype=torch.float64, pixel_order=data.pixel_order)
    optimizer = StackOptimizer(stack, mode.sgd_lr, mode.adam_lr)
    flags = log_softmax_flags(stack, mode.nll_on_log_softmax)
    step = {"manual": manual_step, "autograd": autograd_step}[step_name]
    for (x, y, groups), full_masks in zip(batches, masks):
        _, grads = step(stack, x, y, flags, full_masks, groups)  # one mask per step, broadcast over the models
        optimizer.step(stack, grads)

    for position, config in enumerate(stack.configs):
        model = reference_model(config, seed)
        opt = reference_optimizer(config, mode, model)
        for (x, y, _), full_masks in zip(natural_batches, masks):
            opt.zero_grad()
            m = None if full_masks is None else (full_masks[0][0], full_masks[1][0])  # every model gets the step's mask
            reference_loss(config, mode, model(x, m), y).backward()
            opt.step()
        # Adam at lr 0.1 divides by sqrt(v) + eps, which magnifies float64 rounding in small
        # gradients; 1e-10 is still ~1e-9 of a weight and far below one step's size.
        for ours, theirs in zip(stack.module_parameters(position), model.parameters()):
            torch.testing.assert_close(ours, theirs.detach(), rtol=1e-9, atol=1e-10, msg=config.name)


@pytest.mark.parametrize("mode", [HOMEWORK, CORRECTED], ids=["homework", "corrected"])
def test_trainer_histories_equal_reference_loop(mnist, mode):
    """End to end on 1,280 images: validation sums and test error per epoch, and the final test error.

    Homework mode runs E=10 so the shrinking epochs (10 - k for the k-th config) give 7, 4 and 2 epochs.
    """
    seed, limit = 1, 1280
    epochs = 10 if mode.shrinking_epochs else 2
    configs = parse_configs("relu/nll/adam,sigmoid/cross_entropy/sgd,leaky_relu/nll/sgd")
    mask_source = default_mask_source(seed, 0.2, "cpu", torch.float64) if mode.dropout else None
    results = train_lockstep(
        configs, mnist, mode, epochs, seed, limit, dtype=torch.float64, mask_source=mask_source, test_every_epoch=True
    )
    by_name = {r.name: r for r in results}

    all_masks = []
    masks_for = default_mask_source(seed, 0.2, "cpu", torch.float64) if mode.dropout else None
    for config in configs:
        model = reference_model(config, seed)
        opt = reference_optimizer(config, mode, model)
        planned = max(epochs - config.index, 0) if mode.shrinking_epochs else epochs
        val_sums, test_errors = [], []
        data = split_data(mnist, mode, seed, limit, "cpu", torch.float64, reorder_pixels=False)  # fresh shuffle stream
        step = 0
        for _ in range(planned):
            for x, y, _ in data.batches():
                if masks_for is not None and config == configs[0]:
                    all_masks.append(masks_for(x.shape[0]))
                m = None if not all_masks else (all_masks[step][0][0], all_masks[step][1][0])
                opt.zero_grad()
                reference_loss(config, mode, model(x, m), y).backward()
                opt.step()
                step += 1
            with torch.no_grad():
                val_sums.append(
                    float(
                        sum(
                            reference_loss(config, mode, model(data.val_x[i : i + 128]), data.val_y[i : i + 128]).item()
                            * len(data.val_y[i : i + 128])
                            for i in range(0, len(data.val_y), 128)
                        )
                    )
                )
                wrong = (torch.max(model(data.test_x), -1).indices != data.test_y).double().mean()
                test_errors.append(float(wrong))
        ours = by_name[config.name]
        assert ours.epochs_trained == planned
        assert ours.val_loss_sum == pytest.approx(val_sums, rel=1e-9, abs=1e-9)
        assert ours.test_error_history == pytest.approx(test_errors, abs=1e-12)
        if mode.keep_best:
            best = min(range(planned), key=lambda e: val_sums[e])
            assert ours.best_epoch == best + 1
            assert ours.test_error == pytest.approx(test_errors[best], abs=1e-12)
        elif planned:
            assert ours.test_error == pytest.approx(test_errors[-1], abs=1e-12)


def test_dropout_masks_keep_about_80_percent_scaled_by_1_25():
    masks_for = default_mask_source(0, 0.2, "cpu", torch.float32)
    steps = [masks_for(128) for _ in range(10)]
    m1, m2 = steps[0]
    assert m1.shape == (1, 100, 128) and m2.shape == (1, 50, 128)  # one mask per step, broadcast over the models
    values = torch.cat([t.flatten() for pair in steps for t in pair])
    assert set(values.unique().tolist()) == {0.0, 1.25}
    kept = float((values > 0).double().mean())
    assert abs(kept - 0.8) < 4 * (0.8 * 0.2 / values.numel()) ** 0.5  # within 4 standard errors
    assert not torch.equal(steps[1][0], m1)  # a fresh draw every step
    again = default_mask_source(0, 0.2, "cpu", torch.float32)(128)
    assert torch.equal(again[0], m1)
