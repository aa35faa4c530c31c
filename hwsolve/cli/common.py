"""Shared click options, value types and output for every subcommand.

Every number a user types goes through one of the types here (or click's
IntRange), so each command refuses nan, inf and out-of-range values the same
way, before any work starts: click.BadParameter, one line, exit 2.

A person may type on a Persian keyboard: Persian and Arabic-Indic digits, the
decimal separator '٫', the Persian comma '،' and semicolon '؛' mean what
their Latin counterparts do ("۰٫۳۵،۰٫۹" is 0.35,0.9), through
hwsolve.digits.normalise_digits and `latin_separators`.
"""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from hwsolve.digits import normalise_digits
from hwsolve.i18n import LANGUAGES, activate, language
from hwsolve.io import to_json
from hwsolve.numbers import DEFAULT_DIGITS

FORMATS = ("text", "json", "md", "tex")
# What a click.option decorates: a command's function (or the command itself).
Decorated = TypeVar("Decorated", bound=Callable[..., object])


# The Persian comma and semicolon, which a Persian keyboard types in place of ',' and ';'.
_PERSIAN_SEPARATORS = str.maketrans({"\u060c": ",", "\u061b": ";"})


def latin_separators(text: str) -> str:
    """'،' to ',' and '؛' to ';': list separators as the parsers here split on them."""
    return text.translate(_PERSIAN_SEPARATORS)


class OneLineUsageError(click.ClickException):
    """A usage error shown as one line (no usage banner), exit 2.

    The group (hwsolve.cli.LazyGroup) turns every click.UsageError raised by a
    subcommand into this, so commands just raise click.BadParameter.
    """

    exit_code = 2


# Seeds are derived as seed * 1000 + stream (Q4's streams), seed + 99 (Q1's
# seeds) and seed + 9 (Q2's): below 2**32 every derived seed stays within what
# torch (< 2**64) and numpy (>= 0) accept.
SEED_MIN, SEED_MAX = 0, 2**32 - 1
SEED_RANGE_HELP = f"{SEED_MIN} to {SEED_MAX}"
MAX_SEED_COUNT = 100  # seeds in one --seeds list; each is a full run


class Command(click.Command):
    """A command that refuses a single-valued option given twice.

    click keeps the last of `--lr 1 --lr 2` without a word; here that is a
    usage error instead. Options declared multiple=True merge as declared.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A dry run of click's own parser: it lists each option once per occurrence.
        _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        counts = collections.Counter(param for param in order if isinstance(param, click.Option))
        for param, times in counts.items():
            if times > 1 and not (param.multiple or param.count):
                raise click.BadParameter("given more than once; give it once", param=param)
        return super().parse_args(ctx, args)


class FiniteFloat(click.FloatRange):
    """click.FloatRange that also refuses nan and +-inf (nan fails no range comparison, so click lets it through)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        typed: Any = normalise_digits(value) if isinstance(value, str) else value
        number = click.FLOAT.convert(typed, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not finite", param, ctx)
        return super().convert(number, param, ctx)

    def _describe_range(self) -> str:
        # --help shows the range; click's text for one without bounds reads "x<=None".
        return super()._describe_range() if self.min is not None or self.max is not None else "finite"


class NumberText(FiniteFloat):
    """A FiniteFloat kept as the text typed ("0.50"), for output that quotes the user."""

    # A FloatRange for click (so --help shows its range and the tests find it as a number), though its
    # value is the text: the one override of convert whose return type differs from its base's.
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:  # type: ignore[override]
        super().convert(value, param, ctx)
        return normalise_digits(str(value))  # "۰٫۵" is quoted back as "0.5": the output's numbers are Latin


class NumberList(click.ParamType[tuple[object, ...]]):
    """Base of the comma-separated number lists; tests find numeric options by this type."""


def _hint(param: click.Parameter | None) -> str | None:
    return param.opts[0] if param is not None and param.opts else None


class FloatList(NumberList):
    """'0.35,0.9' -> (0.35, 0.9), every entry finite."""

    name = "float list"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[float, ...]:
        return value if isinstance(value, tuple) else parse_float_list(latin_separators(value), _hint(param))


class SampleList(NumberList):
    """'0.35,0.9;-0.7,0.2' -> ((0.35, 0.9), (-0.7, 0.2)): samples separated by ';', each a float list."""

    name = "sample list"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[tuple[float, ...], ...]:
        if isinstance(value, tuple):
            return value
        return parse_sample_list(latin_separators(value), _hint(param))


class IntList(NumberList):
    """'2,2,1' -> (2, 2, 1), every entry in [minimum, maximum] (None: unbounded, the problem checks)."""

    name = "integer list"

    def __init__(self, minimum: int | None = 1, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        values = parse_int_list(latin_separators(value), _hint(param), self.minimum)
        too_large = [v for v in values if self.maximum is not None and v > self.maximum]
        if too_large:
            self.fail(f"{too_large[0]} is more than {self.maximum} (in {value!r})", param, ctx)
        return values


class Assignments(NumberList):
    """'w13=0.1,w23=0.8' -> (('w13', 0.1), ('w23', 0.8)); names are the caller's to check."""

    name = "name=value list"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[tuple[str, float], ...]:
        if isinstance(value, tuple):
            return value
        pairs = []
        for item in latin_separators(value).split(","):
            name, separator, number = item.partition("=")
            if not separator or not name.strip() or not number.strip():
                self.fail(f"expected name=value, got {item.strip()!r}", param, ctx)
            pairs.append((name.strip(), parse_float(number, _hint(param))))
        return tuple(pairs)


def merge_assignments(
    given: tuple[tuple[tuple[str, float], ...], ...], option: str, kind: str
) -> tuple[tuple[str, float], ...] | None:
    """Join repeated --weights/--biases: a name given twice must have one value (None: none given)."""
    if not given:
        return None
    merged: dict[str, float] = {}
    for name, value in (pair for pairs in given for pair in pairs):
        if merged.get(name, value) != value:
            raise click.BadParameter(
                f"duplicate {kind} {name!r}, given as {merged[name]!r} and {value!r}", param_hint=option
            )
        merged[name] = value
    return tuple(merged.items())


class SeedList(NumberList):
    """'0-4' -> (0, ..., 4); '0,1,2' -> (0, 1, 2); each seed in the seed range, at most MAX_SEED_COUNT of them."""

    name = "seed list"
    minimum, maximum = SEED_MIN, SEED_MAX

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        seeds: list[int] = []
        for item in latin_separators(value).split(","):
            bounds = re.fullmatch(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?", normalise_digits(item))
            if not bounds:
                self.fail(f"expected a range like 0-4 or a list like 0,1,2, got {value!r}", param, ctx)
            low = int(bounds.group(1))
            high = int(bounds.group(2)) if bounds.group(2) is not None else low
            if high < low or high > self.maximum:
                self.fail(f"{item.strip()!r} is not a range of seeds within {SEED_RANGE_HELP}", param, ctx)
            if high - low + 1 + len(seeds) > MAX_SEED_COUNT:
                self.fail(f"at most {MAX_SEED_COUNT} seeds, got more in {value!r}", param, ctx)
            seeds += range(low, high + 1)
        return tuple(dict.fromkeys(seeds))


def format_option(
    default: str = "text",
    choices: tuple[str, ...] = FORMATS,
    help: str = "text for a person, json for a script, md/tex for a document fragment.",
) -> Callable[[Decorated], Decorated]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        help=help,
    )


# The formats a document is written in; text and JSON are the tool's own output, in English.
DOCUMENT_FORMATS = ("md", "tex")


def lang_option(what: str = "The md and tex output") -> Callable[[Decorated], Decorated]:
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        default="en",
        show_default=True,
        help=f"{what} in English (en) or Persian (fa): right to left, the mathematics left to right.",
    )


def use_language(lang: str, fmt: str | None = None, formats: tuple[str, ...] = DOCUMENT_FORMATS) -> None:
    """Write in `lang` from here on; a language other than English only for the formats that are documents."""
    lang = lang.lower()
    if lang != "en" and fmt is not None and fmt.lower() not in formats:
        raise click.BadParameter(
            f"--lang {lang} writes {' and '.join(formats)}; --format {fmt.lower()} is English only", param_hint="--lang"
        )
    previous = language()
    activate(lang)
    # For the command only: a caller that runs several commands in one process (the tests, a script calling
    # cli()) gets its own language back when this one ends.
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(lambda: activate(previous))


def digits_option() -> Callable[[Decorated], Decorated]:
    return click.option(
        "--digits",
        type=click.IntRange(1, 17),
        default=DEFAULT_DIGITS,
        show_default=True,
        help="Significant digits shown (display only; JSON is always full float64).",
    )


def seed_option(default: int = 0) -> Callable[[Decorated], Decorated]:
    return click.option(
        "--seed",
        type=click.IntRange(SEED_MIN, SEED_MAX),
        default=default,
        show_default=True,
        help=f"Random seed, {SEED_RANGE_HELP}; the same seed gives the same JSON.",
    )


def parse_float(text: str, name: str | None) -> float:
    """A finite float, or BadParameter naming the option; Persian digits and '٫' read as Latin ones."""
    try:
        value = float(normalise_digits(text))
    except ValueError:
        raise click.BadParameter(f"{text.strip()!r} is not a number", param_hint=name) from None
    if not math.isfinite(value):
        raise click.BadParameter(f"{text.strip()!r} is not finite", param_hint=name)
    return value


def parse_float_list(text: str, name: str | None) -> tuple[float, ...]:
    """'0.35,0.9' -> (0.35, 0.9); every entry must be a finite number."""
    items = text.split(",")
    if not text.strip() or any(not item.strip() for item in items):
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}", param_hint=name)
    return tuple(parse_float(item, name) for item in items)


def parse_sample_list(text: str, name: str | None) -> tuple[tuple[float, ...], ...]:
    """'0.35,0.9;-0.7,0.2' -> ((0.35, 0.9), (-0.7, 0.2)); every sample non-empty and of the same length."""
    parts = text.split(";")
    if any(not part.strip() for part in parts):
        raise click.BadParameter(
            f"expected samples separated by ';', each comma-separated numbers, got {text!r} (an empty sample)",
            param_hint=name,
        )
    samples = tuple(parse_float_list(part, name) for part in parts)
    lengths = sorted({len(sample) for sample in samples})
    if len(lengths) > 1:
        counts = ", ".join(str(len(sample)) for sample in samples)
        raise click.BadParameter(f"the samples have different lengths ({counts} values) in {text!r}", param_hint=name)
    return samples


def parse_int_list(text: str, name: str | None, minimum: int | None = 1) -> tuple[int, ...]:
    """'2,2,1' -> (2, 2, 1); entries must be integers >= minimum (None: any integer, the caller's problem checks)."""
    values = []
    for item in text.split(","):
        item = item.strip()
        try:
            value = int(normalise_digits(item))
        except ValueError:
            raise click.BadParameter(f"{item!r} is not an integer (in {text!r})", param_hint=name) from None
        if minimum is not None and value < minimum:
            raise click.BadParameter(f"{value} must be at least {minimum} (in {text!r})", param_hint=name)
        values.append(value)
    return tuple(values)


def emit(solution: object, fmt: str, template: str, digits: int = DEFAULT_DIGITS, **context: object) -> None:
    """Print a Solution as JSON or through templates/<fmt>/<template>.<ext>.j2."""
    if fmt == "json":
        click.echo(to_json(solution))
        return
    from hwsolve.i18n import is_rtl
    from hwsolve.render.environment import render_template

    context.setdefault("figures", {})  # the report passes figure paths; a bare command has none
    text = render_template(fmt, template, solution=solution, digits=digits, **context)
    if is_rtl(language()) and fmt in DOCUMENT_FORMATS:
        # A Persian fragment as the report has it: Markdown wrapped right to left, LaTeX marked for xepersian.
        from hwsolve.render.rtl_latex import rtl_latex
        from hwsolve.render.rtl_markdown import rtl_markdown

        text = rtl_markdown(text) if fmt == "md" else rtl_latex(text)
    click.echo(text, nl=False)
