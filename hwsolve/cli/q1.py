"""`hwsolve q1`: the four parts of Q1 (collapse, dropout, width, vanishing gradients).

Click types (hwsolve.cli.common) parse every number, so each bad input is
one line ("Error: Invalid value for '--mask': ...") and exit 2. Which values are
allowed (a 0/1 mask, one entry per input; p in [0, 1)) is DropoutProblem's
rule alone: its ValueError becomes the same one-line error. With --part and
--format json, the part's own object is printed (e.g. part b has x, mask,
test and train at the top level); without --part, {"a": ..., "b": ..., ...}.
"""

from __future__ import annotations

import click

from hwsolve.cli.common import (
    Command,
    FiniteFloat,
    FloatList,
    IntList,
    NumberText,
    digits_option,
    emit,
    format_option,
    lang_option,
    seed_option,
    use_language,
)
from hwsolve.numbers import format_number
from hwsolve.problem.q1 import DropoutProblem, GradientFlowProblem, WidthProblem

# The defaults shown in --help come from the problem definitions, their one home.
DROPOUT_DEFAULTS = DropoutProblem()
WIDTH_DEFAULTS = WidthProblem()

# Q1c trains full-batch on 200 points: activations, gradients and Adam state
# grow with width x points, so past twice the homework's 1,000,000 units the
# memory runs to tens of GB. Refused here, before anything is allocated.
MAX_WIDTH = 2_000_000
MAX_TIME_BUDGET_S = 86_400.0


def _comma_list(values: tuple[float, ...] | tuple[int, ...]) -> str:
    return ",".join(format_number(value) for value in values)


def _dropout_problem(
    x: tuple[float, ...] | None, mask: tuple[int, ...] | None, rates: tuple[str, ...]
) -> DropoutProblem:
    values = x if x is not None else DROPOUT_DEFAULTS.x
    bits = mask if mask is not None else DROPOUT_DEFAULTS.mask
    chosen_rates = tuple(dict.fromkeys(rates)) if rates else DROPOUT_DEFAULTS.rates
    try:
        return DropoutProblem(x=values, mask=bits, rates=chosen_rates)
    except ValueError as error:
        # The group prints a BadParameter as one line with exit 2, like a parse error.
        raise click.BadParameter(str(error)) from None


def _width_problem(
    widths: tuple[int, ...] | None, steps: int, long_steps: int, seeds: int, budget: float, threads: int
) -> WidthProblem:
    chosen = widths if widths is not None else WIDTH_DEFAULTS.widths
    return WidthProblem(
        widths=chosen, steps=steps, long_steps=long_steps, seed_count=seeds, time_budget_s=budget, threads=threads
    )


@click.command(
    "q1",
    cls=Command,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  hwsolve q1                               all four parts (part c trains for about a minute once, then is cached)
  hwsolve q1 --part a                      the collapse of stacked linear layers, proven and checked
  hwsolve q1 --part b --format json        dropout outputs for p = 0.5 and 0.4
  hwsolve q1 --part b --x 1,2,3 --mask 1,1,0 --p 0.2 --p 0.75
  hwsolve q1 --part c --widths 2,4,256,100000 --seeds 3 --force
  hwsolve q1 --part d --depth 20           gradient norms in a 20-layer MLP
""",
)
@click.option("--part", type=click.Choice(["a", "b", "c", "d"]), help="Only this part.  [default: all]")
@click.option(
    "--x",
    "x",
    type=FloatList(),
    metavar="X1,X2,...",
    help=f"(b) Input vector.  [default: {_comma_list(DROPOUT_DEFAULTS.x)}]",
)
@click.option(
    "--mask",
    type=IntList(minimum=None),
    metavar="M1,M2,...",
    help=f"(b) Dropout mask, 1 = kept, 0 = dropped, one per input.  [default: {_comma_list(DROPOUT_DEFAULTS.mask)}]",
)
@click.option(
    "--p",
    "rates",
    type=NumberText(),
    metavar="P",
    multiple=True,
    help=f"(b) Dropout rate in [0, 1); repeat for several.  [default: {' and '.join(DROPOUT_DEFAULTS.rates)}]",
)
@click.option(
    "--widths",
    type=IntList(minimum=1, maximum=MAX_WIDTH),
    metavar="W1,W2,...",
    help=(
        f"(c) Hidden widths to train, each 1 to {MAX_WIDTH:,} (memory).  "
        f"[default: {_comma_list(WIDTH_DEFAULTS.widths)}]"
    ),
)
@click.option(
    "--steps",
    type=click.IntRange(1, 100_000),
    default=WIDTH_DEFAULTS.steps,
    show_default=True,
    help="(c) Full-batch Adam steps per width.",
)
@click.option(
    "--long-steps",
    type=click.IntRange(1, 100_000),
    default=WIDTH_DEFAULTS.long_steps,
    show_default=True,
    help="(c) Steps of the longer run of 256 units (does it overfit?).",
)
@click.option(
    "--seeds",
    type=click.IntRange(1, 100),
    default=WIDTH_DEFAULTS.seed_count,
    show_default=True,
    help="(c) Number of seeds: --seed, --seed + 1, ...; verdicts count them.",
)
@click.option(
    "--time-budget",
    "budget",
    type=FiniteFloat(min=0, min_open=True, max=MAX_TIME_BUDGET_S),
    default=WIDTH_DEFAULTS.time_budget_s,
    show_default=True,
    help=(
        "(c) Seconds for all of part c; a width too slow for it is replaced by the widest that fits, "
        "and the output says why."
    ),
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=WIDTH_DEFAULTS.threads,
    show_default=True,
    help="(c) torch threads for training (one is fastest on a small shared CPU).",
)
@click.option("--force", is_flag=True, help="(c) Retrain even if build/q1/ holds a result for these settings.")
@click.option(
    "--depth",
    type=click.IntRange(4, 200),
    default=GradientFlowProblem().depth,
    show_default=True,
    help="(d) Number of layers of the MLP.",
)
@seed_option()
@digits_option()
@format_option()
@lang_option()
def q1(
    part: str | None,
    x: tuple[float, ...] | None,
    mask: tuple[int, ...] | None,
    rates: tuple[str, ...],
    widths: tuple[int, ...] | None,
    steps: int,
    long_steps: int,
    seeds: int,
    budget: float,
    threads: int,
    force: bool,
    depth: int,
    seed: int,
    digits: int,
    fmt: str,
    lang: str,
) -> None:
    """Q1: multilayer perceptrons, in four parts.

    \b
    a  Without activations, stacked layers collapse: (X W1 + 1 b1) W2 + 1 b2
       = X W + 1 b. Proven in SymPy for N layers; checked in torch float64;
       with ReLU or sigmoid between the layers no affine map fits.
    b  Inverted dropout: train output x*m/(1-p), test output x. E[m/(1-p)] = 1
       in SymPy; cross-checked against torch's own dropout.
    c  Two-layer networks of several widths on seeded two moons, over several
       seeds: median and range of train and test accuracy, and in how many
       seeds each width was enough; 256 units are also trained longer.
    d  Largest derivative of sigmoid, tanh and ReLU (solved in SymPy) and the
       gradient norm per layer of a deep MLP at initialisation.

    Part c's results are cached under build/q1/ (or $HWSOLVE_BUILD/q1/), one
    file per seed and settings, so the same seed prints the same JSON; --force
    retrains, and then only the wall-clock seconds change.
    """
    use_language(lang, fmt)
    dropout = _dropout_problem(x, mask, rates)
    width = _width_problem(widths, steps, long_steps, seeds, budget, threads)
    from hwsolve.solutions.q1 import solve_q1  # after validation: SymPy and torch load slowly

    if part in (None, "c"):
        from hwsolve.io import default_build_dir, ensure_writable

        ensure_writable(default_build_dir() / "q1")  # part c's cache: fail before training, not after

    def progress(message: str) -> None:
        click.echo(f"q1c: {message}", err=True)

    gradient_flow = GradientFlowProblem(depth=depth)
    solution = solve_q1(
        part=part, seed=seed, dropout=dropout, width=width, gradient_flow=gradient_flow, force=force, progress=progress
    )
    if fmt.lower() == "json" and part is not None:
        emit(getattr(solution, part), "json", "q1")
        return
    emit(solution, fmt.lower(), "q1", digits)
