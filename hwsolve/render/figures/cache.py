"""Skip redrawing a figure whose data and drawing code are unchanged.

Drawing is most of a rerun's time (matplotlib writes each figure as PNG and
PDF), while a rerun that reuses build/ usually feeds the figures the same
numbers. Each figure's key hashes what it is drawn from: the solution as JSON
(the same data `--format json` prints), the figure modules' source, the
matplotlib version and the language of its words. The key is written beside the figure after it is drawn,
so an interrupted draw leaves no key and is redrawn next time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import matplotlib

from hwsolve import __version__
from hwsolve.errors import HwsolveError
from hwsolve.i18n import catalog_digest, is_rtl, language
from hwsolve.io import to_jsonable, write_atomic
from hwsolve.render.figures.words import matplotlib_shapes

FIGURE_SUFFIXES = ("png", "pdf")
# Fields that say how a solution was obtained (read from a cache or trained
# now, and how long that took), not what it holds: they differ between a
# first run and a rerun, and no figure draws them.
PROVENANCE_FIELDS = frozenset({"reused", "from_cache", "wall_time_s"})


def _without_provenance(value: object) -> object:
    if isinstance(value, dict):
        return {key: _without_provenance(item) for key, item in value.items() if key not in PROVENANCE_FIELDS}
    if isinstance(value, list):
        return [_without_provenance(item) for item in value]
    return value


def _drawing_code_digest() -> str:
    digest = hashlib.sha256()
    # The figure modules, and the rule that writes a Persian label's digits (shared with the Markdown).
    sources = [*Path(__file__).parent.glob("*.py"), Path(__file__).parent.parent / "rtl_markdown.py"]
    for source in sorted(sources):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def figure_key(name: str, solution: object) -> str:
    data = json.dumps(_without_provenance(to_jsonable(solution)), sort_keys=True, default=repr)
    lang = language()  # the words drawn: the language and, for a translation, its catalog and who shapes it
    shaping = str(matplotlib_shapes()) if is_rtl(lang) else ""
    parts = (
        name,
        data,
        _drawing_code_digest(),
        matplotlib.__version__,
        __version__,
        lang,
        catalog_digest(lang),
        shaping,
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _key_path(base: Path) -> Path:
    return base.with_name(f"{base.name}.key")


def is_current(base: Path, key: str) -> bool:
    """True when base.png and base.pdf exist and were drawn from this key.

    Something that is not a file where a figure or its key goes (a folder)
    could not be replaced by the redrawn figure: refused, in one line, before drawing.
    """
    key_path = _key_path(base)
    for path in (*(base.with_suffix(f".{suffix}") for suffix in FIGURE_SUFFIXES), key_path):
        if (path.exists() or path.is_symlink()) and not path.is_file():
            raise HwsolveError(
                f"{path} is not a file (a folder or a broken link?); remove it so the figure can be drawn"
            )
    if not all(base.with_suffix(f".{suffix}").is_file() for suffix in FIGURE_SUFFIXES) or not key_path.is_file():
        return False
    try:
        return key_path.read_text(encoding="utf-8").strip() == key
    except (OSError, ValueError):  # unreadable or not text: not this key, so the figure is redrawn
        return False


def record(base: Path, key: str) -> None:
    write_atomic(_key_path(base), key + "\n")
