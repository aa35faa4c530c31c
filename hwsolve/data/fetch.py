"""Download the four MNIST files: mirrors in turn, a progress bar, checksums, atomic rename.

Each file is streamed to a temporary name beside its destination, checked
(gzip content, IDX header, sha256 of the decompressed content), and only then
renamed into place, so a half download never counts as data.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from hwsolve.data.mnist import (
    MNIST_FILES,
    check_idx_content,
    max_content_bytes,
    read_idx_bytes,
    read_mnist_file,
    user_cache_dir,
)
from hwsolve.errors import CorruptDataError, HwsolveError
from hwsolve.io import ensure_writable, set_ordinary_permissions

# Tried in order; the first that serves a file with the right content wins.
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

CHUNK = 1 << 16


class FetchError(HwsolveError):
    """No mirror delivered a file with the right content."""


def _progress_printer(stream: TextIO, label: str) -> Callable[[int, int | None], None]:
    def show(done: int, total: int | None) -> None:
        if total:
            width = 30
            filled = int(width * done / total)
            stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done / 1e6:6.1f}/{total / 1e6:.1f} MB")
        else:
            stream.write(f"\r{label} {done / 1e6:6.1f} MB")
        stream.flush()

    return show


# gzip never makes incompressible data much larger, so no honest copy of a
# file exceeds its decompressed size plus this slack: the download stops there.
_GZIP_SLACK = 1 << 16


def _download(
    url: str, destination: Path, timeout: float, progress: Callable[[int, int | None], None], limit: int
) -> None:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        done = 0
        with open(destination, "wb") as handle:
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                done += len(chunk)
                if done > limit:
                    raise CorruptDataError(f"{url}: more than {limit} bytes, larger than any copy of this file")
                handle.write(chunk)
                progress(done, total)
            handle.flush()
            os.fsync(handle.fileno())


def fetch_mnist(
    destination: str | Path | None = None,
    mirrors: tuple[str, ...] = DEFAULT_MIRRORS,
    timeout: float = 30.0,
    force: bool = False,
    progress_stream: TextIO | None = sys.stderr,
) -> Path:
    """Download what is missing into `destination` (default: the user cache) and return the folder."""
    folder = Path(destination) if destination is not None else user_cache_dir()
    if folder is None:
        raise HwsolveError("no user cache folder (neither HOME nor XDG_CACHE_HOME is set); pass --dest")
    ensure_writable(folder)  # a read-only or unusable target fails now, not after the download
    for key, spec in MNIST_FILES.items():
        target = folder / (spec.name + ".gz")
        if target.is_file() and not force and _is_good_copy(folder, key):
            continue
        errors = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + target.name
            temporary = _temporary_beside(target)  # outside the try: a folder we cannot write to is no mirror's fault
            try:
                _download_verified(url, temporary, target, key, timeout, progress_stream)
                break
            except (urllib.error.URLError, OSError, CorruptDataError, ValueError) as error:
                errors.append(f"{url}: {error}")
            finally:
                if temporary.exists():
                    temporary.unlink()
        else:
            raise FetchError(f"could not download {target.name} ({'; '.join(errors)})")
    return folder


def _is_good_copy(folder: Path, key: str) -> bool:
    """Whether the file already in `folder` reads and checks out; a bad copy is downloaded again."""
    try:
        read_mnist_file(folder, key)
    except CorruptDataError:
        return False
    return True


def _temporary_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    return Path(name)


def _download_verified(
    url: str, temporary: Path, target: Path, key: str, timeout: float, progress_stream: TextIO | None
) -> None:
    """Stream `url` to `temporary`, check it, and only then rename it over `target`."""
    stream = progress_stream if progress_stream is not None else io.StringIO()
    limit = max_content_bytes(MNIST_FILES[key]) + _GZIP_SLACK
    _download(url, temporary, timeout, _progress_printer(stream, target.name), limit)
    stream.write("\n")
    _check_download(temporary, key)
    set_ordinary_permissions(temporary)
    os.replace(temporary, target)


def _check_download(path: Path, key: str) -> None:
    """Verify a downloaded .gz under its temporary name, before it may be renamed into place (gunzip capped)."""
    check_idx_content(read_idx_bytes(path, max_content_bytes(MNIST_FILES[key]), gzipped=True), path, key)
