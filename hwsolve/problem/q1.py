"""Given values of Q1 (multilayer perceptrons). Defaults are the homework's.

- Q1a: shapes used to check the linear collapse numerically.
- Q1b: the dropout input vector, its mask and the rates (0.5 in the question,
  0.4 as announced in class).
- Q1c: the width experiment (two moons, a two-layer ReLU network).
- Q1d: the deep MLP whose per-layer gradient norms are measured at init.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinearCollapseProblem:
    """Batch size, layer widths and the list of layer counts to check."""

    batch_size: int = 7
    # Widths of a stack: input, hidden..., output. Several shapes are checked.
    shapes: tuple[tuple[int, ...], ...] = ((3, 4, 2), (5, 8, 8, 3), (2, 16, 1), (6, 3, 7, 4, 5))
    # The counterexample: two layers with a non-linearity in between.
    counterexample_shape: tuple[int, int, int] = (3, 16, 2)
    counterexample_batch: int = 200


@dataclass(frozen=True)
class DropoutProblem:
    x: tuple[float, ...] = (-4.5, -0.75, 3.0, 6.0, 1.5)
    mask: tuple[int, ...] = (1, 0, 1, 0, 1)
    # Kept as the strings the user typed so the JSON keys read "0.5", "0.4".
    rates: tuple[str, ...] = ("0.5", "0.4")

    def __post_init__(self) -> None:
        if len(self.x) != len(self.mask):
            raise ValueError(f"mask has {len(self.mask)} entries but x has {len(self.x)}")
        if any(value not in (0, 1) for value in self.mask):
            raise ValueError(f"mask entries must be 0 (dropped) or 1 (kept), got {list(self.mask)}")
        for rate in self.rates:
            if not 0.0 <= float(rate) < 1.0:
                raise ValueError(f"dropout rate p must be in [0, 1), got {rate}")


# The homework's question: 2 hidden neurons, then 2 more (4 in all), 256, 1,000,000.
HOMEWORK_WIDTHS: tuple[int, ...] = (2, 4, 256, 1_000_000)


@dataclass(frozen=True)
class WidthProblem:
    widths: tuple[int, ...] = HOMEWORK_WIDTHS
    n_train: int = 200
    n_test: int = 1000
    noise: float = 0.25  # std of the Gaussian noise added to the two moons
    steps: int = 300  # full-batch Adam steps, the same for every width
    learning_rate: float = 0.01
    base_width: int = 256  # widths above this get the output learning rate scaled down (muP)
    # Seeds seed, seed + 1, ...: each draws its own data and initialisation, so a
    # verdict says in how many of them it held, never rests on one.
    seed_count: int = 5
    # The same recipe trained longer, for these widths: does a wide network that
    # fits at `steps` overfit when trained to zero training error?
    long_steps: int = 3000
    long_widths: tuple[int, ...] = (256,)
    # Seconds for all of part c (every seed, both recipes). A width too slow for it is
    # replaced by the widest 1-2-5 width that fits; the report says what was trained.
    time_budget_s: float = 45.0
    # One torch thread: on a small shared CPU it was faster than two at every
    # width we timed, and it keeps timings comparable.
    threads: int = 1

    def __post_init__(self) -> None:
        if self.seed_count < 1:
            raise ValueError(f"seed_count must be at least 1, got {self.seed_count}")
        if not self.widths or min(self.widths) < 1:
            raise ValueError(f"widths must be positive, got {list(self.widths)}")

    def seeds(self, first: int) -> tuple[int, ...]:
        return tuple(range(first, first + self.seed_count))


@dataclass(frozen=True)
class GradientFlowProblem:
    depth: int = 10  # number of Linear layers
    width: int = 64
    batch_size: int = 128
    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    # "default" is torch's nn.Linear init; "xavier" (sigmoid/tanh) or "he" (relu) otherwise.
    initialisations: tuple[str, ...] = ("default", "xavier_he")
