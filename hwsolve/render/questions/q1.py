"""Q1 in the report: the four parts of solve_q1, with the width (c) and gradient-flow (d) figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hwsolve.i18n import N_, _
from hwsolve.render.options import ReportOptions
from hwsolve.render.questions.hook import FigureSpec, question_words, seed_fact

if TYPE_CHECKING:
    from hwsolve.solutions.q1 import Q1Solution


@dataclass(frozen=True)
class Q1InReport:
    solution: Q1Solution

    def template_context(self) -> dict[str, object]:
        return {"solution": self.solution}

    def figures(self) -> list[FigureSpec]:
        from hwsolve.render.figures.q1_gradient_flow import draw_gradient_norms
        from hwsolve.render.figures.q1_width import draw_width_accuracy

        figures = []
        part_c, part_d = self.solution.c, self.solution.d
        if part_c is not None:
            figures.append(
                FigureSpec(
                    "q1_width",
                    lambda base: draw_width_accuracy(part_c, base),
                    _("Q1(c): train and test accuracy of the two-layer network by hidden width."),
                )
            )
        if part_d is not None:
            figures.append(
                FigureSpec(
                    "q1_gradient_flow",
                    lambda base: draw_gradient_norms(part_d, base),
                    _("Q1(d): gradient norm per layer at initialisation, by activation and initialisation."),
                )
            )
        return figures

    def notices(self) -> list[str]:
        return []

    def seed_facts(self) -> list[str]:
        return [seed_fact(question_words(1), [self.solution.seed])]

    def reproducibility_notes(self) -> list[str]:
        return self.solution.reproducibility_notes()


class Q1Hook:
    number = 1
    title = N_("Multilayer perceptrons")
    solver = "hwsolve.solutions.q1.solve_q1"

    def solve(self, options: ReportOptions) -> Q1InReport:
        from hwsolve.solutions.q1 import solve_q1

        # Part (c) caches its training runs under the build folder, as `hwsolve q1` does.
        return Q1InReport(solve_q1(seed=options.seed, build_dir=options.out_dir))

    def option_notices(self, options: ReportOptions) -> list[str]:
        return []
