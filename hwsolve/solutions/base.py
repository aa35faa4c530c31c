"""Dataclass fields the templates need but the JSON leaves out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar, overload

Value = TypeVar("Value")


@overload
def template_only(default: Value) -> Value: ...


@overload
def template_only(*, default_factory: Callable[[], Value]) -> Value: ...


def template_only(default: object = None, *, default_factory: Callable[[], object] | None = None) -> object:
    """A dataclass field kept for templates but left out of the JSON (hwsolve.io.to_jsonable skips it).

    Typed like the default it holds, as dataclasses.field is, so that the field's annotation is checked against it.
    """
    if default_factory is not None:
        return dataclasses.field(metadata={"json": False}, default_factory=default_factory)
    return dataclasses.field(default=default, metadata={"json": False})
