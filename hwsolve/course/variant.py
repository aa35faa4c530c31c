"""One student's variant of the homework: Q1(b)'s dropout numbers and Q3's network, drawn from their seed.

What varies, and the default ranges (each an option of `hwsolve variants`):
- Q1(b): a 5-vector on a 0.25 grid in [-6, 6] without zero, a mask of
  five 0/1 entries with at least one kept and one dropped unit, and the
  rate p from {0.2, 0.25, 0.4, 0.5};
- Q3: the homework's 2-2-1 sigmoid network with the loss (y - y5)^2, its
  six weights one-decimal values in [-0.9, 0.9] without zero, x1 and x2
  one-decimal values in (0, 1), the target from {0.1, ..., 0.9} and the
  learning rate from {0.1, 0.5, 1}.

A draw is a function of (seed, attempt) alone, every choice taken from
SHA-256 of them: attempt 0 is the first draw, and a draw rejected as not
separable (hwsolve.course.separability) is replaced by attempt 1, 2, ... So a
student's variant never depends on anyone else on the roster, on the
machine, or on the Python version.

Public API: ``VariantRanges`` (the ranges, validated), ``Variant`` (the
drawn values and the Q3Problem they make), ``draw_variant(student, seed,
attempt, ranges)``, ``homework_variant()`` (the homework itself, for
grading the submitted solution and `hwsolve check`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from hwsolve.problem.q1 import DropoutProblem
from hwsolve.problem.q3 import HOMEWORK_WEIGHTS, Q3Problem

VECTOR_LENGTH = 5
Item = TypeVar("Item")


def _multiples(step: float, low: float, high: float) -> tuple[float, ...]:
    """The non-zero multiples of `step` in [low, high], each k * step exactly as a person writes it."""
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    values = (round(k * step, 10) for k in range(first, last + 1))  # round: 3 * 0.1 is 0.30000000000000004
    return tuple(value for value in values if value != 0 and low - 1e-12 <= value <= high + 1e-12)


def _tenths(low: float, high: float, *, open_interval: bool = False) -> tuple[float, ...]:
    """One-decimal values in [low, high] (or (low, high)) without zero."""
    values = _multiples(0.1, low, high)
    return tuple(value for value in values if low < value < high) if open_interval else values


@dataclass(frozen=True)
class VariantRanges:
    """What a variant is drawn from; the defaults are the issue's, every one an option."""

    q1b_low: float = -6.0
    q1b_high: float = 6.0
    q1b_step: float = 0.25
    q1b_rates: tuple[str, ...] = ("0.2", "0.25", "0.4", "0.5")  # strings: the rate as the sheet shows it
    q3_weight_low: float = -0.9
    q3_weight_high: float = 0.9
    q3_learning_rates: tuple[float, ...] = (0.1, 0.5, 1.0)

    def __post_init__(self) -> None:
        if not self.q1b_low < self.q1b_high or self.q1b_step <= 0:
            raise ValueError(
                f"the Q1(b) range must be low < high with a positive step, got {self.q1b_low}, "
                f"{self.q1b_high}, step {self.q1b_step}"
            )
        if len(self.q1b_grid) < 2:
            raise ValueError("the Q1(b) range holds fewer than 2 non-zero values on its grid")
        if not self.q1b_rates or any(not 0 < float(rate) < 1 for rate in self.q1b_rates):
            raise ValueError(f"dropout rates must lie strictly between 0 and 1, got {', '.join(self.q1b_rates)}")
        if not self.q3_weights:
            raise ValueError(
                f"the Q3 weight range [{self.q3_weight_low}, {self.q3_weight_high}] has no one-decimal "
                "value other than 0"
            )
        if not self.q3_learning_rates or any(not lr > 0 for lr in self.q3_learning_rates):
            raise ValueError("learning rates must be positive")

    @property
    def q1b_grid(self) -> tuple[float, ...]:
        return _multiples(self.q1b_step, self.q1b_low, self.q1b_high)

    @property
    def q3_weights(self) -> tuple[float, ...]:
        return _tenths(self.q3_weight_low, self.q3_weight_high)

    @property
    def q3_inputs(self) -> tuple[float, ...]:
        return _tenths(0.0, 1.0, open_interval=True)

    @property
    def q3_targets(self) -> tuple[float, ...]:
        return _tenths(0.1, 0.9)


@dataclass(frozen=True)
class Variant:
    """A student's given values; ``q3`` is the Q3Problem hwsolve q3 solves."""

    student: str
    seed: int
    attempt: int  # 0: the first draw; n: n draws were rejected as not separable
    q1b_x: tuple[float, ...]
    q1b_mask: tuple[int, ...]
    q1b_p: str
    q3: Q3Problem

    @property
    def dropout(self) -> DropoutProblem:
        return DropoutProblem(x=self.q1b_x, mask=self.q1b_mask, rates=(self.q1b_p,))


class _Stream:
    """Choices drawn from SHA-256 of (seed, attempt, counter): fixed by the algorithm, not by a library.

    Python's random promises its seeding but not how choice() spends the
    stream, so a new Python could change every student's variant; this cannot.
    """

    def __init__(self, seed: int, attempt: int) -> None:
        self._prefix = f"hwsolve variant draw/{seed}/{attempt}/".encode()
        self._counter = 0

    def below(self, count: int) -> int:
        """An integer in [0, count), uniform: 64-bit words past the last whole multiple of count are redrawn."""
        limit = (2**64 // count) * count
        while True:
            digest = hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
            self._counter += 1
            word = int.from_bytes(digest[:8], "big")
            if word < limit:
                return word % count

    def choice(self, items: Sequence[Item]) -> Item:
        return items[self.below(len(items))]


def _mask(stream: _Stream) -> tuple[int, ...]:
    """Five 0/1 entries, at least one unit kept and one dropped (else the question asks nothing)."""
    while True:
        mask = tuple(stream.below(2) for _ in range(VECTOR_LENGTH))
        if 0 < sum(mask) < VECTOR_LENGTH:
            return mask


def draw_variant(student: str, seed: int, attempt: int = 0, ranges: VariantRanges | None = None) -> Variant:
    """The variant of (seed, attempt): the same arguments always give the same values."""
    ranges = ranges or VariantRanges()
    stream = _Stream(seed, attempt)
    x = tuple(stream.choice(ranges.q1b_grid) for _ in range(VECTOR_LENGTH))
    mask = _mask(stream)
    p = stream.choice(ranges.q1b_rates)
    weights = tuple((name, stream.choice(ranges.q3_weights)) for name, _ in HOMEWORK_WEIGHTS)
    first = stream.choice(ranges.q3_inputs)
    # x1 = x2 would make every gradient of w13 equal w23's (and w14 w24's): half the question asked twice.
    inputs = (first, stream.choice([value for value in ranges.q3_inputs if value != first]))
    problem = Q3Problem(
        x=inputs,
        y=(stream.choice(ranges.q3_targets),),
        lr=stream.choice(ranges.q3_learning_rates),
        weights=weights,
    )
    return Variant(student, seed, attempt, x, mask, p, problem)


def homework_variant(student: str = "homework") -> Variant:
    """The homework itself: Q1(b) at the question's p = 0.5, Q3 as given (seed 0, never drawn)."""
    dropout = DropoutProblem()
    return Variant(student, 0, 0, dropout.x, dropout.mask, dropout.rates[0], Q3Problem())
