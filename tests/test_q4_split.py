"""The data layout that keeps the first layer's GEMMs short: row widths, row groups, sorted splits.

Each check compares with a direct computation (a Python loop over pixels, an
exhaustive search over split points, a plain full-width GEMM in float64).
"""

from __future__ import annotations

import random

import pytest
import torch

from hwsolve.data.mnist import load_mnist
from hwsolve.experiments.mnist import ALL_CONFIGS
from hwsolve.experiments.mnist.data import split_data
from hwsolve.experiments.mnist.layout import GEMM_ROW_STEP, column_groups, row_widths
from hwsolve.experiments.mnist.modes import CORRECTED, HOMEWORK
from hwsolve.experiments.mnist.stack import ModelStack
from hwsolve.experiments.mnist.step import first_layer, w1_gradient


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_row_widths_are_one_past_the_last_nonzero_pixel():
    images = torch.zeros(4, 9)
    images[0, 2] = 0.5
    images[1, [0, 8]] = 1.0
    images[3, [1, 4]] = -2.0  # negative values count as non-zero too
    assert row_widths(images).tolist() == [3, 9, 0, 5]


def brute_force_cost(widths: list[int]) -> int:
    """The least rows x width over one group or any two groups split at a multiple of GEMM_ROW_STEP."""
    n = len(widths)
    costs = [n * max(widths)]
    for split in range(GEMM_ROW_STEP, n, GEMM_ROW_STEP):
        costs.append(split * max(widths[:split]) + (n - split) * max(widths[split:]))
    return min(costs)


@pytest.mark.parametrize("seed", range(20))
def test_column_groups_cover_the_rows_and_find_the_cheapest_split(seed):
    rng = random.Random(seed)
    n = rng.choice([128, 100, 37, 16])
    widths = [rng.randint(1, 784) for _ in range(n)]
    if seed % 2:
        widths.sort()  # the trainer's case: rows sorted by width
    groups = column_groups(widths)
    assert [g[0] for g in groups] == [0] + [g[1] for g in groups[:-1]] and groups[-1][1] == n
    for start, stop, width in groups:
        assert width == max(widths[start:stop])  # each group covers its rows' non-zero columns, no more
    assert sum((stop - start) * width for start, stop, width in groups) == brute_force_cost(widths)


@pytest.mark.parametrize("mode", [HOMEWORK, CORRECTED], ids=["homework", "corrected"])
def test_splits_sort_rows_by_width_and_keep_the_same_rows_in_natural_pixel_order(mnist, mode):
    data = split_data(mnist, mode, 3, 1280, "cpu", torch.float64)
    natural = split_data(mnist, mode, 3, 1280, "cpu", torch.float64, reorder_pixels=False)
    for ours, theirs in [(data.val_x, natural.val_x), (data.test_x, natural.test_x), (data.train_x, natural.train_x)]:
        assert torch.equal(ours, theirs[:, data.pixel_order])
    assert data.val_widths == sorted(data.val_widths) and data.test_widths == sorted(data.test_widths)
    assert data.val_widths == row_widths(data.val_x).tolist()
    batches, natural_batches = list(data.batches()), list(natural.batches())
    for batch, natural_batch in zip(batches, natural_batches):
        widths = row_widths(batch.x).tolist()
        assert widths == sorted(widths)
        assert torch.equal(batch.y, natural_batch.y)
        assert batch.groups == column_groups(widths)
    if not mode.shuffle:  # homework mode: each batch holds the dataset's 128 consecutive samples, reordered
        labels = mnist.train_labels[: len(batches) * 128].view(len(batches), 128)
        for batch, expected in zip(batches, labels):
            assert sorted(batch.y.tolist()) == sorted(expected.tolist())


def test_grouped_gemms_equal_one_full_width_gemm(mnist):
    data = split_data(mnist, CORRECTED, 0, 1280, "cpu", torch.float64)
    stack = ModelStack.initialise(list(ALL_CONFIGS), 0, dtype=torch.float64, pixel_order=data.pixel_order)
    batch = next(iter(data.batches()))
    assert len(batch.groups) == 2
    W1, b1 = stack.params["W1"], stack.params["b1"].reshape(-1, 1)
    torch.testing.assert_close(first_layer(stack, batch.x, batch.groups), W1 @ batch.x.T + b1, rtol=1e-12, atol=1e-12)
    d_z1 = torch.randn(W1.shape[0], batch.x.shape[0], dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    wide = ((0, batch.x.shape[0], 784),)
    w1_gradient(stack, d_z1, batch.x, wide)  # a wider previous batch leaves columns the next must clear
    torch.testing.assert_close(w1_gradient(stack, d_z1, batch.x, batch.groups), d_z1 @ batch.x, rtol=1e-12, atol=1e-12)
