"""Shared click options, value parsers and output for every subcommand.

Parsers raise click.BadParameter so a bad value becomes one line and exit 2.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import click

from hwsolve.render.numbers import DEFAULT_DIGITS
from hwsolve.solutions.base import to_json

FORMATS = ("text", "json", "md", "tex")


class OneLineUsageError(click.ClickException):
    """A usage error shown as one line (no usage banner), exit 2.

    The group (hwsolve.cli.LazyGroup) turns every click.UsageError raised by a
    subcommand into this, so commands just raise click.BadParameter.
    """

    exit_code = 2


def format_option(default: str = "text", choices: tuple[str, ...] = FORMATS) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        help="text for a person, json for a script, md/tex for a document fragment.",
    )


def digits_option() -> Callable:
    return click.option(
        "--digits",
        type=click.IntRange(1, 17),
        default=DEFAULT_DIGITS,
        show_default=True,
        help="Significant digits shown (display only; JSON is always full float64).",
    )


def seed_option(default: int = 0) -> Callable:
    return click.option("--seed", type=int, default=default, show_default=True, help="Random seed; the same seed gives the same JSON.")


def parse_float(text: str, name: str) -> float:
    """A finite float, or BadParameter naming the option."""
    try:
        value = float(text)
    except ValueError:
        raise click.BadParameter(f"{text.strip()!r} is not a number", param_hint=name) from None
    if not math.isfinite(value):
        raise click.BadParameter(f"{text.strip()!r} is not finite", param_hint=name)
    return value


def parse_float_list(text: str, name: str) -> tuple[float, ...]:
    """'0.35,0.9' -> (0.35, 0.9); every entry must be a finite number."""
    items = [item for item in text.split(",")]
    if not text.strip() or any(not item.strip() for item in items):
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}", param_hint=name)
    return tuple(parse_float(item, name) for item in items)


def parse_int_list(text: str, name: str, minimum: int | None = 1) -> tuple[int, ...]:
    """'2,2,1' -> (2, 2, 1); entries must be integers >= minimum (None: any integer, the caller's problem checks)."""
    values = []
    for item in text.split(","):
        item = item.strip()
        try:
            value = int(item)
        except ValueError:
            raise click.BadParameter(f"{item!r} is not an integer (in {text!r})", param_hint=name) from None
        if minimum is not None and value < minimum:
            raise click.BadParameter(f"{value} must be at least {minimum} (in {text!r})", param_hint=name)
        values.append(value)
    return tuple(values)


def emit(solution: Any, fmt: str, template: str, digits: int = DEFAULT_DIGITS, **context: Any) -> None:
    """Print a Solution as JSON or through templates/<fmt>/<template>.<ext>.j2."""
    if fmt == "json":
        click.echo(to_json(solution))
        return
    from hwsolve.render.environment import render_template

    context.setdefault("figures", {})  # the report passes figure paths; a bare command has none
    click.echo(render_template(fmt, template, solution=solution, digits=digits, **context), nl=False)
