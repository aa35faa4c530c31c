"""Issue 11 §2/§4: --data-dir is the only place looked in, missing and unreadable files are named,
downloads and gunzip are capped at the known sizes, downloaded files follow the umask."""

from __future__ import annotations

import gzip
import os
import stat
from pathlib import Path

import pytest
from hostile import assert_one_line_failure, run_cli

from hwsolve.data import mnist as m
from hwsolve.data.fetch import FetchError, fetch_mnist
from hwsolve.errors import CorruptDataError

SHARED_RAW = Path(os.environ.get("HWSOLVE_DATA", "../shared/data/mnist")) / "MNIST" / "raw"
NAMES = [spec.name + ".gz" for spec in m.MNIST_FILES.values()]

pytestmark = pytest.mark.skipif(not SHARED_RAW.is_dir(), reason="the offline MNIST copy is not there")


def partial_copy(folder: Path, leave_out: str) -> Path:
    folder.mkdir(parents=True)
    for name in NAMES:
        if name != leave_out:
            (folder / name).symlink_to(SHARED_RAW / name)
    return folder


def test_incomplete_data_dir_names_the_missing_file_and_does_not_fall_back(tmp_path):
    folder = partial_copy(tmp_path / "three", "t10k-labels-idx1-ubyte.gz")
    result = run_cli("data", "locate", "--data-dir", str(folder))  # HWSOLVE_DATA is a complete copy
    stderr = assert_one_line_failure(result)
    assert f"{folder} lacks t10k-labels-idx1-ubyte[.gz]" in stderr
    assert str(SHARED_RAW.parent.parent) not in stderr  # not searched, not used


def test_unreadable_candidate_is_skipped_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("HWSOLVE_DATA", str(tmp_path / "locked"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    partial_copy(tmp_path / "data", "")  # ./data holds all four
    real = m._complete_folder

    def locked(root):
        if root == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", str(root))
        return real(root)

    monkeypatch.setattr(m, "_complete_folder", locked)
    warnings = []
    assert m.locate_mnist(warn=warnings.append) == Path("data")
    assert warnings == [f"skipped {tmp_path / 'locked'}: Permission denied"]


def test_unreadable_file_says_cannot_be_read(tmp_path, monkeypatch):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(gzip, "open", denied)
    with pytest.raises(CorruptDataError) as raised:
        m.read_idx_bytes(path)
    assert str(raised.value) == f"{path}: cannot be read (Permission denied)"


def gzip_bomb(path: Path, size: int) -> Path:
    """A small .gz whose content is `size` zero bytes."""
    block = bytes(1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(size >> 20):
            handle.write(block)
    return path


def test_gzip_bomb_in_data_dir_is_refused_at_the_known_size(tmp_path):
    folder = partial_copy(tmp_path / "bomb", "t10k-labels-idx1-ubyte.gz")
    gzip_bomb(folder / "t10k-labels-idx1-ubyte.gz", 64 << 20)
    limit = m.max_content_bytes(m.MNIST_FILES["test_labels"])
    assert limit == 8 + 10000  # header (magic + one dimension) and one byte per label
    result = run_cli("data", "verify", "--data-dir", str(folder))
    stderr = assert_one_line_failure(result)
    assert f"larger than the {limit} bytes" in stderr


def test_download_and_gunzip_are_capped(tmp_path, serve):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in NAMES:
        (mirror / name).symlink_to(SHARED_RAW / name)
    dest = tmp_path / "dest"
    dest.mkdir()
    for name in NAMES[:3]:
        (dest / name).symlink_to(SHARED_RAW / name)  # only the labels of the test set are fetched
    labels = "t10k-labels-idx1-ubyte.gz"
    (mirror / labels).unlink()
    (mirror / labels).write_bytes(os.urandom(200_000))  # far more than any copy of a 10 kB file
    with pytest.raises(FetchError, match="more than 75544 bytes"):
        fetch_mnist(dest, (serve(mirror),), timeout=5, progress_stream=None)
    (mirror / labels).unlink()
    gzip_bomb(mirror / labels, 64 << 20)  # small on the wire, 64 MiB inside
    with pytest.raises(FetchError, match="larger than the 10008 bytes"):
        fetch_mnist(dest, (serve(mirror),), timeout=5, progress_stream=None)
    assert sorted(p.name for p in dest.iterdir()) == sorted(NAMES[:3])  # nothing partial left


def test_downloaded_files_follow_the_umask(tmp_path, serve):
    old = os.umask(0o022)
    try:
        dest = tmp_path / "dest"
        fetch_mnist(dest, (serve(SHARED_RAW),), timeout=5, progress_stream=None)
    finally:
        os.umask(old)
    for name in NAMES:
        assert stat.S_IMODE((dest / name).stat().st_mode) == 0o644
