"""The benchmark's homework-style baseline feeds the models the same pixels as hwsolve's trainer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from hwsolve.data.mnist import load_mnist

pytestmark = pytest.mark.mnist


def load_benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "q4_sweep.py"
    spec = importlib.util.spec_from_file_location("q4_sweep", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_per_sample_dataset_gives_the_trainers_pixels_and_labels():
    benchmark, mnist = load_benchmark(), load_mnist()
    dataset = benchmark.PerSampleMnist.from_mnist(mnist)
    assert len(dataset) == 60000
    for index in (0, 1, 12345, 59999):
        image, label = dataset[index]
        assert image.shape == (1, 28, 28) and image.dtype == torch.float32
        assert torch.equal(image.view(-1), mnist.train_images[index])  # k/255 in float32 both ways
        assert label == int(mnist.train_labels[index])
