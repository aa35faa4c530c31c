"""The package graph: every import points down a layer, and no modules import each other in a cycle.

The oracle is the source itself: each module's import statements, read with
ast (including imports inside functions, which load lazily but are
dependencies all the same), not hwsolve's own idea of its layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hwsolve"

# Lowest first. A module may import its own layer and the ones before it.
LAYERS = ("problem", "derive", "check", "data", "experiments", "solutions", "course", "audit", "render", "cli")
# Shared helpers at the top level of the package sit below every layer and import only each other.
SHARED = "shared"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    if module == "hwsolve.__main__":
        return ENTRY_POINT
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return SHARED  # hwsolve, hwsolve.io, hwsolve.errors, hwsolve.threads, hwsolve.templates, ...


ENTRY_POINT = "entry point"  # hwsolve.__main__, `python -m hwsolve`: above the CLI it starts


def rank(layer: str) -> int:
    if layer == ENTRY_POINT:
        return len(LAYERS)
    return -1 if layer == SHARED else LAYERS.index(layer)


def imports_of(path: Path) -> set[str]:
    """The hwsolve modules (or packages) a file imports, resolved to absolute names."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "hwsolve")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "hwsolve":
                continue
            found.add(target)
            # `from hwsolve.render import report` imports the module hwsolve.render.report.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if _exists(candidate):
                    found.add(candidate)
    found.discard(module)
    return found


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))}


def test_the_layers_cover_the_package():
    # A symlink (a developer's hwsolve/templates -> ../templates) is not a sub-package of the source tree.
    folders = {
        path.name
        for path in PACKAGE.iterdir()
        if path.is_dir() and not path.is_symlink() and (path / "__init__.py").is_file()
    }
    assert folders == set(LAYERS), "a new sub-package needs a place in LAYERS"


def test_every_import_points_down_a_layer():
    upward = [
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if rank(layer_of(target)) > rank(layer_of(module))
    ]
    assert upward == [], "\n".join(upward)


def test_no_import_cycles():
    edges = graph()
    # Edges are the imports as written (a package's __init__ is a module of its own, hwsolve.render, ...).
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target in edges and target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from hwsolve.render import report\n", {"hwsolve.render", "hwsolve.render.report"}),
        ("from . import numbers\n", {"hwsolve", "hwsolve.numbers"}),
        ("def f():\n    import hwsolve.io\n", {"hwsolve.io"}),
        ("import numpy\n", set()),
    ],
)
def test_imports_are_read_as_written(tmp_path, monkeypatch, source, expected):
    # A module at hwsolve/x.py, read by the same function the checks use.
    fake = PACKAGE / "_layers_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source if self == fake else "")
    assert imports_of(fake) == expected
