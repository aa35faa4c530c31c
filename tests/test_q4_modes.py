"""Homework-mode facts computed from the submitted code's rules, and the overfitting checks."""

from __future__ import annotations

import math

import pytest

from hwsolve.experiments.mnist import ALL_CONFIGS, parse_configs
from hwsolve.experiments.mnist.configs import storage_order
from hwsolve.experiments.mnist.modes import corrected_split_sizes, homework_batch_split, homework_epochs
from hwsolve.experiments.mnist.overfitting import as_written_overfit_epochs, overfitting_onset, rising_epochs


def submitted_loop_epochs(E: int) -> list[int]:
    """Execute the submitted loop structure literally and count the epochs each model gets."""
    counts = []

    def train(epoch):
        for _activation in range(3):
            for _criterion in range(2):
                for _optimizer in range(2):
                    n = 0
                    for epoch in range(epoch):  # noqa: B020, B007 - the submitted bug (epoch rebound, unused), on purpose
                        n += 1
                    counts.append(n)

    train(E)
    return counts


@pytest.mark.parametrize("E", [30, 12, 5, 1])
def test_shrinking_epochs_match_the_submitted_loop(E):
    assert [homework_epochs(E, c.index) for c in ALL_CONFIGS] == submitted_loop_epochs(E)


def test_thirty_epochs_give_30_down_to_19():
    assert [homework_epochs(30, k) for k in range(12)] == list(range(30, 18, -1))


def test_batch_split_of_the_full_data():
    n_batches = math.ceil(60000 / 128)
    assert n_batches == 469
    train, val = homework_batch_split(60000)
    assert list(train) == [i for i in range(n_batches) if i < int(0.8 * n_batches)]
    assert list(val) == [i for i in range(n_batches) if i > int(0.8 * n_batches)]
    assert train.stop == 375 and val.start == 376 and val.stop == 469
    assert corrected_split_sizes(60000) == (48000, 12000)


def test_overfit_check_as_written_and_as_intended():
    sums = [5.0, 4.0, 4.5, 3.0, 3.5, 3.6]
    assert as_written_overfit_epochs(sums) == []  # never above 999999999
    assert as_written_overfit_epochs([1e10, 2e10, 1.5e10, float("nan")]) == [0, 1]
    assert rising_epochs(sums) == [3, 5, 6]
    assert overfitting_onset(sums) == 4  # minimum at epoch 4, all later epochs above it
    assert overfitting_onset([3.0, 2.0, 1.0]) is None
    assert overfitting_onset([1.0, float("nan")]) is None


def test_config_parsing_and_order():
    assert [c.name for c in ALL_CONFIGS[:4]] == [
        "relu/cross_entropy/sgd",
        "relu/cross_entropy/adam",
        "relu/nll/sgd",
        "relu/nll/adam",
    ]
    assert [c.name for c in parse_configs("sigmoid/*/adam,relu/nll/sgd")] == [
        "relu/nll/sgd",
        "sigmoid/cross_entropy/adam",
        "sigmoid/nll/adam",
    ]
    with pytest.raises(ValueError, match="tanh"):
        parse_configs("tanh/nll/sgd")
    with pytest.raises(ValueError, match="activation/loss/optimizer"):
        parse_configs("relu/nll")
    order = storage_order(list(ALL_CONFIGS))
    assert [c.activation for c in order] == ["relu"] * 4 + ["leaky_relu"] * 4 + ["sigmoid"] * 4
