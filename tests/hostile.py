"""Helpers for the hostile-input tests: run the CLI as a user would and check the failure is one clean line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HWSOLVE = str(Path(sys.executable).with_name("hwsolve"))
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOT_ROOT_REASON = "needs root (to mount a tmpfs or to drop to an unprivileged user with setpriv)"


def run_cli(
    *args: str, env: dict | None = None, cwd: Path | str | None = None, user: str | None = None, timeout: int = 300
):
    """Run `hwsolve ARGS` in a subprocess; `user` drops privileges with setpriv (root only)."""
    command = [HWSOLVE, *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
    full_env = {**os.environ, **(env or {})}
    full_env = {key: value for key, value in full_env.items() if value is not None}
    return subprocess.run(command, env=full_env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def assert_one_line_failure(result, exit_code: int = 1, lines: int = 1) -> str:
    """Exit code as expected, no traceback, exactly `lines` lines on stderr; returns stderr."""
    assert result.returncode == exit_code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == lines, result.stderr
    return result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder and its bytes: compared before and after to prove nothing was lost."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def can_setpriv() -> bool:
    """Root, setpriv, and an interpreter `nobody` can run (a Python under /root, mode 0700, is not)."""
    if not IS_ROOT or shutil.which("setpriv") is None:
        return False
    probe = [
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        sys.executable,
        "-c",
        "import click, hwsolve",
    ]
    return subprocess.run(probe, capture_output=True).returncode == 0


SETPRIV_REASON = "needs root, setpriv and a Python (with click) that the user nobody can read"
