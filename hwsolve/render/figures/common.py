"""Shared figure plumbing: the Agg backend, one style, PNG + PDF output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on CI or over ssh; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402

from hwsolve.io import write_atomic  # noqa: E402

PNG_DPI = 150
STYLE = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "pdf.fonttype": 42,  # embed TrueType so the PDF text stays searchable
    "savefig.bbox": "tight",
}


def new_figure(width: float, height: float, **subplots: Any):
    """A figure and its axes in the report's style."""
    with plt.rc_context(STYLE):
        return plt.subplots(figsize=(width, height), **subplots)


def save_figure(figure, base: Path | str) -> tuple[Path, Path]:
    """Write base.png (Markdown) and base.pdf (LaTeX) atomically, then close."""
    import io

    base = Path(base)
    paths = []
    with plt.rc_context(STYLE):
        for suffix in ("png", "pdf"):
            buffer = io.BytesIO()
            options = {"dpi": PNG_DPI} if suffix == "png" else {"metadata": {"CreationDate": None}}
            figure.savefig(buffer, format=suffix, **options)
            paths.append(write_atomic(base.with_suffix(f".{suffix}"), buffer.getvalue()))
    plt.close(figure)
    return paths[0], paths[1]


def field_of(entry: Any, name: str, default: Any = None) -> Any:
    """entry[name] for a dict (results.json) or entry.name for a dataclass."""
    if isinstance(entry, dict):
        return entry.get(name, default)
    return getattr(entry, name, default)
