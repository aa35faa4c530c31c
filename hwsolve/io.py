"""Files and JSON: atomic writes (a half-written results file must never look
finished), readable OS errors, and the one conversion of results to strict JSON."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Protocol, TypeAlias, TypeGuard

# What json.dumps writes: the result of to_jsonable, all the way down.
JsonValue: TypeAlias = "None | bool | int | float | str | list[JsonValue] | dict[str, JsonValue]"


class _HasToList(Protocol):
    """numpy arrays and scalars, torch tensors."""

    def tolist(self) -> object: ...


class _HasItem(Protocol):
    """A zero-dimensional array-like without tolist."""

    def item(self) -> object: ...


# hasattr, as duck typing has it: a runtime_checkable isinstance looks attributes up differently across Pythons.
def _has_tolist(value: object) -> TypeGuard[_HasToList]:
    return hasattr(value, "tolist")


def _has_item(value: object) -> TypeGuard[_HasItem]:
    return hasattr(value, "item")


def write_atomic(path: Path | str, content: str | bytes, clean: bool = True) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over `path`.

    ``clean=False`` skips looking for an interrupted write's leftovers beside `path` (a scan of the folder):
    for many files in one folder, call remove_folder_temporaries once first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if clean:
        remove_leftover_temporaries(path)
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # temporary_pattern
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None
    try:
        set_ordinary_permissions(temporary)
        _write_and_sync(fd, content)
        os.replace(temporary, path)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)  # the old file, if any, is untouched: nothing finished is lost
        if isinstance(error, OSError):  # a full disk has no filename in the error: name the file here
            raise OSError(error.errno, error.strerror or str(error), str(path)) from None
        raise
    return path


def _write_and_sync(fd: int, content: str | bytes) -> None:
    """Write `content` to the open descriptor `fd` (text as UTF-8), close it, and fsync before the rename."""
    if isinstance(content, bytes):
        with os.fdopen(fd, "wb") as binary:
            binary.write(content)
            binary.flush()
            os.fsync(binary.fileno())
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as text:
            text.write(content)
            text.flush()
            os.fsync(text.fileno())


def temporary_pattern(path: Path) -> str:
    """The names write_atomic gives its temporary files for `path` (mkstemp's prefix and suffix)."""
    return f".{path.name}.*.tmp"


def remove_leftover_temporaries(path: Path | str) -> None:
    """Delete the temporary files an interrupted write of `path` left beside it (a kill skips the cleanup)."""
    path = Path(path)
    for leftover in path.parent.glob(temporary_pattern(path)):
        # Gone already, or not ours to remove: it never looks like a finished file anyway.
        with contextlib.suppress(OSError):
            leftover.unlink()


def remove_folder_temporaries(folder: Path | str) -> None:
    """Every leftover of an interrupted write_atomic in `folder`, in one scan of it."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for leftover in folder.glob(".*.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def ensure_writable(folder: Path | str) -> Path:
    """Create `folder` and prove a file can be made in it, before any slow work is spent on its results.

    A read-only mount, a full disk or a missing permission becomes one
    HwsolveError naming the folder and the reason, instead of an OSError after training.
    """
    from hwsolve.errors import HwsolveError

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".hwsolve-write-check."):
            pass
    except OSError as error:
        raise HwsolveError(f"cannot write to {folder}: {error.strerror or error}") from None
    return folder


def describe_os_error(error: OSError) -> str:
    """'PATH: reason' for an OSError, e.g. "build/q4/results.json: No space left on device"."""
    where = error.filename if error.filename is not None else ""
    reason = error.strerror or str(error)
    return f"{where}: {reason}" if where else reason


def set_ordinary_permissions(path: Path | str) -> None:
    """rw for everyone the umask allows: mkstemp makes 0600, and outputs and data are ordinary files."""
    os.chmod(path, 0o666 & ~_current_umask())


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json_atomic(path: Path | str, data: object) -> Path:
    """Strict JSON via to_jsonable: a NaN or infinite float (a diverged run) is written as null."""
    return write_atomic(path, json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")


def default_build_dir() -> Path:
    """build/ in the current directory (the repo root when run from make)."""
    return Path(os.environ.get("HWSOLVE_BUILD", "build"))


def to_jsonable(value: object) -> JsonValue:
    """Recursively convert dataclasses, tuples, numpy/torch scalars and paths.

    Floats stay full float64 (json writes repr, which round-trips exactly).
    Non-finite floats become None so the output is strict JSON. Dataclass
    fields whose metadata has json=False (e.g. SymPy objects kept for the
    templates) are left out. An object with a ``json_fields()`` method is
    written as the mapping it returns (a given problem adds derived keys).
    """
    json_fields = getattr(value, "json_fields", None)
    if callable(json_fields) and not isinstance(value, type):
        return to_jsonable(json_fields())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_jsonable(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.metadata.get("json", True)
        }
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if _has_tolist(value):  # numpy arrays/scalars, torch tensors
        return to_jsonable(value.tolist())
    if _has_item(value):
        return to_jsonable(value.item())
    return str(value)


def to_json(value: object, indent: int | None = 2) -> str:
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False)
