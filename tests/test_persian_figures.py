"""Persian words on a figure: joined letters, right-to-left order, every glyph in the Persian font.

matplotlib neither shapes nor reorders, so hwsolve.render.figures.words does
both before a label reaches it. The checks here read the result through
Unicode's own character names (which form each letter takes) and through the
font file (whether it has a glyph for each character), not through the
libraries that did the shaping.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from hwsolve.i18n import using
from hwsolve.render.figures.words import PERSIAN_FONT, shaped

LABEL = "نرخ یادگیری"  # "learning rate": two words of joining letters


def _forms(text: str) -> list[str]:
    return [unicodedata.name(char).rsplit(" ", 2)[-2] for char in text if "FORM" in unicodedata.name(char, "")]


def test_english_is_left_alone():
    with using("en"):
        assert shaped(LABEL) == LABEL
    with using("fa"):
        assert shaped("accuracy (%)") == "accuracy (%)"


def test_persian_letters_are_joined_and_laid_out_right_to_left():
    with using("fa"):
        drawn = shaped(LABEL)
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
        drawn = shaped("دقت (درصد)")
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
        drawn = shaped("آموزش، اعتبارسنجی و آزمون: گرادیان لایه‌ی پنهان ۳ و ژرف‌ترین")
    missing = [f"U+{ord(char):04X}" for char in drawn if not char.isspace() and font.get_char_index(ord(char)) == 0]
    assert not missing
