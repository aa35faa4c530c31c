"""Persian words on a figure: joined letters, right-to-left order, every glyph in the Persian font.

matplotlib's text engine shapes and orders plain text itself (libraqm);
mathtext, which draws any label with $...$, does neither, so
hwsolve.render.figures.words shapes those labels and puts them in visual
order. The checks read the result through Unicode's own character names
(which form each letter takes), through the font file (whether it has a
glyph for each character), and by drawing: our layout drawn by mathtext
must look like matplotlib's own layout of the same words.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from hwsolve.i18n import using
from hwsolve.render.figures.words import matplotlib_shapes, shaped, visual_line
from hwsolve.render.pdf import PERSIAN_FONT

LABEL = "نرخ یادگیری"  # "learning rate": two words of joining letters


def _forms(text: str) -> list[str]:
    return [unicodedata.name(char).rsplit(" ", 2)[-2] for char in text if "FORM" in unicodedata.name(char, "")]


def test_english_is_left_alone():
    with using("en"):
        assert shaped(LABEL) == LABEL
    with using("fa"):
        assert shaped("accuracy (%)") == "accuracy (%)"


def test_plain_persian_is_left_to_matplotlib_in_logical_order_with_persian_digits():
    if not matplotlib_shapes():
        pytest.skip("this matplotlib has no libraqm: every Persian label is shaped by hwsolve")
    with using("fa"):
        assert shaped("لایه 3 از 10") == "لایه ۳ از ۱۰"


def test_persian_letters_are_joined_and_laid_out_right_to_left():
    with using("fa"):
        drawn = visual_line(LABEL)
    assert all(not ("\u0600" <= char <= "\u06ff") for char in drawn.replace(" ", "")), "a letter left unshaped"
    forms = _forms(drawn)
    assert len(forms) == len(LABEL.replace(" ", ""))
    # ی ا د گ ی ر ی: joined letters take initial, medial and final forms, not all isolated ones.
    assert {"INITIAL", "MEDIAL", "FINAL"} <= set(forms)
    # Visual order, left to right: the last word first. "نرخ" (three letters) ends the drawn string.
    assert unicodedata.name(drawn[-1]).startswith("ARABIC LETTER NOON")
    assert unicodedata.name(drawn[0]).startswith("ARABIC LETTER FARSI YEH")


def test_mathematics_keeps_its_place_and_its_order():
    with using("fa"):
        drawn = shaped(r"ضریب $\lambda$، درجه 9")
    # The pieces in reverse (right to left), the math whole and unshaped, the prose digit Persian.
    assert r"$\lambda$" in drawn
    assert drawn.index("۹") < drawn.index(r"$\lambda$")


def test_brackets_are_mirrored():
    with using("fa"):
        drawn = visual_line("دقت (درصد)")
    # Read left to right the bracket pair still opens on the left: "(" before ")".
    assert drawn.index("(") < drawn.index(")")


def _persian_font_file() -> Path | None:
    import shutil
    import subprocess

    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(["fc-match", "--format=%{file}", PERSIAN_FONT], capture_output=True, text=True, check=False)
    path = Path(found.stdout.strip())
    return path if PERSIAN_FONT.lower() in path.name.lower() else None


@pytest.mark.skipif(_persian_font_file() is None, reason="needs the Nazli font (Debian: fonts-farsiweb)")
def test_the_persian_font_has_a_glyph_for_every_drawn_character():
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(_persian_font_file()))
    with using("fa"):
        drawn = visual_line("آموزش، اعتبارسنجی و آزمون: گرادیان لایه‌ی پنهان ۳ و ژرف‌ترین")
    missing = [f"U+{ord(char):04X}" for char in drawn if not char.isspace() and font.get_char_index(ord(char)) == 0]
    assert not missing


def _ink(text: str):
    """The label drawn at 14 pt in the Persian figure style, cropped to its ink, as a grey-level array."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from hwsolve.render.figures.common import new_figure

    figure, axis = new_figure(6, 0.8)
    axis.axis("off")
    axis.text(0.02, 0.3, text, fontsize=14)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    ink = 255 - np.array(Image.open(buffer).convert("L"))
    rows, columns = np.nonzero(ink > 60)
    return ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def _similarity(first, second) -> float:
    import numpy as np
    from PIL import Image

    height, width = min(first.shape[0], second.shape[0]), min(first.shape[1], second.shape[1])
    a, b = (np.asarray(Image.fromarray(x).resize((width, height)), dtype=float).ravel() for x in (first, second))
    return float(np.corrcoef(a, b)[0, 1])


@pytest.mark.skipif(_persian_font_file() is None, reason="needs the Nazli font (Debian: fonts-farsiweb)")
def test_a_label_with_mathematics_looks_like_matplotlibs_own_layout_of_the_words():
    """mathtext draws our shaped, reordered words; matplotlib's engine (libraqm) lays out the plain words itself.

    Drawn in the same font, the two must look alike, and unlike the same glyphs in the wrong order."""
    if not matplotlib_shapes():
        pytest.skip("needs a matplotlib built with libraqm to compare with")
    words = "درجه‌ی چندجمله‌ای بدون جریمه"
    with using("fa"):
        reference = _ink(words)  # no $: matplotlib shapes and orders it
        ours = _ink(visual_line(words) + r"$\,$")  # a thin math space: drawn by mathtext, glyph by glyph
        backwards = _ink(visual_line(words)[::-1] + r"$\,$")
    assert abs(ours.shape[1] - reference.shape[1]) <= 0.05 * reference.shape[1]
    assert _similarity(ours, reference) > 0.7 > _similarity(backwards, reference) + 0.3
