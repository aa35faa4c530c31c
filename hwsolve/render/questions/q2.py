"""Q2 in the report: the three statements of solve_q2 and the regularisation figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hwsolve.i18n import N_, _
from hwsolve.render.options import ReportOptions
from hwsolve.render.questions.hook import FigureSpec, question_words, seed_fact

if TYPE_CHECKING:
    from hwsolve.solutions.q2 import Q2Solution


@dataclass(frozen=True)
class Q2InReport:
    solution: Q2Solution

    def template_context(self) -> dict[str, object]:
        return {"solution": self.solution}

    def figures(self) -> list[FigureSpec]:
        from hwsolve.render.figures.q2_regularisation import draw_regularisation

        return [
            FigureSpec(
                "q2_regularisation",
                lambda base: draw_regularisation(self.solution, base),
                _("Q2: training and validation error against the number of features (b) and the L2 coefficient (c)."),
            )
        ]

    def notices(self) -> list[str]:
        return []

    def seed_facts(self) -> list[str]:
        return [seed_fact(question_words(2), self.solution.seeds)]

    def reproducibility_notes(self) -> list[str]:
        return []


class Q2Hook:
    number = 2
    title = N_("True or false on regularisation")
    solver = "hwsolve.solutions.q2.solve_q2"

    def solve(self, options: ReportOptions) -> Q2InReport:
        from hwsolve.solutions.q2 import solve_q2

        return Q2InReport(solve_q2(seed=options.seed))

    def option_notices(self, options: ReportOptions) -> list[str]:
        return []
