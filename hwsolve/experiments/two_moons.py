"""A seeded two-moons dataset (2 classes, not linearly separable), in torch.

sklearn is not a dependency, so this is make_moons' construction: class 0 is
the upper half circle (cos t, sin t), class 1 the lower one shifted to
(1 - cos t, 1/2 - sin t), t ~ U[0, pi], plus Gaussian noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Split:
    inputs: torch.Tensor  # (n, 2) float32
    labels: torch.Tensor  # (n,) int64, 0 or 1


def two_moons(n_points: int, noise: float, generator: torch.Generator) -> Split:
    first = n_points // 2
    second = n_points - first
    angles_first = torch.rand(first, generator=generator, dtype=torch.float64) * math.pi
    angles_second = torch.rand(second, generator=generator, dtype=torch.float64) * math.pi
    upper = torch.stack([torch.cos(angles_first), torch.sin(angles_first)], dim=1)
    lower = torch.stack([1.0 - torch.cos(angles_second), 0.5 - torch.sin(angles_second)], dim=1)
    points = torch.cat([upper, lower]) + noise * torch.randn(n_points, 2, generator=generator, dtype=torch.float64)
    labels = torch.cat([torch.zeros(first, dtype=torch.int64), torch.ones(second, dtype=torch.int64)])
    order = torch.randperm(n_points, generator=generator)
    return Split(points[order].float(), labels[order])


def train_test_moons(n_train: int, n_test: int, noise: float, seed: int) -> tuple[Split, Split]:
    """Independent draws for train and test from one seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    return two_moons(n_train, noise, generator), two_moons(n_test, noise, generator)
