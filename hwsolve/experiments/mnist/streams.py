"""One --seed, many independent sources of randomness: each gets its own stream, seed * 1000 + stream.

Streams 0..11 are the configurations' initial weights (their homework index),
so a subset of configurations draws exactly the weights of the full sweep.
"""

from __future__ import annotations

import torch

STREAMS_PER_SEED = 1000
SPLIT_STREAM = 101  # corrected mode's train/validation split
SHUFFLE_STREAM = 202  # corrected mode's per-epoch batch order
DROPOUT_STREAM = 303  # corrected mode's dropout masks


def stream_seed(seed: int, stream: int) -> int:
    """The seed of one source of randomness under the run's --seed."""
    return seed * STREAMS_PER_SEED + stream


def generator(seed: int, stream: int, device: torch.device | str) -> torch.Generator:
    """A torch.Generator on `device` seeded for one stream."""
    g = torch.Generator(device=device)
    g.manual_seed(stream_seed(seed, stream))
    return g
