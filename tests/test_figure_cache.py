"""A rerun redraws a figure only when its data or the drawing code changed."""

import dataclasses

from hwsolve.problem.q3 import Q3Problem
from hwsolve.render import report
from hwsolve.render.figures import cache
from hwsolve.render.questions.hook import FigureSpec
from hwsolve.render.questions.q3 import Q3InReport
from hwsolve.render.report import QuestionSection
from hwsolve.solutions.q3 import solve_q3


class _CountingQ3(Q3InReport):
    """Q3 in the report, with one figure that records each time it is drawn instead of drawing the network."""

    calls: list[str] = []

    def figures(self):
        def draw(base):
            self.calls.append(base.name)
            for suffix in cache.FIGURE_SUFFIXES:
                base.with_suffix(f".{suffix}").write_bytes(b"figure")

        return [FigureSpec("q3_network", draw, "")]


def test_unchanged_solution_is_not_redrawn_and_a_changed_one_is(monkeypatch, tmp_path):
    calls: list[str] = []
    monkeypatch.setattr(_CountingQ3, "calls", calls)
    homework = solve_q3()
    for _ in range(2):
        report.draw_figures([QuestionSection(3, "Q3", solved=_CountingQ3(homework))], tmp_path)
    assert calls == ["q3_network"]  # the second run found the figure current

    other = solve_q3(dataclasses.replace(Q3Problem(), lr=0.5))
    report.draw_figures([QuestionSection(3, "Q3", solved=_CountingQ3(other))], tmp_path)
    assert calls == ["q3_network", "q3_network"]

    (tmp_path / "q3_network.pdf").unlink()  # a figure file lost: drawn again
    report.draw_figures([QuestionSection(3, "Q3", solved=_CountingQ3(other))], tmp_path)
    assert len(calls) == 3


def test_key_ignores_provenance_only():
    solution = {"values": [1.0, 2.0], "reused": True}
    assert cache.figure_key("f", solution) == cache.figure_key("f", {**solution, "reused": False})
    assert cache.figure_key("f", {"configs": [{"wall_time_s": 1.0}]}) == cache.figure_key(
        "f", {"configs": [{"wall_time_s": 2.0}]}
    )
    assert cache.figure_key("f", solution) != cache.figure_key("f", {**solution, "values": [1.0, 2.5]})
    assert cache.figure_key("f", solution) != cache.figure_key("g", solution)
