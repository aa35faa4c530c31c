"""Dataclass fields the templates need but the JSON leaves out."""

from __future__ import annotations

import dataclasses
from typing import Any


def template_only(default: Any = None, **kwargs: Any) -> Any:
    """A dataclass field kept for templates but left out of the JSON."""
    if "default_factory" in kwargs:
        return dataclasses.field(metadata={"json": False}, **kwargs)
    return dataclasses.field(default=default, metadata={"json": False}, **kwargs)
