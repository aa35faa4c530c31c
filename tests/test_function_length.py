"""Functions a reader holds in mind: none in the package is longer than 60 lines.

Counted from the `def` line to the function's last line (click's option
decorators above a command are declarations, not logic, and are not counted).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hwsolve"
MAX_LINES = 60


def test_no_function_is_longer_than_60_lines():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(part.is_symlink() for part in [path, *path.parents] if part != part.parent):
            continue  # a developer's hwsolve/templates -> ../templates link holds no code
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    too_long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {length} lines")
    assert too_long == [], "\n".join(too_long)
