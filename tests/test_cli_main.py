"""The console script's contract: usage errors are one line and exit 2, never a traceback."""

import subprocess
import sys

import pytest


def run_hwsolve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hwsolve", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["q9"], "No such command 'q9'"),
        (["q3", "--bogus"], "No such option '--bogus'"),
        (["q3", "--format", "yaml"], "--format"),
        (["q4", "--configs", "relu/foo/sgd"], "'foo'"),
        (["q4", "--seeds", "3-1x"], "--seeds"),
        (["report", "--format", "docx"], "'docx'"),
        (["q1", "--part", "e"], "--part"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args, fragment):
    completed = run_hwsolve(*args)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2, completed.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], completed.stderr
    assert "Traceback" not in completed.stderr


def test_help_lists_every_command():
    completed = run_hwsolve("--help")
    assert completed.returncode == 0
    for command in ("q1", "q2", "q3", "q4", "data", "report"):
        assert f"  {command} " in completed.stdout
