"""MNIST from IDX files: locate, read (gzipped or raw), check, and load as tensors.

Where we look, in order: `--data-dir`, `$HWSOLVE_DATA`, the user cache folder
(`$XDG_CACHE_HOME/hwsolve/mnist`, default `~/.cache/hwsolve/mnist`), then
`./data`. In each folder the files may sit flat or in torchvision's
`MNIST/raw/` layout, each as `.gz` or raw IDX. The checksum is the sha256 of
the *decompressed* IDX content, so a recompressed archive still verifies.

No torchvision: it cannot import next to the CPU-only torch used here.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from hwsolve.errors import CorruptDataError, DataNotFoundError

if TYPE_CHECKING:
    import torch  # at run time torch is imported inside load_mnist, the one place that makes tensors


@dataclass(frozen=True)
class IdxFile:
    """One of the four MNIST files and what its content must be."""

    name: str  # without .gz
    shape: tuple[int, ...]
    sha256: str  # of the decompressed content


# IDX magic: 0x00 0x00, type 0x08 (unsigned byte), then the number of dimensions.
IDX_UBYTE = 0x08

MNIST_FILES: dict[str, IdxFile] = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte", (60000, 28, 28), "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte", (60000,), "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "test_images": IdxFile(
        "t10k-images-idx3-ubyte", (10000, 28, 28), "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte", (10000,), "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}

HOW_TO_PROVIDE = (
    "run `hwsolve data fetch` on a machine with internet, or pass --data-dir / set HWSOLVE_DATA "
    "to a folder holding the four MNIST IDX files (flat or in MNIST/raw/, .gz or raw)"
)


def user_cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/hwsolve/mnist or ~/.cache/hwsolve/mnist; None when neither can be named (no HOME)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no HOME and no passwd entry
            return None
    return Path(base) / "hwsolve" / "mnist"


def candidate_roots(data_dir: str | Path | None = None) -> list[Path]:
    """The folders searched, in order. An explicit --data-dir is the only one: no silent fallback."""
    if data_dir is not None:
        return [Path(data_dir)]
    roots: list[Path] = []
    if os.environ.get("HWSOLVE_DATA"):
        roots.append(Path(os.environ["HWSOLVE_DATA"]))
    cache = user_cache_dir()
    if cache is not None:
        roots.append(cache)
    roots.append(Path("data"))
    return roots


def _file_in(folder: Path, spec: IdxFile) -> Path | None:
    for name in (spec.name + ".gz", spec.name):
        if (folder / name).is_file():
            return folder / name
    return None


def _layouts(root: Path) -> tuple[Path, ...]:
    return (root, root / "MNIST" / "raw", root / "raw")


def _complete_folder(root: Path) -> Path | None:
    """root itself, root/MNIST/raw or root/raw, whichever holds all four files."""
    for folder in _layouts(root):
        if all(_file_in(folder, spec) is not None for spec in MNIST_FILES.values()):
            return folder
    return None


def _missing_in(root: Path) -> str | None:
    """'FOLDER lacks NAME[.gz]' for a layout holding some but not all of the files (a partial copy)."""
    for folder in _layouts(root):
        missing = [spec.name for spec in MNIST_FILES.values() if _file_in(folder, spec) is None]
        if 0 < len(missing) < len(MNIST_FILES):
            return f"{folder} lacks {', '.join(name + '[.gz]' for name in missing)}"
    return None


def locate_mnist(data_dir: str | Path | None = None, warn: Callable[[str], None] | None = None) -> Path:
    """The first folder holding all four files, or DataNotFoundError naming every place tried.

    A candidate that cannot be searched (no permission, a file where a folder
    should be) is skipped with one line to `warn` (default: stderr), and the search goes on.
    """
    warn = warn or (lambda line: print(f"Warning: {line}", file=sys.stderr))
    roots = candidate_roots(data_dir)
    partial = []
    for root in roots:
        try:
            folder = _complete_folder(root)
            missing = None if folder else _missing_in(root)
        except OSError as error:
            warn(f"skipped {root}: {error.strerror or error}")
            continue
        if folder is not None:
            return folder
        if missing:
            partial.append(missing)
    tried = ", ".join(str(root) for root in roots)
    found = f"; {'; '.join(partial)}" if partial else ""
    raise DataNotFoundError(f"MNIST not found (looked in: {tried}){found}; {HOW_TO_PROVIDE}")


# The decompressed size of each file is known exactly: reading stops one byte
# past it, so a gzip bomb costs at most that much memory, never gigabytes.
def max_content_bytes(spec: IdxFile) -> int:
    return 4 + 4 * len(spec.shape) + int(np.prod(spec.shape))


def read_idx_bytes(path: Path, limit: int | None = None, gzipped: bool | None = None) -> bytes:
    """The decompressed content of an IDX file (.gz or raw), at most limit + 1 bytes.

    A broken gzip, like a file that cannot be read, is a CorruptDataError.
    """
    try:
        if gzipped if gzipped is not None else path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                content = handle.read(-1 if limit is None else limit + 1)
        else:
            with open(path, "rb") as handle:
                content = handle.read(-1 if limit is None else limit + 1)
    except PermissionError as error:
        raise CorruptDataError(f"{path}: cannot be read ({error.strerror})") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise CorruptDataError(f"{path}: corrupt or truncated ({error})") from None
    if limit is not None and len(content) > limit:
        raise CorruptDataError(f"{path}: larger than the {limit} bytes this MNIST file has (decompressed)")
    return content


def parse_idx(content: bytes, path: Path, expected_shape: tuple[int, ...]) -> np.ndarray:
    """Check the magic, the dimensions and the length, then view the bytes as uint8."""
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] != IDX_UBYTE:
        raise CorruptDataError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = content[3]
    header = 4 + 4 * ndim
    if ndim != len(expected_shape) or len(content) < header:
        raise CorruptDataError(f"{path}: expected {len(expected_shape)} dimensions, header says {ndim}")
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if shape != expected_shape:
        raise CorruptDataError(f"{path}: shape {shape}, expected {expected_shape}")
    expected_length = header + int(np.prod(shape))
    if len(content) != expected_length:
        raise CorruptDataError(f"{path}: truncated or padded ({len(content)} bytes, expected {expected_length})")
    return np.frombuffer(content, dtype=np.uint8, offset=header).reshape(shape)


def read_mnist_file(folder: Path, key: str, verify: bool = True) -> tuple[np.ndarray, str]:
    """One of the four arrays and the sha256 of its decompressed content."""
    spec = MNIST_FILES[key]
    path = _existing_file(folder, spec)
    return check_idx_content(read_idx_bytes(path, max_content_bytes(spec)), path, key, verify=verify)


def _existing_file(folder: Path, spec: IdxFile) -> Path:
    """The .gz or raw copy of `spec` in `folder`; DataNotFoundError when there is neither."""
    path = _file_in(folder, spec)
    if path is None:
        raise DataNotFoundError(f"{folder / spec.name}[.gz] is missing; {HOW_TO_PROVIDE}")
    return path


def check_idx_content(content: bytes, path: Path, key: str, verify: bool = True) -> tuple[np.ndarray, str]:
    """Parse decompressed IDX content as MNIST file `key`, and check its sha256 when verify is set."""
    spec = MNIST_FILES[key]
    array = parse_idx(content, path, spec.shape)
    digest = hashlib.sha256(content).hexdigest()
    if verify and digest != spec.sha256:
        raise CorruptDataError(f"{path}: sha256 of the content is {digest}, expected {spec.sha256}")
    return array, digest


@dataclass(frozen=True)
class Mnist:
    """The whole data set in memory: images as float32 in [0, 1], flattened to 784."""

    train_images: torch.Tensor  # (60000, 784) float32
    train_labels: torch.Tensor  # (60000,) int64
    test_images: torch.Tensor  # (10000, 784) float32
    test_labels: torch.Tensor  # (10000,) int64
    folder: Path
    checksum: str  # sha256 over the four content digests: identifies the data in cache keys


# (folder, verified, (size, mtime) of each file): a file changed on disk is read again.
_LoadStamp: TypeAlias = tuple[str, bool, tuple[tuple[int, int], ...]]
_LOADED: dict[_LoadStamp, Mnist] = {}


def load_mnist(data_dir: str | Path | None = None, verify: bool = True) -> Mnist:
    """Locate, read, check and convert. Pixel scaling is x/255, as ToTensor does (no normalisation)."""
    import torch

    folder = locate_mnist(data_dir)
    stamp: _LoadStamp = (
        str(folder.resolve()),
        verify,
        tuple((s.st_size, s.st_mtime_ns) for s in (p.stat() for p in _paths(folder))),
    )
    if stamp in _LOADED:  # one process (tests, --seeds) reads and checks the files once
        return _LOADED[stamp]
    arrays: dict[str, np.ndarray] = {}
    digests: list[str] = []
    for key in MNIST_FILES:
        arrays[key], digest = read_mnist_file(folder, key, verify=verify)
        digests.append(digest)

    def images(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(array.reshape(len(array), -1).astype(np.float32)).div_(255.0)

    def labels(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(array.astype(np.int64))

    _LOADED.clear()
    _LOADED[stamp] = Mnist(
        train_images=images(arrays["train_images"]),
        train_labels=labels(arrays["train_labels"]),
        test_images=images(arrays["test_images"]),
        test_labels=labels(arrays["test_labels"]),
        folder=folder,
        checksum=hashlib.sha256("".join(digests).encode()).hexdigest(),
    )
    return _LOADED[stamp]


def _paths(folder: Path) -> list[Path]:
    return [_existing_file(folder, spec) for spec in MNIST_FILES.values()]


def verify_mnist(data_dir: str | Path | None = None) -> list[tuple[Path, str]]:
    """Check all four files; returns (path, sha256) pairs or raises on the first bad one."""
    folder = locate_mnist(data_dir)
    checked: list[tuple[Path, str]] = []
    for key, spec in MNIST_FILES.items():
        _, digest = read_mnist_file(folder, key, verify=True)
        checked.append((_existing_file(folder, spec), digest))
    return checked
