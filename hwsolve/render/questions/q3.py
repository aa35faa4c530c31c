"""Q3 in the report: the homework's backpropagation step (solve_q3's defaults) and the network figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hwsolve.i18n import N_, _
from hwsolve.render.options import ReportOptions
from hwsolve.render.questions.hook import FigureSpec

if TYPE_CHECKING:
    from hwsolve.solutions.q3 import Q3Solution


@dataclass(frozen=True)
class Q3InReport:
    solution: Q3Solution

    def template_context(self) -> dict[str, object]:
        return {"solution": self.solution}

    def figures(self) -> list[FigureSpec]:
        from hwsolve.render.figures.q3_network import draw_q3_network

        return [
            FigureSpec(
                "q3_network",
                lambda base: draw_q3_network(self.solution, base),
                _(
                    "Q3: the network after the forward and backward pass: "
                    "weights, values, gradients and updated weights."
                ),
            )
        ]

    def notices(self) -> list[str]:
        return []

    def seed_facts(self) -> list[str]:
        return []  # the homework gives every number: nothing is random

    def reproducibility_notes(self) -> list[str]:
        return []


class Q3Hook:
    number = 3
    title = N_("One step of backpropagation by hand")
    solver = "hwsolve.solutions.q3.solve_q3"

    def solve(self, options: ReportOptions) -> Q3InReport:
        from hwsolve.solutions.q3 import solve_q3

        return Q3InReport(solve_q3())

    def option_notices(self, options: ReportOptions) -> list[str]:
        return []
