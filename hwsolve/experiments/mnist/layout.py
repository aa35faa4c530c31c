"""Where the non-zero pixels are: the column and row layout that lets the first layer's GEMMs stop early.

Two layout choices change no result beyond float rounding, and both cut work:

- Pixels (columns) are sorted by how many training images use them, most
  first, and W1's columns follow the same order. Each image's non-zero pixels
  then end at its *width*, its last non-zero column + 1 (230 to 717, median
  415), so a GEMM over a set of images can stop at their largest width.
- Rows are sorted by width wherever their order is free (data.py does that).
  A batch of 128 then splits into a narrow and a wide group of rows
  (column_groups), and evaluation chunks have tight widths.
"""

from __future__ import annotations

from itertools import accumulate

import torch

GEMM_ROW_STEP = 16  # split points are multiples of this: the GEMM kernels like row counts of 8/16

RowGroup = tuple[int, int, int]  # (start, stop, width): rows start..stop-1, columns 0..width-1
RowGroups = tuple[RowGroup, ...]


def pixel_order_by_use(images: torch.Tensor) -> torch.Tensor:
    """Pixels sorted by how many training images have them non-zero (most first, ties in natural order).

    A permutation of the input columns (and of W1's) changes nothing in the
    model; 67 of MNIST's 784 pixels are never used.
    """
    counts = images.ne(0).view(torch.uint8).sum(0, dtype=torch.int32)  # ~2x faster than summing bools to int64
    return torch.sort(counts, descending=True, stable=True).indices


def row_widths(images: torch.Tensor) -> torch.Tensor:
    """Per row: 1 + the index of its last non-zero column (0 for an all-zero row), as int64."""
    # int16 positions keep the (rows, columns) temporary small: ~2.5x faster than int64 on 60,000 images.
    dtype = torch.int16 if images.shape[1] < 2**15 else torch.int64
    positions = torch.arange(1, images.shape[1] + 1, dtype=dtype, device=images.device)
    return (images.ne(0) * positions).amax(1).long()


def column_groups(widths: list[int]) -> RowGroups:
    """(start, stop, width) groups of a batch's rows for the first layer's GEMMs.

    `widths` gives each row's last non-zero column + 1. One group covers all
    rows at their largest width; two groups split the rows where
    rows x width summed over the groups is least. With rows sorted by width
    (data.py does that) a batch of 128 MNIST images needs ~20% fewer
    multiply-adds in two groups; benchmarks/q4_sweep.py measures the sweep.
    """
    n = len(widths)
    # Split points fall on block edges, so block maxima are all the search needs (~8x faster in Python).
    blocks = [max(widths[i : i + GEMM_ROW_STEP]) for i in range(0, n, GEMM_ROW_STEP)]
    prefix = list(accumulate(blocks, max))  # prefix[b] = max width of rows before block b + 1
    suffix = list(accumulate(reversed(blocks), max))[::-1]  # suffix[b] = max width from block b on
    whole = max(prefix[-1] if blocks else 0, 1)  # width 1 at least: a GEMM with no columns is an edge case
    best: RowGroups = ((0, n, whole),)
    best_cost = n * whole
    for b in range(1, len(blocks)):
        split, narrow, wide = b * GEMM_ROW_STEP, max(prefix[b - 1], 1), max(suffix[b], 1)
        if split * narrow + (n - split) * wide < best_cost:
            best_cost, best = split * narrow + (n - split) * wide, ((0, split, narrow), (split, n, wide))
    return best


def active_width(x: torch.Tensor) -> int:
    """Columns up to the last one that is non-zero anywhere in x: the rest add exact zeros."""
    # max |x| per column is ~10x cheaper than x.ne(0).any(0) (no bool temporary).
    nonzero = torch.nonzero(x.abs().amax(0))
    return int(nonzero[-1]) + 1 if len(nonzero) else 1
