"""MNIST IDX reading: lookup order, layouts, checks, and content against an independent decoder."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from hwsolve.data import mnist as m
from hwsolve.errors import CorruptDataError, DataNotFoundError

SHARED = Path(os.environ.get("HWSOLVE_DATA", "../shared/data/mnist"))
RAW = SHARED / "MNIST" / "raw"
pytestmark = pytest.mark.mnist


@pytest.fixture(autouse=True)
def isolated_lookup(tmp_path, monkeypatch):
    """Only the folders a test names: no HWSOLVE_DATA, an empty cache, a cwd without ./data."""
    monkeypatch.delenv("HWSOLVE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    m._LOADED.clear()


def flat_copy(target: Path, decompress: tuple[str, ...] = ()) -> Path:
    """The four files flat in `target`; those named in `decompress` as raw IDX."""
    target.mkdir(parents=True, exist_ok=True)
    for spec in m.MNIST_FILES.values():
        source = RAW / (spec.name + ".gz")
        if spec.name in decompress:
            (target / spec.name).write_bytes(gzip.decompress(source.read_bytes()))
        else:
            os.symlink(source, target / source.name)
    return target


def decode_independently(path: Path) -> np.ndarray:
    content = gzip.decompress(path.read_bytes())
    magic, count = struct.unpack(">II", content[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", content[8:16])
        return np.frombuffer(content[16:], np.uint8).reshape(count, rows * cols)
    return np.frombuffer(content[8:], np.uint8)


def test_loads_the_shared_copy_in_mnist_raw_layout():
    data = m.load_mnist(SHARED)
    assert data.folder == RAW
    images = decode_independently(RAW / "train-images-idx3-ubyte.gz")
    labels = decode_independently(RAW / "t10k-labels-idx1-ubyte.gz")
    assert data.train_images.shape == (60000, 784) and data.test_images.shape == (10000, 784)
    np.testing.assert_array_equal(data.train_images[:50].numpy(), images[:50] / np.float32(255))
    np.testing.assert_array_equal(data.test_labels.numpy(), labels)
    assert float(data.train_images.min()) == 0.0 and float(data.train_images.max()) == 1.0


def test_flat_folder_with_raw_idx_files(tmp_path):
    folder = flat_copy(tmp_path / "flat", decompress=("train-labels-idx1-ubyte",))
    assert m.locate_mnist(folder) == folder
    labels, digest = m.read_mnist_file(folder, "train_labels")
    np.testing.assert_array_equal(labels, decode_independently(RAW / "train-labels-idx1-ubyte.gz"))
    assert digest == m.MNIST_FILES["train_labels"].sha256


def test_lookup_order_data_dir_then_env_then_cache_then_cwd(tmp_path, monkeypatch):
    cwd_data = flat_copy(tmp_path / "data")
    assert m.locate_mnist() == Path("data")
    cache = flat_copy(tmp_path / "cache" / "hwsolve" / "mnist")
    assert m.locate_mnist() == cache
    env = flat_copy(tmp_path / "env")
    monkeypatch.setenv("HWSOLVE_DATA", str(env))
    assert m.locate_mnist() == env
    explicit = flat_copy(tmp_path / "explicit")
    assert m.locate_mnist(explicit) == explicit
    assert cwd_data.exists()


def test_missing_data_says_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("HWSOLVE_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(DataNotFoundError) as error:
        m.load_mnist()
    message = str(error.value)
    for place in (tmp_path / "nowhere", tmp_path / "cache" / "hwsolve" / "mnist", "data"):
        assert str(place) in message
    assert "hwsolve data fetch" in message and "HWSOLVE_DATA" in message
    with pytest.raises(DataNotFoundError) as error:  # an explicit --data-dir is the only place looked in
        m.load_mnist(tmp_path / "empty")
    assert str(tmp_path / "empty") in str(error.value) and str(tmp_path / "nowhere") not in str(error.value)


def test_truncated_gzip_is_named(tmp_path):
    folder = flat_copy(tmp_path / "f")
    target = folder / "t10k-labels-idx1-ubyte.gz"
    content = target.read_bytes()
    target.unlink()
    target.write_bytes(content[: len(content) // 2])
    with pytest.raises(CorruptDataError, match="t10k-labels-idx1-ubyte.gz"):
        m.load_mnist(folder)


def test_truncated_raw_file_bad_magic_and_wrong_checksum(tmp_path):
    folder = flat_copy(tmp_path / "f", decompress=("t10k-labels-idx1-ubyte",))
    path = folder / "t10k-labels-idx1-ubyte"
    good = path.read_bytes()
    path.write_bytes(good[:-10])
    with pytest.raises(CorruptDataError, match="truncated"):
        m.read_mnist_file(folder, "test_labels")
    path.write_bytes(b"\x00\x00\x09\x01" + good[4:])
    with pytest.raises(CorruptDataError, match="magic"):
        m.read_mnist_file(folder, "test_labels")
    flipped = bytearray(good)
    flipped[100] = (flipped[100] + 1) % 10
    path.write_bytes(bytes(flipped))
    with pytest.raises(CorruptDataError, match="sha256"):
        m.read_mnist_file(folder, "test_labels")


def test_cli_locate_and_verify(tmp_path):
    from click.testing import CliRunner

    from hwsolve.cli import cli

    result = CliRunner().invoke(cli, ["data", "verify", "--data-dir", str(SHARED)])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == 4
    result = CliRunner().invoke(cli, ["data", "locate", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
