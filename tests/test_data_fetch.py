"""`hwsolve data fetch` against a local HTTP server serving ../shared/data/mnist (no internet needed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hwsolve.data.fetch import FetchError, fetch_mnist
from hwsolve.data.mnist import MNIST_FILES, verify_mnist

SHARED_RAW = Path(os.environ.get("HWSOLVE_DATA", "../shared/data/mnist")) / "MNIST" / "raw"
pytestmark = pytest.mark.mnist


def test_fetch_tries_mirrors_in_turn_and_verifies(tmp_path, serve):
    broken = tmp_path / "broken"
    broken.mkdir()
    for spec in MNIST_FILES.values():  # a mirror serving garbage under the right names
        (broken / (spec.name + ".gz")).write_bytes(b"not a gzip file")
    dead = "http://127.0.0.1:9/"  # nothing listens on the discard port
    dest = tmp_path / "dest"
    folder = fetch_mnist(dest, (dead, serve(broken), serve(SHARED_RAW)), timeout=5, progress_stream=None)
    assert folder == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(s.name + ".gz" for s in MNIST_FILES.values())
    for path, _digest in verify_mnist(dest):
        assert (SHARED_RAW / path.name).read_bytes() == path.read_bytes()


def test_no_good_mirror_leaves_no_partial_file(tmp_path, serve):
    empty = tmp_path / "empty"
    empty.mkdir()
    dest = tmp_path / "dest"
    with pytest.raises(FetchError, match="train-images-idx3-ubyte.gz"):
        fetch_mnist(dest, (serve(empty),), timeout=5, progress_stream=None)
    assert list(dest.iterdir()) == []


def test_existing_good_files_are_kept_and_progress_is_shown(tmp_path, serve, capsys):
    import sys

    dest = tmp_path / "dest"
    dest.mkdir()
    shutil.copy(SHARED_RAW / "t10k-labels-idx1-ubyte.gz", dest)
    fetch_mnist(dest, (serve(SHARED_RAW),), timeout=5, progress_stream=sys.stderr)
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz [" in err and "t10k-labels" not in err
    assert len(verify_mnist(dest)) == 4


def test_cli_fetch_with_a_local_mirror(tmp_path, serve):
    from click.testing import CliRunner

    from hwsolve.cli import cli

    dest = tmp_path / "dest"
    result = CliRunner().invoke(
        cli, ["data", "fetch", "--dest", str(dest), "--mirror", serve(SHARED_RAW), "--timeout", "5"]
    )
    assert result.exit_code == 0, result.output
    assert f"MNIST ready in {dest}" in result.output
    assert len(verify_mnist(dest)) == 4
