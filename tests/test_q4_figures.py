"""Q4 figures: a diverged panel says so in words, and no title shows an identifier."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from hwsolve.render.figures import q4_curves, q4_heatmap
from hwsolve.render.figures.q4_curves import divergence_note


@dataclass(frozen=True)
class Entry:
    """What the figures read of a ConfigResult or a ConfigFinding (their Protocols: CurveEntry, HeatmapEntry)."""

    activation: str
    loss: str
    optimizer: str
    train_loss: list[float | None]
    val_loss: list[float | None]
    test_error: float | None


def _entry(activation, loss, optimizer, train, validation=None, error=0.05):
    return Entry(activation, loss, optimizer, train, validation if validation is not None else train, error)


def test_divergence_is_put_in_words():
    assert divergence_note([1.0, 0.5], [1.1, 0.6]) is None
    assert divergence_note([1.0, math.nan, math.nan], [1.0, 2.0, math.nan]) == "diverged:\nloss is NaN\nfrom epoch 2"
    note = divergence_note([-1.36e10, -5.38e12, -3.8e14], [-1e10, -1e12, -1e14])
    assert note == "unbounded:\ntraining loss\n$-3.8\\times 10^{14}$\nafter 3 epochs"
    assert divergence_note([-88.5, -856.0], [-80.0, -800.0]).endswith("$-856$\nafter 2 epochs")
    assert divergence_note([-88.5, -3730.0], [-80.0, -800.0]).endswith("$-3.7\\times 10^{3}$\nafter 2 epochs")


def _captured_texts(monkeypatch, module, draw) -> list[str]:
    """Every string drawn on the figure (titles, labels, ticks, annotations), caught before it is saved."""
    figures = []
    monkeypatch.setattr(module, "save_figure", lambda figure, base: figures.append(figure) or (None, None))
    draw()
    (figure,) = figures
    figure.canvas.draw()
    texts = [text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text"))]
    for axis in figure.axes:
        texts += [axis.yaxis.get_offset_text().get_text(), axis.xaxis.get_offset_text().get_text()]
    return [text for text in texts if text]


def test_curves_name_configurations_in_words_and_print_no_offsets(monkeypatch, tmp_path):
    entries = [
        _entry("relu", "cross_entropy", "sgd", [0.8, 0.2, 0.1]),
        _entry("relu", "nll", "adam", [-1.36e10, -5.38e12, -3.8e14]),
        _entry("leaky_relu", "nll", "sgd", [math.nan, math.nan, math.nan]),
        _entry("leaky_relu", "cross_entropy", "adam", [1.2, 1.0, 1.4]),
    ]
    texts = _captured_texts(
        monkeypatch, q4_curves, lambda: q4_curves.draw_learning_curves(entries, tmp_path / "c", "homework")
    )
    assert not [text for text in texts if "_" in text or "1e" in text.replace(" ", "")], texts
    assert "unbounded:\ntraining loss\n$-3.8\\times 10^{14}$\nafter 3 epochs" in texts
    assert "diverged:\nloss is NaN\nfrom epoch 1" in texts
    assert {"training", "validation"} <= set(texts)  # the legend names both curves


def test_heatmap_titles_are_words(monkeypatch, tmp_path):
    entries = [
        _entry("relu", "cross_entropy", "sgd", [0.1], error=0.0261),
        _entry("sigmoid", "nll", "adam", [0.1], error=0.8865),
    ]
    panels = {"homework mode, median of 3 seeds": entries, "corrected": entries}
    texts = _captured_texts(monkeypatch, q4_heatmap, lambda: q4_heatmap.draw_test_error_heatmap(panels, tmp_path / "h"))
    assert "homework mode, median of 3 seeds" in texts and "corrected mode" in texts
    assert "0.0261 *" in texts and "0.8865" in texts  # the tables' four decimals, a star below 0.1
    assert not [text for text in texts if "_" in text], texts


@pytest.mark.parametrize("values", [[0.5, 0.3], [2.0, 0.01]])
def test_an_ordinary_panel_is_plotted(values):
    assert divergence_note(values, values) is None
