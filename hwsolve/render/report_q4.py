"""Q4 in the report: reuse build/q4/<mode>/results.json or run the sweep, then draw.

Adapted to hwsolve.solutions.q4 once it lands.
"""

from __future__ import annotations

from typing import Any


def solve_q4_for_report(solver, options) -> Any:
    return solver()


def q4_figure_specs(solution: Any) -> list:
    return []
