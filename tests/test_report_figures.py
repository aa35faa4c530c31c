"""Figures: the Q3 network's annotations against a closed form, and the Q4 plots' data placement."""

import math

import numpy as np
import pytest

from hwsolve.render.figures.q3_network import drawing_from_q3, draw_network, network_figure, NetworkDrawing, Line
from hwsolve.render.figures.q4_curves import draw_learning_curves, grid_axes
from hwsolve.render.figures.q4_heatmap import draw_test_error_heatmap, error_matrix
from hwsolve.render.numbers import format_number

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def _assert_png_and_pdf(png, pdf):
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 5000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000


def test_q3_drawing_carries_closed_form_values():
    from hwsolve.solutions.q3 import solve_q3

    drawing = drawing_from_q3(solve_q3(), digits=6)
    # Independent closed form for the homework network (target 0.5).
    y3, y4 = _sigmoid(0.35 * 0.1 + 0.9 * 0.8), _sigmoid(0.35 * 0.4 + 0.9 * 0.6)
    y5 = _sigmoid(0.3 * y3 + 0.9 * y4)
    dl_dy5 = -2 * (0.5 - y5)
    dl_dy3 = dl_dy5 * y5 * (1 - y5) * 0.3
    dl_dw13 = dl_dy3 * y3 * (1 - y3) * 0.35
    texts = {n: [line.text for line in lines] for n, lines in drawing.neuron_lines.items()}
    assert f"dL/dy5 = {format_number(dl_dy5, 6)}" in texts[5]
    assert f"dL/dy3 = {format_number(dl_dy3, 6)}" in texts[3]
    assert f"y3 = {format_number(y3, 6)}" in texts[3]
    edge = [line.text for line in drawing.edge_lines[(1, 3)]]
    assert edge == ["w13 = 0.1", f"dL/dw13 = {format_number(dl_dw13, 6)}", f"new w13 = {format_number(0.1 - dl_dw13, 6)}"]
    assert set(drawing.edge_lines) == {(1, 3), (2, 3), (1, 4), (2, 4), (3, 5), (4, 5)}


def test_network_drawing_writes_png_and_pdf(tmp_path):
    drawing = NetworkDrawing((3, 2, 2), loss_lines=[Line("loss")])
    drawing.edge_lines[(1, 4)] = [Line("w14")]
    png, pdf = draw_network(drawing, tmp_path / "figures" / "net")
    _assert_png_and_pdf(png, pdf)


def test_q3_edge_labels_are_clear_of_each_other_and_of_other_edges():
    """Each weight label is readable: no other label overlaps it, and no edge
    but its own runs through it (its own is hidden behind its background)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath
    from matplotlib.transforms import Bbox
    from hwsolve.solutions.q3 import solve_q3

    figure = network_figure(drawing_from_q3(solve_q3(), digits=4))
    try:
        renderer = figure.canvas.get_renderer()
        axis = figure.axes[0]
        lines: dict[str, list] = {}
        for text in axis.texts:
            if (text.get_gid() or "").startswith("edge label "):
                lines.setdefault(text.get_gid().removeprefix("edge label "), []).append(text.get_window_extent(renderer))
        labels = {edge: Bbox.union(boxes) for edge, boxes in lines.items()}
        # Each arrow as polylines in pixels: its path ends in a CLOSEPOLY whose
        # vertex is filler, which intersects_bbox would take as a real point.
        edges = {patch.get_gid().removeprefix("edge "): [MplPath(polyline) for polyline in
                                                         patch.get_path().to_polygons(axis.transData, closed_only=False)]
                 for patch in axis.patches if isinstance(patch, FancyArrowPatch)}
        assert set(labels) == {"1-3", "2-3", "1-4", "2-4", "3-5", "4-5"}
        assert len(edges) == 7  # six weights and the output's arrow to the loss
        names = sorted(labels)
        for index, name in enumerate(names):
            for other in names[index + 1:]:
                assert not labels[name].overlaps(labels[other]), (name, other)
            for edge, polylines in edges.items():
                if edge != name:
                    assert not any(line.intersects_bbox(labels[name], filled=False) for line in polylines), (name, edge)
    finally:
        plt.close(figure)


def _entries():
    entries = []
    for index, (activation, loss, optimizer) in enumerate(
        (a, l, o) for a in ("sigmoid", "relu") for l in ("nll", "cross_entropy") for o in ("adam", "sgd")
    ):
        entries.append({"activation": activation, "loss": loss, "optimizer": optimizer, "test_error": 0.01 * (index + 1),
                        "train_loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, None]})
    return entries


def test_grid_uses_the_homework_order_whatever_the_input_order():
    activations, columns = grid_axes(_entries())
    assert activations == ["relu", "sigmoid"]
    assert columns == [("cross_entropy", "sgd"), ("cross_entropy", "adam"), ("nll", "sgd"), ("nll", "adam")]


def test_error_matrix_puts_each_error_in_its_cell():
    entries = _entries()
    activations, columns = grid_axes(entries)
    matrix = error_matrix(entries, activations, columns)
    for entry in entries:
        row = activations.index(entry["activation"])
        column = columns.index((entry["loss"], entry["optimizer"]))
        assert matrix[row, column] == entry["test_error"]
    assert np.isfinite(matrix).all()


def test_q4_figures_are_written(tmp_path):
    entries = _entries()
    _assert_png_and_pdf(*draw_learning_curves(entries[:-1], tmp_path / "curves", "homework"))  # one config missing
    _assert_png_and_pdf(*draw_test_error_heatmap({"homework": entries, "corrected": entries[:3]}, tmp_path / "heat"))


def test_no_results_is_an_error_not_an_empty_figure(tmp_path):
    from hwsolve.errors import HwsolveError

    with pytest.raises(HwsolveError):
        draw_learning_curves([], tmp_path / "x", "homework")
    with pytest.raises(HwsolveError):
        draw_test_error_heatmap({"homework": []}, tmp_path / "y")
