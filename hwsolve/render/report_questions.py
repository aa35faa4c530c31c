"""How the report calls each question and which figures it draws for it.

This is the one place that knows the questions' solve signatures and their
Solution shapes; report.py stays generic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from hwsolve.errors import DataNotFoundError, HwsolveError

Drawer = Callable[[Any, Path], Any]


def solve(number: int, solver: Callable[..., Any], options) -> Any:
    """Call the question's solve function the way its CLI command does by default."""
    if number in (1, 2):
        return solver(seed=options.seed)
    if number == 3:
        return solver()
    if number == 4:
        from hwsolve.render.report_q4 import solve_q4_for_report

        return solve_q4_for_report(solver, options)
    raise ValueError(f"unknown question {number}")


def placeholder_for(number: int, error: HwsolveError) -> str:
    """One line saying why the question is missing and what to do about it."""
    if isinstance(error, DataNotFoundError):
        return (
            f"not computed, because the MNIST data was not found. {error} "
            "Then rerun `hwsolve report` (for example `HWSOLVE_DATA=/path/to/mnist hwsolve report`)."
        )
    return f"not computed: {error}"


def figure_drawers(number: int, solution: Any) -> list[tuple[str, Drawer]]:
    """(figure name, draw(solution, base_path)) pairs for an available question."""
    if number == 3:
        from hwsolve.render.figures.q3_network import draw_q3_network

        return [("q3_network", draw_q3_network)]
    if number == 4:
        from hwsolve.render.report_q4 import q4_figure_drawers

        return q4_figure_drawers(solution)
    return []


def notices(sections: list, options) -> list[str]:
    """Lines shown under the title: anything that makes this report less than the full one."""
    lines = []
    if options.quick:
        lines.append("Quick mode: the Q4 sweep was trained for 3 epochs only, not the homework's 30; its errors are not final.")
    elif options.epochs is not None:
        lines.append(f"The Q4 sweep was run for {options.epochs} epochs (the homework trains 30).")
    missing = [f"Question {section.number}" for section in sections if not section.available]
    if missing:
        lines.append(f"Not in this report: {', '.join(missing)} (see each section for why).")
    return lines
