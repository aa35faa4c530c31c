"""Separable variants: no two mistakes may give an answer within 3 significant figures of each other.

For each graded answer of a variant, the key's value and the value under each
misconception (hwsolve.course.misconceptions) are computed. Two mistakes whose
values both lie away from the key, yet within one unit in the third
significant figure of each other (so that a student's 3-figure number could
round to either), would make the diagnosis a coin toss: the variant is
rejected and redrawn. The band is a whole unit, not the ±0.51 of grading,
because two values half a unit apart can still round to the same text.

Two cases are no reason to reject:
- values exactly equal: that misconception changes nothing on this variant
  (``lr_ignored`` at lr = 1) and is not diagnosable there;
- a mistake within 3 significant figures of the key itself: on that answer a
  3-figure number cannot show it, whatever happens elsewhere. The literal
  rule, which counts these too, rejects every draw: on the updated weights
  w - lr g, ``rounded_intermediates`` lies within 3 figures of the key in
  about 99.7% of draws and ``updated_weights_backprop`` in about 75% (w
  dominates the small step). A student who writes more figures can still
  show such a mistake, and the grader then diagnoses it; when two mistakes
  fit one answer, the one matching at the student's own precision wins,
  then the one explaining most of their answers (hwsolve.course.grading).
``truncated`` depends on the student's own decimals and is judged answer by
answer, not here.

Public API: ``collisions(variants)`` -> per variant, the colliding
(path, id, id) triples; ``separable_variants(students, ranges)`` draws each
student's first separable variant and reports the redraws;
``candidate_answers(variants)`` (the key's and every misconception's answers,
as arrays over the variants); ``sigfig_band``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hwsolve.course.answers import ANSWER_PATHS
from hwsolve.course.keys import q1b_given, q3_given
from hwsolve.course.misconceptions import Q1B_MODELS, Q3_MODELS, q1b_answers, q3_answers
from hwsolve.course.tolerance import LAST_PLACE, SEPARATION_TOLERANCE
from hwsolve.course.variant import Variant, VariantRanges, draw_variant
from hwsolve.errors import HwsolveError

Array = npt.NDArray[np.float64]
EQUAL = 1e-12  # relative: two models computing the same number, up to float64 rounding
MAX_DRAWS = 1000  # per student; the defaults need a few (see the closing note), a bad range needs all


def sigfig_band(values: Array, figures: int) -> Array:
    """±0.51 in the last of `figures` significant figures of each value (0 for 0), as Tolerance("sigfig")."""
    magnitude = np.floor(np.log10(np.where(values == 0, 1.0, np.abs(values))))
    return np.asarray(np.where(values == 0, 0.0, LAST_PLACE * 10.0 ** (magnitude - figures + 1)), dtype=np.float64)


def _too_close(a: Array, b: Array) -> npt.NDArray[np.bool_]:
    """Per variant: a and b differ, but within one unit of the third significant figure of each other (every
    element of a vector): written to 3 figures, a number could round to either."""
    figures = int(SEPARATION_TOLERANCE.amount)
    gap = np.abs(a - b)
    equal = gap <= EQUAL * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    unit = np.maximum(sigfig_band(a, figures), sigfig_band(b, figures)) / LAST_PLACE
    close = equal | (gap <= unit)
    if a.ndim == 2:  # a vector answer: confusable when every element is
        return np.asarray(close.all(axis=1) & ~equal.all(axis=1))
    return np.asarray(close & ~equal)


@dataclass(frozen=True)
class Collision:
    path: str
    first: str  # "key" or a misconception id
    second: str


def candidate_answers(variants: Sequence[Variant]) -> dict[str, dict[str, Array]]:
    """id ("key" or a misconception) -> path -> the values of every variant."""
    q3, q1b = q3_given(variants), q1b_given(variants)
    result = {"key": q3_answers(q3) | q1b_answers(q1b)}
    result |= {model: q3_answers(q3, model) for model in Q3_MODELS}
    result |= {model: q1b_answers(q1b, model) for model in Q1B_MODELS}
    return result


def _within(a: Array, b: Array) -> npt.NDArray[np.bool_]:
    """Per variant: a lies within 3 significant figures of b, or equals it (every element of a vector)."""
    figures = int(SEPARATION_TOLERANCE.amount)
    gap = np.abs(a - b)
    close = (gap <= EQUAL * np.maximum(1.0, np.abs(b))) | (gap <= sigfig_band(b, figures))
    return np.asarray(close.all(axis=1) if a.ndim == 2 else close)


def collisions(variants: Sequence[Variant]) -> list[list[Collision]]:
    """For each variant, every pair of mistakes whose values both lie away from the key (beyond 3 significant
    figures) yet within a unit of the third figure of each other: the diagnosis would be a coin toss."""
    candidates = candidate_answers(variants)
    key = candidates.pop("key")
    found: list[list[Collision]] = [[] for _ in variants]
    for path in ANSWER_PATHS:
        ids = [name for name, values in candidates.items() if path in values]
        wrong = {name: ~_within(candidates[name][path], key[path]) for name in ids}
        for index, first in enumerate(ids):
            for second in ids[index + 1 :]:
                both_wrong = wrong[first] & wrong[second]
                confusable = _too_close(candidates[first][path], candidates[second][path]) & both_wrong
                for v in np.nonzero(confusable)[0]:
                    found[int(v)].append(Collision(path, first, second))
    return found


@dataclass(frozen=True)
class Drawn:
    variants: list[Variant]
    redraws: int  # draws rejected in all, over every student


def separable_variants(
    students: Sequence[tuple[str, int]], ranges: VariantRanges | None = None, max_draws: int = MAX_DRAWS
) -> Drawn:
    """Each (student, seed)'s first separable draw: attempt 0, else 1, 2, ... (independent of everyone else)."""
    attempts = {student: 0 for student, _ in students}
    chosen: dict[str, Variant] = {}
    pending = list(students)
    while pending:
        variants = [draw_variant(student, seed, attempts[student], ranges) for student, seed in pending]
        retry = []
        for variant, problems in zip(variants, collisions(variants)):
            if not problems:
                chosen[variant.student] = variant
                continue
            attempts[variant.student] += 1
            if attempts[variant.student] >= max_draws:
                example = problems[0]
                raise HwsolveError(
                    f"no separable variant for student {variant.student!r} in {max_draws} draws (e.g. {example.path}: "
                    f"{example.first} and {example.second} agree to 3 significant figures); widen the ranges"
                )
            retry.append((variant.student, variant.seed))
        pending = retry
    return Drawn([chosen[student] for student, _ in students], sum(attempts.values()))
