"""The `hwsolve` command: a thin click layer over the solution functions.

Each subcommand lives in its own module and is registered below. Failures
become one line on stderr: usage errors exit 2 (click), HwsolveError and a
float overflow exit 1, an interrupt exits 130. Never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from hwsolve import __version__
from hwsolve.cli.common import OneLineUsageError
from hwsolve.errors import HwsolveError

# (module, attribute) of each subcommand, imported lazily so that
# `hwsolve q3` never pays for importing matplotlib or the MNIST trainer.
SUBCOMMANDS = {
    "q1": ("hwsolve.cli.q1", "q1"),
    "q2": ("hwsolve.cli.q2", "q2"),
    "q3": ("hwsolve.cli.q3", "q3"),
    "q4": ("hwsolve.cli.q4", "q4"),
    "data": ("hwsolve.cli.data", "data"),
    "report": ("hwsolve.cli.report", "report"),
    "variants": ("hwsolve.cli.variants", "variants"),
    "grade": ("hwsolve.cli.grade", "grade"),
    "check": ("hwsolve.cli.grade", "check"),
}

SUBCOMMAND_HELP = {
    "q1": "Q1: linear collapse, inverted dropout, width, vanishing gradients.",
    "q2": "Q2: true or false on regularisation, each backed by an experiment.",
    "q3": "Q3: one step of backpropagation, derived in SymPy, checked by autograd.",
    "q4": "Q4: the MNIST sweep (3 activations x 2 losses x 2 optimisers).",
    "data": "Locate, verify or download the MNIST files.",
    "report": "Write the whole solution as Markdown, LaTeX and PDF.",
    "variants": "A verified variant of Q1(b) and Q3 for every student on a roster.",
    "grade": "Grade answer sheets against their keys and diagnose each mistake.",
    "check": "Check your own answer sheet (the homework's numbers or your variant's).",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _) in SUBCOMMANDS.items() if importlib.util.find_spec(module) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        module_name, attribute = SUBCOMMANDS[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                return None
            raise
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}.{attribute} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> object:
        # Subcommand resolution, option parsing and validation all happen in
        # here: one place makes every usage error a single line, exit 2.
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise OneLineUsageError(error.format_message()) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMAND_HELP[name]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hwsolve")
def cli() -> None:
    """Solve, verify and write up Deep Learning HW2 and its variants.

    Every number is derived symbolically (SymPy) and cross-checked
    numerically (torch autograd, float64). Run `hwsolve COMMAND --help`.
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turn known failures into one line."""
    try:
        cli.main(args=argv, prog_name="hwsolve", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.UsageError as error:
        # The group's own options (`hwsolve --bogus`), outside LazyGroup.invoke: one line too.
        click.echo(f"Error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted; finished work is kept, rerun to resume.", err=True)
        sys.exit(130)
    except HwsolveError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except OverflowError:
        # Python's float arithmetic raises where numpy and torch give inf; the inputs are finite
        # (the options are checked), so this is an overflow of the user's values, said as such.
        click.echo("Error: overflow: a value went beyond float64; use smaller values", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as error:
        # Any write that fails (read-only folder, full disk, no permission) is the
        # user's environment, not a bug: one line naming the path and the reason.
        from hwsolve.io import describe_os_error

        click.echo(f"Error: {describe_os_error(error)}", err=True)
        sys.exit(1)
