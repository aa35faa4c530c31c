"""Figures: the network drawing's files, and the Q4 plots' data placement (Q3's own figure: tests/test_q3_figure.py)."""

from dataclasses import dataclass

import numpy as np
import pytest

from hwsolve.render.figures.q3_network import Line, NetworkDrawing, draw_network
from hwsolve.render.figures.q4_curves import draw_learning_curves, grid_axes
from hwsolve.render.figures.q4_heatmap import draw_test_error_heatmap, error_matrix

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_png_and_pdf(png, pdf):
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 5000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000


def test_network_drawing_writes_png_and_pdf(tmp_path):
    drawing = NetworkDrawing((3, 2, 2), loss_lines=[Line("loss")])
    drawing.edge_lines[(1, 4)] = [Line("w14")]
    png, pdf = draw_network(drawing, tmp_path / "figures" / "net")
    _assert_png_and_pdf(png, pdf)


@dataclass(frozen=True)
class Entry:
    """What the Q4 figures read of a ConfigResult or a ConfigFinding (their Protocols: CurveEntry, HeatmapEntry)."""

    activation: str
    loss: str
    optimizer: str
    test_error: float | None
    train_loss: list[float | None]
    val_loss: list[float | None]


def _entries():
    entries = []
    for index, (activation, loss, optimizer) in enumerate(
        (a, loss, o) for a in ("sigmoid", "relu") for loss in ("nll", "cross_entropy") for o in ("adam", "sgd")
    ):
        entries.append(Entry(activation, loss, optimizer, 0.01 * (index + 1), [1.0, 0.5, 0.25], [1.1, 0.6, None]))
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
        row = activations.index(entry.activation)
        column = columns.index((entry.loss, entry.optimizer))
        assert matrix[row, column] == entry.test_error
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
