"""`hwsolve data`: locate, verify or download the MNIST files."""

from __future__ import annotations

import click

from hwsolve.cli.common import Command, FiniteFloat


class DataGroup(click.Group):
    command_class = Command  # each subcommand refuses an option given twice


@click.group("data", cls=DataGroup)
def data() -> None:
    """Find, check or download MNIST (searched in --data-dir, $HWSOLVE_DATA, the user cache, ./data)."""


@data.command("locate")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="Look here first.")
def locate(data_dir: str | None) -> None:
    """Print the folder hwsolve would read MNIST from (exit 1 if none)."""
    from hwsolve.data.mnist import locate_mnist

    click.echo(locate_mnist(data_dir))


@data.command("verify")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="Look here first.")
def verify(data_dir: str | None) -> None:
    """Check magic numbers, shapes and the sha256 of each file's decompressed content."""
    from hwsolve.data.mnist import verify_mnist

    for path, digest in verify_mnist(data_dir):
        click.echo(f"ok  {path}  sha256 {digest}")


@data.command("fetch")
@click.option(
    "--dest",
    type=click.Path(file_okay=False),
    default=None,
    help="Download into this folder [default: the user cache, ~/.cache/hwsolve/mnist].",
)
@click.option(
    "--mirror",
    "mirrors",
    multiple=True,
    metavar="URL",
    help="Base URL to try (repeatable, tried in order) instead of the default mirrors.",
)
@click.option("--timeout", type=FiniteFloat(1, 600), default=30, show_default=True, help="Seconds per request.")
@click.option("--force", is_flag=True, help="Download again even if a correct copy is there.")
def fetch(dest: str | None, mirrors: tuple[str, ...], timeout: float, force: bool) -> None:
    """Download the four MNIST files (mirrors in turn, progress bar, checksums, atomic rename)."""
    from hwsolve.data.fetch import DEFAULT_MIRRORS, fetch_mnist

    folder = fetch_mnist(dest, tuple(mirrors) or DEFAULT_MIRRORS, timeout=timeout, force=force)
    click.echo(f"MNIST ready in {folder}")
