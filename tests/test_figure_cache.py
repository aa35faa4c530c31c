"""A rerun redraws a figure only when its data or the drawing code changed."""

import dataclasses

from hwsolve.problem.q3 import Q3Problem
from hwsolve.render import report, report_questions
from hwsolve.render.figures import cache
from hwsolve.render.report import QuestionSection
from hwsolve.render.report_questions import FigureSpec
from hwsolve.solutions.q3 import solve_q3


def _counting_drawer(calls):
    def draw(solution, base):
        calls.append(base.name)
        for suffix in cache.FIGURE_SUFFIXES:
            base.with_suffix(f".{suffix}").write_bytes(b"figure")

    return draw


def test_unchanged_solution_is_not_redrawn_and_a_changed_one_is(monkeypatch, tmp_path):
    calls: list[str] = []
    monkeypatch.setattr(
        report_questions,
        "figure_drawers",
        lambda number, solution: [FigureSpec("q3_network", _counting_drawer(calls), "")],
    )
    homework = solve_q3()
    for _ in range(2):
        report.draw_figures([QuestionSection(3, "Q3", solution=homework)], tmp_path)
    assert calls == ["q3_network"]  # the second run found the figure current

    other = solve_q3(dataclasses.replace(Q3Problem(), lr=0.5))
    report.draw_figures([QuestionSection(3, "Q3", solution=other)], tmp_path)
    assert calls == ["q3_network", "q3_network"]

    (tmp_path / "q3_network.pdf").unlink()  # a figure file lost: drawn again
    report.draw_figures([QuestionSection(3, "Q3", solution=other)], tmp_path)
    assert len(calls) == 3


def test_key_ignores_provenance_only():
    solution = {"values": [1.0, 2.0], "reused": True}
    assert cache.figure_key("f", solution) == cache.figure_key("f", {**solution, "reused": False})
    assert cache.figure_key("f", {"configs": [{"wall_time_s": 1.0}]}) == cache.figure_key(
        "f", {"configs": [{"wall_time_s": 2.0}]}
    )
    assert cache.figure_key("f", solution) != cache.figure_key("f", {**solution, "values": [1.0, 2.5]})
    assert cache.figure_key("f", solution) != cache.figure_key("g", solution)
