"""The report's figures as they reach the page: text at least 8 pt at the size
the LaTeX places them, and the body text's Computer Modern, not DejaVu Sans.

Read from the figure PDFs themselves (font sizes from their text operators,
sizes from their MediaBox) and the widths in report.tex, so whatever a figure
module does, what is checked is what gets printed. Uses the one shared build
of tests/report_build.py.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from report_build import built_report, have_latex

pytestmark = [
    pytest.mark.slow,
    pytest.mark.latex,
    pytest.mark.skipif(
        not have_latex(), reason="needs latexmk, pdflatex and pdftotext (Debian: texlive-latex-* latexmk poppler-utils)"
    ),
]

MIN_POINTS = 8.0
BP_PER_CM = 72 / 2.54
# A4 with 2.2 cm margins (templates/tex/report.tex.j2), in PDF points.
LINEWIDTH = (21.0 - 2 * 2.2) * BP_PER_CM
TEXTHEIGHT = (29.7 - 2 * 2.2) * BP_PER_CM
MATHTEXT_SCRIPT = 0.7  # matplotlib's sub/superscript shrink: 10^{-3}'s exponent is 0.7 x its base, as in TeX
BODY_FONTS = re.compile(r"^(Cm|DejaVuSerif|STIX)")  # Computer Modern, and the serif fallback for glyphs cmr10 lacks


def _pdf_streams(data: bytes):
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            yield zlib.decompress(data[match.end() : end])
        except zlib.error:
            continue


def figure_fonts(pdf: Path) -> tuple[float, float, set[float], set[str]]:
    """(width, height in points, font sizes of its text, base font names) of a matplotlib PDF."""
    data = pdf.read_bytes()
    box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    x0, y0, x1, y1 = map(float, box.groups())
    sizes = {float(size) for stream in _pdf_streams(data) for size in re.findall(rb"/F\d+\s+([\d.]+)\s+Tf", stream)}
    names = {name.decode().split("+")[-1] for name in re.findall(rb"/BaseFont\s*/([\w+\-]+)", data)}
    return x1 - x0, y1 - y0, sizes, names


def placed_scale(options: str, width: float, height: float) -> float:
    """How much \\includegraphics[options] scales a width x height figure (full \\linewidth when no width is given)."""

    def length(key: str, unit: float) -> float | None:
        match = re.search(
            rf"{key}\s*=\s*([\d.]*)\s*\\{'linewidth|textwidth' if unit == LINEWIDTH else 'textheight'}", options
        )
        if not match:
            return None
        return (float(match.group(1)) if match.group(1) else 1.0) * unit

    target_width, target_height = length("width", LINEWIDTH), length("height", TEXTHEIGHT)
    scales = [target / size for target, size in ((target_width, width), (target_height, height)) if target is not None]
    if not scales:
        return 1.0
    return min(scales) if "keepaspectratio" in options or len(scales) == 1 else scales[0]


def _placements(out: Path) -> list[tuple[str, str]]:
    tex = (out / "report.tex").read_text(encoding="utf-8")
    return re.findall(r"\\includegraphics\[([^\]]*)\]\{(figures/[^}]+)\}", tex)


def _base_sizes(sizes: set[float]) -> set[float]:
    """The sizes that are not mathtext scripts of another size present."""
    return {size for size in sizes if not any(abs(size - MATHTEXT_SCRIPT * other) < 0.051 for other in sizes)}


@pytest.fixture(scope="module")
def placements(tmp_path_factory):
    report = built_report(tmp_path_factory)
    found = _placements(report.out)
    assert found, "report.tex places no figure"
    return report.out, found


def test_every_figure_text_is_at_least_8_points_as_placed(placements):
    out, found = placements
    too_small = []
    for options, path in found:
        pdf = out / (path if path.endswith(".pdf") else f"{path}.pdf")
        width, height, sizes, _ = figure_fonts(pdf)
        scale = placed_scale(options, width, height)
        smallest = min(_base_sizes(sizes)) * scale
        if smallest < MIN_POINTS - 0.05:
            # The widest drawing (same aspect) whose smallest text still prints at 8 pt in this place.
            widest = width * scale * min(_base_sizes(sizes)) / MIN_POINTS / 72
            too_small.append(
                f"{pdf.name}: smallest text {min(_base_sizes(sizes)):g} pt drawn, "
                f"{smallest:.1f} pt printed at [{options}] "
                f"(drawn {width / 72:.2f} in wide, printed at {scale:.2f}x): draw it at most {widest:.2f} in wide, "
                "place it wider, or raise its smallest font size"
            )
    assert not too_small, "\n".join(too_small)


def test_every_figure_uses_the_body_texts_computer_modern(placements):
    out, found = placements
    foreign = {}
    for _, path in found:
        pdf = out / (path if path.endswith(".pdf") else f"{path}.pdf")
        other = sorted(name for name in figure_fonts(pdf)[3] if not BODY_FONTS.match(name))
        if other:
            foreign[pdf.name] = other
    assert not foreign, foreign


def test_placed_scale_reads_widths_heights_and_keepaspectratio():
    assert placed_scale(r"width=0.5\linewidth", 200, 100) == pytest.approx(0.5 * LINEWIDTH / 200)
    assert placed_scale(r"width=\linewidth,height=0.1\textheight,keepaspectratio", 400, 400) == pytest.approx(
        0.1 * TEXTHEIGHT / 400
    )
    assert placed_scale("", 100, 100) == 1.0
    assert _base_sizes({9.0, 6.3, 8.5}) == {9.0, 8.5}
