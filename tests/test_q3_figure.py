"""The Q3 network figure: the text's notation and numbers (against a closed form),
labels at least 8 pt as the template places it, a legend in words, and edge
labels clear of each other and of other edges."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from hwsolve.render.figures.q3_network import MIN_FONT_POINTS, draw_q3_network, drawing_from_q3, network_figure
from hwsolve.solutions.q3 import solve_q3

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def _closed_form():
    y3, y4 = _sigmoid(0.35 * 0.1 + 0.9 * 0.8), _sigmoid(0.35 * 0.4 + 0.9 * 0.6)
    y5 = _sigmoid(0.3 * y3 + 0.9 * y4)
    delta5 = -2 * (0.5 - y5) * y5 * (1 - y5)
    delta3 = y3 * (1 - y3) * 0.3 * delta5
    return y3, y5, delta3, delta5


@pytest.fixture(scope="module")
def solution():
    return solve_q3()


def test_labels_use_the_texts_notation_and_precision(solution):
    y3, y5, delta3, delta5 = _closed_form()
    drawing = drawing_from_q3(solution, digits=6)
    texts = {n: [line.text for line in lines] for n, lines in drawing.neuron_lines.items()}
    # Computed values with six significant figures, zeros kept, as in the derivation.
    assert f"$y_{{3}} = {y3:#.6g}$" in texts[3] and f"$y_{{5}} = {y5:#.6g}$" in texts[5]
    assert f"$\\delta_{{3}} = {delta3:#.6g}$" in texts[3] and f"$\\delta_{{5}} = {delta5:#.6g}$" in texts[5]
    assert "$x_{1} = 0.35$" in texts[1]  # a given value, as given
    w13 = [line.text for line in drawing.edge_lines[(1, 3)]]
    gradient = delta3 * 0.35
    assert w13 == [
        "$w_{13} = 0.1$",
        f"$\\partial L / \\partial w_{{13}} = {gradient:#.6g}$",
        f"$w_{{13}} \\leftarrow {0.1 - gradient:#.6g}$",
    ]
    assert set(drawing.edge_lines) == {(1, 3), (2, 3), (1, 4), (2, 4), (3, 5), (4, 5)}
    everything = " ".join(
        line.text
        for lines in [*drawing.neuron_lines.values(), *drawing.edge_lines.values(), drawing.loss_lines]
        for line in lines
    )
    assert "dL/d" not in everything and "**" not in everything and "new w" not in everything
    loss = [line.text for line in drawing.loss_lines]
    assert f"$L = {solution.loss:#.6g}$" in loss and f"$L = {solution.loss_after_step:#.6g}$" in loss


def _placed_width_points() -> float:
    """\\linewidth of the report: A4 (21 cm) less the geometry margins of report.tex.j2."""
    preamble = (TEMPLATES / "tex" / "report.tex.j2").read_text(encoding="utf-8")
    margin_cm = float(re.search(r"\\usepackage\[margin=([\d.]+)cm\]\{geometry\}", preamble).group(1))
    return (21.0 - 2 * margin_cm) / 2.54 * 72


def test_every_label_is_at_least_8_points_as_placed(solution, tmp_path):
    fragment = (TEMPLATES / "tex" / "q3.tex.j2").read_text(encoding="utf-8")
    assert r"\includegraphics[width=\linewidth]{\VAR{figures.q3_network|math}}" in fragment
    _, pdf = draw_q3_network(solution, tmp_path / "q3_network")
    box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    width = float(box.group(3)) - float(box.group(1))
    scale = _placed_width_points() / width
    figure = network_figure(drawing_from_q3(solution, digits=6))
    try:
        texts = [text for text in figure.findobj(plt.Text) if text.get_text().strip()]
        smallest = min(text.get_fontsize() for text in texts)
    finally:
        plt.close(figure)
    assert len(texts) > 30
    assert smallest * scale >= MIN_FONT_POINTS, (smallest, scale)


def test_legend_says_in_words_what_each_colour_means(solution):
    figure = network_figure(drawing_from_q3(solution, digits=6))
    try:
        legend = figure.axes[0].get_legend()
        words = [text.get_text() for text in legend.get_texts()]
        colours = {tuple(round(c, 3) for c in handle.get_facecolor()) for handle in legend.legend_handles}
    finally:
        plt.close(figure)
    assert words == ["forward-pass values", "gradients of the loss", "values after the step"]
    assert len(colours) == 3


def test_edge_labels_are_clear_of_each_other_and_of_other_edges(solution):
    """Each weight label is readable: no other label overlaps it, and no edge
    but its own runs through it (its own is hidden behind its background)."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath
    from matplotlib.transforms import Bbox

    figure = network_figure(drawing_from_q3(solution, digits=6))
    try:
        renderer = figure.canvas.get_renderer()
        axis = figure.axes[0]
        lines: dict[str, list] = {}
        for text in axis.texts:
            if (text.get_gid() or "").startswith("edge label "):
                lines.setdefault(text.get_gid().removeprefix("edge label "), []).append(
                    text.get_window_extent(renderer)
                )
        labels = {edge: Bbox.union(boxes) for edge, boxes in lines.items()}
        # Each arrow as polylines in pixels: its path ends in a CLOSEPOLY whose
        # vertex is filler, which intersects_bbox would take as a real point.
        edges = {
            patch.get_gid().removeprefix("edge "): [
                MplPath(polyline) for polyline in patch.get_path().to_polygons(axis.transData, closed_only=False)
            ]
            for patch in axis.patches
            if isinstance(patch, FancyArrowPatch)
        }
        assert set(labels) == {"1-3", "2-3", "1-4", "2-4", "3-5", "4-5"}
        assert len(edges) == 7  # six weights and the output's arrow to the loss
        names = sorted(labels)
        for index, name in enumerate(names):
            for other in names[index + 1 :]:
                assert not labels[name].overlaps(labels[other]), (name, other)
            for edge, polylines in edges.items():
                if edge != name:
                    assert not any(line.intersects_bbox(labels[name], filled=False) for line in polylines), (name, edge)
    finally:
        plt.close(figure)
