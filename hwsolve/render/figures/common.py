"""Shared figure plumbing: the Agg backend, one style, PNG + PDF output."""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # no display on CI or over ssh; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402

from hwsolve.i18n import is_rtl, language  # noqa: E402
from hwsolve.io import write_atomic  # noqa: E402
from hwsolve.render.pdf import PERSIAN_FONT  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

PNG_DPI = 150

# fontTools, subsetting cmr10 into each PDF, warns that the font's 1990s
# 'created'/'modified' dates "seem very low": true, harmless, and 30 lines of
# noise per report. Its errors still show.
logging.getLogger("fontTools").setLevel(logging.ERROR)

# The report's body text is Computer Modern (Latin Modern), so figures use
# matplotlib's Computer Modern too: cmr10 for text, mathtext's "cm" for $...$.
# cmr10 has no minus sign (U+2212) and few symbols: tick labels are written
# as mathtext (axes.formatter.use_mathtext), and plain text falls back to
# DejaVu Serif glyph by glyph. Inside $...$ there is no such fallback: write
# symbols as TeX there ($\lambda$, $\to$), never as Unicode characters.
#
# Sizes are points at the figure's own size. Text reaches the page at
# size x (placed width / figure width), and must be at least 8 pt there
# (tests/test_figure_style.py checks it): draw a figure at the width the
# template places it (\linewidth = 16.6 cm = 6.54 in on A4 with 2.2 cm
# margins; 0.8\linewidth = 5.23 in, 0.7\linewidth = 4.57 in) and never
# pass a fontsize below MIN_FONT_SIZE.
TEXT_WIDTH_INCHES = 16.6 / 2.54
MIN_FONT_SIZE = 8.0
PAD_INCHES = 0.04  # the white margin savefig's tight bounding box keeps around the drawing


def placed_width(fraction_of_line: float = 1.0) -> float:
    r"""The figure width (inches) that prints at its own size when placed at width=<fraction>\linewidth.

    E.g. new_figure(placed_width(), 3.0) for a full-width figure. Text that
    sticks out of the figure (a suptitle above it, a legend below) widens
    the tight bounding box: leave room for it.
    """
    return fraction_of_line * TEXT_WIDTH_INCHES - 2 * PAD_INCHES


STYLE: dict[RcKeyType, object] = {
    "font.family": ["cmr10", "DejaVu Serif"],  # a list: per-glyph fallback for what cmr10 lacks
    "mathtext.fontset": "cm",
    "mathtext.fallback": "stix",
    "axes.formatter.use_mathtext": True,
    "axes.unicode_minus": True,
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "figure.titlesize": 10,
    "figure.dpi": 100,
    "pdf.fonttype": 42,  # embed TrueType so the PDF text stays searchable
    "savefig.bbox": "tight",
    "savefig.pad_inches": PAD_INCHES,
}


@cache
def _persian_font_registered() -> bool:
    """Make matplotlib know the Persian font (its font list may predate the font's install); False if it is missing.

    Without it a Persian label falls back to DejaVu Sans, which has the Persian letters too.
    """
    if shutil.which("fc-match") is None:
        return False
    found = subprocess.run(
        ["fc-match", "--format=%{file}", f"{PERSIAN_FONT}:style=Regular"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    path = Path(found.stdout.strip())
    if PERSIAN_FONT.lower() not in path.name.lower() or not path.is_file():
        return False  # fontconfig substitutes another font for a missing one
    from matplotlib import font_manager

    for face in sorted(path.parent.glob(f"{path.stem}*{path.suffix}")):  # the regular face and the bold one
        font_manager.fontManager.addfont(str(face))
    return True


def style() -> dict[RcKeyType, object]:
    """STYLE in the active language: for Persian, the Persian font after cmr10 (glyph by glyph, as the fallback)."""
    if not is_rtl(language()):
        return STYLE
    persian = [PERSIAN_FONT] if _persian_font_registered() else []
    # mathtext's upright letters and digits in the Persian font too, its italic letters and symbols in
    # Computer Modern.
    mathtext: dict[RcKeyType, object] = {
        "mathtext.fontset": "custom",
        "mathtext.rm": persian[0] if persian else "DejaVu Sans",
        "mathtext.it": "cmmi10",
        "mathtext.bf": "cmb10",
        "mathtext.cal": "cmsy10",
        "mathtext.fallback": "cm",
    }
    # The Persian font first: a label with mathematics sets its words in the label's first font, glyph by glyph
    # with no fallback (Nazli has the Latin letters too); tick labels stay mathtext's Computer Modern.
    return {**STYLE, **mathtext, "font.family": [*persian, "cmr10", "DejaVu Sans", "DejaVu Serif"]}


def apply_style() -> None:
    """Make style() matplotlib's defaults in this process.

    Global on purpose: a title or label reads its font when it is created,
    after new_figure has returned, so a style scoped to new_figure would
    reach only part of the figure. This module exists to draw the report's
    figures (it already fixes the Agg backend for the process). new_figure
    applies it again, for the language active then.
    """
    matplotlib.rcParams.update(style())


apply_style()


def new_figure(width: float, height: float, **subplots: Any) -> tuple[Figure, Any]:
    """A figure and its axes in the report's style; width in inches (TEXT_WIDTH_INCHES is the full text width).

    The axes are typed as pyplot.subplots types them: one Axes, or an array of
    them, as nrows, ncols and squeeze say.
    """
    apply_style()
    with plt.rc_context(style()):
        return plt.subplots(figsize=(width, height), **subplots)


def save_figure(figure: Figure, base: Path | str) -> tuple[Path, Path]:
    """Write base.png (Markdown) and base.pdf (LaTeX) atomically, then close."""
    import io

    base = Path(base)
    paths = []
    with plt.rc_context(style()):
        for suffix in ("png", "pdf"):
            buffer = io.BytesIO()
            options = {"dpi": PNG_DPI} if suffix == "png" else {"metadata": {"CreationDate": None}}
            figure.savefig(buffer, format=suffix, **options)
            paths.append(write_atomic(base.with_suffix(f".{suffix}"), buffer.getvalue()))
    plt.close(figure)
    return paths[0], paths[1]
