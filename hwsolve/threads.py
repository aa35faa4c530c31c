"""Run small torch work on one thread.

On a small shared CPU, torch's default of one thread per core makes tiny
matrix products slower, not faster: every op waits at a thread barrier for a
core that another process holds (we measured 0.1 s per backward pass of a
16-unit network under load, against milliseconds on one thread).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, count))
    try:
        yield
    finally:
        torch.set_num_threads(previous)
