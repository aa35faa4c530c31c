"""The graded answers of a variant: their paths (a contract with the answer sheets and the gradebook).

A path names one answer as the TOML answer sheet does: ``q1b.train`` (the
training-time dropout output, a vector), ``q1b.test``, ``q3.loss``,
``q3.forward.H3`` ... ``q3.forward.y5``, ``q3.gradients.w13`` ... and
``q3.updated.w13`` .... Scripts and gradebooks depend on these strings.

Public API: ``ANSWER_PATHS`` (every graded path, in the order a sheet lists
them), ``VECTOR_PATHS`` (the paths whose answer is a vector),
``question_of(path)`` ("q1b" or "q3"), ``Q3_WEIGHTS`` and ``Q3_NEURONS``
(the homework network's weight names and forward-pass quantities), and
``POINTS`` (points per answer).
"""

from __future__ import annotations

Q3_WEIGHTS = ("w13", "w23", "w14", "w24", "w35", "w45")  # hwsolve's canonical order for the 2-2-1 network
Q3_NEURONS = ("H3", "y3", "H4", "y4", "O5", "y5")  # net input and output of every non-input neuron

VECTOR_PATHS = ("q1b.train", "q1b.test")
ANSWER_PATHS: tuple[str, ...] = (
    *VECTOR_PATHS,
    "q3.loss",
    *(f"q3.forward.{name}" for name in Q3_NEURONS),
    *(f"q3.gradients.{name}" for name in Q3_WEIGHTS),
    *(f"q3.updated.{name}" for name in Q3_WEIGHTS),
)
QUESTIONS = ("q1b", "q3")
POINTS = 1.0  # every answer is worth one point; a vector is one answer


def question_of(path: str) -> str:
    """'q3.gradients.w13' -> 'q3'."""
    return path.split(".", 1)[0]


def is_vector(path: str) -> bool:
    return path in VECTOR_PATHS
