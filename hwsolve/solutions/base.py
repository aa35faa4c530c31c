"""Conversion of Solution dataclasses to JSON-ready data."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Recursively convert dataclasses, tuples, numpy/torch scalars and paths.

    Floats stay full float64 (json writes repr, which round-trips exactly).
    Non-finite floats become None so the output is strict JSON. Dataclass
    fields whose metadata has json=False (e.g. SymPy objects kept for the
    templates) are left out.
    """
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
    if hasattr(value, "tolist"):  # numpy arrays/scalars, torch tensors
        return to_jsonable(value.tolist())
    if hasattr(value, "item"):
        return to_jsonable(value.item())
    return str(value)


def to_json(value: Any, indent: int | None = 2) -> str:
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False)


def template_only(default: Any = None, **kwargs: Any) -> Any:
    """A dataclass field kept for templates but left out of the JSON."""
    if "default_factory" in kwargs:
        return dataclasses.field(metadata={"json": False}, **kwargs)
    return dataclasses.field(default=default, metadata={"json": False}, **kwargs)
