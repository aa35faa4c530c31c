"""Issue 11 §3: output that cannot be written, and unusable cache and home folders.

Read-only and full filesystems are small tmpfs mounts (root only, else
skipped); an unprivileged user is `nobody` via setpriv (root only, else skipped).
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hostile import IS_ROOT, NOT_ROOT_REASON, SETPRIV_REASON, assert_one_line_failure, can_setpriv, run_cli, snapshot

from hwsolve.io import write_atomic

needs_root = pytest.mark.skipif(not IS_ROOT, reason=NOT_ROOT_REASON)


@pytest.fixture
def tmpfs(tmp_path):
    """A 64 KiB tmpfs: `mount` it, yield the folder, and unmount whatever happened."""
    folder = tmp_path / "mnt"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def read_only(tmpfs):
    """The tmpfs with one finished file in it, remounted read-only."""
    (tmpfs / "q4").mkdir()
    (tmpfs / "q4" / "results.json").write_text('{"finished": true}\n')
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    return tmpfs


@needs_root
@pytest.mark.parametrize(
    "args",
    [
        ("q4", "--configs", "relu/cross_entropy/sgd", "--epochs", "1", "--limit-train", "1280", "--out", "{ro}/q4"),
        ("report", "--format", "md", "--quick", "--out", "{ro}/report"),
        ("data", "fetch", "--dest", "{ro}/mnist", "--mirror", "http://127.0.0.1:9/"),
    ],
    ids=["q4", "report", "data-fetch"],
)
def test_read_only_output_fails_before_any_work(read_only, args):
    before = snapshot(read_only)
    result = run_cli(*(arg.format(ro=read_only) for arg in args))
    stderr = assert_one_line_failure(result)
    assert "Read-only file system" in stderr and str(read_only) in stderr
    assert "Q1" not in stderr and "Epoch" not in stderr  # refused before solving or training
    assert snapshot(read_only) == before


@needs_root
def test_q1_part_c_cache_folder_read_only(read_only):
    result = run_cli("q1", "--part", "c", env={"HWSOLVE_BUILD": str(read_only)})
    stderr = assert_one_line_failure(result)
    assert "Read-only file system" in stderr and str(read_only / "q1") in stderr


@needs_root
def test_full_disk_keeps_the_finished_file_and_names_it(tmpfs):
    finished = tmpfs / "results.json"
    finished.write_text('{"finished": true}\n')
    with pytest.raises(OSError) as raised:
        write_atomic(finished, "x" * (1 << 20))  # 1 MiB into 64 KiB
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(finished)
    assert finished.read_text() == '{"finished": true}\n'
    assert sorted(p.name for p in tmpfs.iterdir()) == ["results.json"]  # no temporary left behind


def test_an_os_error_in_a_command_is_one_line(monkeypatch, capsys):
    """Whatever write fails inside a command, the group prints one line naming the path and the reason."""
    import hwsolve.cli as cli_module
    from hwsolve.cli import main

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "build/q3/out.json")

    monkeypatch.setattr(cli_module.cli, "main", full_disk)
    with pytest.raises(SystemExit) as done:
        main(["q3"])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() == "Error: build/q3/out.json: No space left on device"


@pytest.mark.skipif(not can_setpriv(), reason=SETPRIV_REASON)
def test_unreadable_home_is_skipped_with_one_line():
    top = Path(tempfile.mkdtemp(prefix="hwsolve-home-"))
    try:
        os.chmod(top, 0o755)
        home = top / "home"
        (home / ".cache" / "hwsolve" / "mnist").mkdir(parents=True)
        os.chmod(home, 0o700)  # root's; nobody cannot look inside
        result = run_cli(
            "data",
            "locate",
            env={"HOME": str(home), "XDG_CACHE_HOME": None, "HWSOLVE_DATA": None},
            cwd=top,
            user="nobody",
        )
        stderr = assert_one_line_failure(result, lines=2)
        first, last = stderr.strip().splitlines()
        assert first.startswith("Warning: skipped") and "Permission denied" in first
        assert last.startswith("Error: MNIST not found")
    finally:
        subprocess.run(["rm", "-rf", str(top)], check=False)


@pytest.mark.parametrize("setting", ["file", "missing-home"])
def test_cache_setting_that_cannot_be_a_folder(tmp_path, setting):
    env = {"HWSOLVE_DATA": None}
    if setting == "file":
        (tmp_path / "cache").write_text("not a folder")
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    else:
        env.update(HOME=None, XDG_CACHE_HOME=None)
    result = run_cli("data", "locate", env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: MNIST not found")


@needs_root
def test_fetch_without_cache_folder_or_dest(tmp_path):
    (tmp_path / "cache").write_text("not a folder")
    result = run_cli(
        "data", "fetch", "--mirror", "http://127.0.0.1:9/", env={"XDG_CACHE_HOME": str(tmp_path / "cache")}
    )
    stderr = assert_one_line_failure(result)
    assert "Not a directory" in stderr or "File exists" in stderr
