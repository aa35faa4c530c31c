"""`hwsolve q2`: three reconstructed true/false statements on regularisation, each answered by an L1/L2 experiment."""

from __future__ import annotations

import click

from hwsolve.cli.common import (
    Command,
    FiniteFloat,
    digits_option,
    emit,
    format_option,
    lang_option,
    seed_option,
    use_language,
)
from hwsolve.problem.q2 import RegularisationProblem

# The defaults shown in --help come from the problem definition, their one home.
DEFAULTS = RegularisationProblem()


@click.command(
    "q2",
    cls=Command,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  hwsolve q2                                the three answers with their evidence
  hwsolve q2 --format json --seed 3         every error behind them, full float64
  hwsolve q2 --n-train 200                  with 10x more data, does overfitting survive?
""",
)
@click.option(
    "--n-train", type=click.IntRange(5, 100_000), default=DEFAULTS.n_train, show_default=True, help="Training points."
)
@click.option(
    "--noise",
    type=FiniteFloat(min=0.0, max=1000.0),
    default=DEFAULTS.noise,
    show_default=True,
    help="Std of the label noise (the sine it is added to has amplitude 1).",
)
@click.option(
    "--degree",
    type=click.IntRange(1, 40),
    default=DEFAULTS.degree,
    show_default=True,
    help="Polynomial degree for (a) and (c).",
)
@click.option(
    "--max-degree",
    type=click.IntRange(2, 40),
    default=DEFAULTS.max_degree,
    show_default=True,
    help="Largest degree of the feature sweep (b).",
)
@seed_option()
@digits_option()
@format_option()
@lang_option()
def q2(n_train: int, noise: float, degree: int, max_degree: int, seed: int, digits: int, fmt: str, lang: str) -> None:
    """Q2: true or false on regularisation.

    The homework keeps only the submitted answers (all "false"); the three
    statements are reconstructed from them and marked so, which makes the
    submitted "false" right by construction: agreeing with it is not evidence.
    Each answer is computed from regression of a noisy sine on Legendre
    polynomial features (float64): (a) test error with and without L2 (closed
    form) and L1 (exact lasso), (b) training and validation error as features
    are added, (c) a sweep of the L2 coefficient. The same judges then run on
    nine more seeds.
    """
    use_language(lang, fmt)
    from hwsolve.solutions.q2 import solve_q2  # numpy and the experiment load only when the command runs

    problem = RegularisationProblem(n_train=n_train, noise=noise, degree=degree, max_degree=max_degree)
    emit(solve_q2(seed=seed, problem=problem), fmt.lower(), "q2", digits)
