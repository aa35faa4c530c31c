"""Atomic file writes: a half-written results file must never look finished."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path | str, content: str | bytes) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_temporaries(path)
    mode = "wb" if isinstance(content, bytes) else "w"
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # temporary_pattern
    try:
        os.chmod(temporary, 0o666 & ~_current_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def temporary_pattern(path: Path) -> str:
    """The names write_atomic gives its temporary files for `path` (mkstemp's prefix and suffix)."""
    return f".{path.name}.*.tmp"


def remove_leftover_temporaries(path: Path | str) -> None:
    """Delete the temporary files an interrupted write of `path` left beside it (a kill skips the cleanup)."""
    path = Path(path)
    for leftover in path.parent.glob(temporary_pattern(path)):
        try:
            leftover.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: it never looks like a finished file anyway


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json_atomic(path: Path | str, data: Any) -> Path:
    """Strict JSON via to_jsonable: a NaN or infinite float (a diverged run) is written as null."""
    from hwsolve.solutions.base import to_jsonable

    return write_atomic(path, json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")


def default_build_dir() -> Path:
    """build/ in the current directory (the repo root when run from make)."""
    return Path(os.environ.get("HWSOLVE_BUILD", "build"))
