"""How the report calls each question and which figures it draws for it.

This is the one place that knows the questions' solve signatures and their
Solution shapes; report.py stays generic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwsolve.errors import DataNotFoundError, HwsolveError
from hwsolve.render.questions.q4 import QUICK_EPOCHS

Drawer = Callable[[Any, Path], Any]


def solve(number: int, solver: Callable[..., Any], options) -> Any:
    """Call the question's solve function the way its CLI command does by default."""
    if number == 1:
        # Part (c) caches its training runs under the build folder, as `hwsolve q1` does.
        return solver(seed=options.seed, build_dir=options.out_dir)
    if number == 2:
        return solver(seed=options.seed)
    if number == 3:
        return solver()
    if number == 4:
        from hwsolve.render.questions.q4 import solve_q4_for_report

        return solve_q4_for_report(solver, options)
    raise ValueError(f"unknown question {number}")


def placeholder_for(number: int, error: HwsolveError) -> str:
    """One line saying why the question is missing and what to do about it."""
    if isinstance(error, DataNotFoundError):
        return (
            f"not computed, because the MNIST data was not found. {error} "
            "Then rerun `hwsolve report` (for example `HWSOLVE_DATA=/path/to/mnist hwsolve report`)."
        )
    return f"not computed: {error}"


@dataclass(frozen=True)
class FigureSpec:
    name: str  # figures.<name> in the templates; files figures/<name>.png and .pdf
    draw: Drawer
    caption: str  # used when the question's fragment does not place the figure itself


def figure_drawers(number: int, solution: Any) -> list[FigureSpec]:
    """The figures of an available question."""
    figures: list[FigureSpec] = []
    if number == 1:
        from hwsolve.render.figures.q1_gradient_flow import draw_gradient_norms
        from hwsolve.render.figures.q1_width import draw_width_accuracy

        if getattr(solution, "c", None) is not None:
            figures.append(
                FigureSpec(
                    "q1_width",
                    lambda s, base: draw_width_accuracy(s.c, base),
                    "Q1(c): train and test accuracy of the two-layer network by hidden width.",
                )
            )
        if getattr(solution, "d", None) is not None:
            figures.append(
                FigureSpec(
                    "q1_gradient_flow",
                    lambda s, base: draw_gradient_norms(s.d, base),
                    "Q1(d): gradient norm per layer at initialisation, by activation and initialisation.",
                )
            )
    elif number == 2:
        from hwsolve.render.figures.q2_regularisation import draw_regularisation

        figures.append(
            FigureSpec(
                "q2_regularisation",
                draw_regularisation,
                "Q2: training and validation error against the number of features (b) and the L2 coefficient (c).",
            )
        )
    elif number == 3:
        from hwsolve.render.figures.q3_network import draw_q3_network

        figures.append(
            FigureSpec(
                "q3_network",
                draw_q3_network,
                "Q3: the network after the forward and backward pass: weights, values, gradients and updated weights.",
            )
        )
    elif number == 4:
        from hwsolve.render.questions.q4 import q4_figure_specs

        figures.extend(q4_figure_specs(solution))
    return figures


def notices(sections: list, options) -> list[str]:
    """Lines shown under the title: anything that makes this report less than the full one."""
    lines = []
    if options.quick:
        lines.append(
            f"Quick mode: the Q4 sweep was trained for {QUICK_EPOCHS} epochs only, not the homework's 30; its errors are not final."
        )
    elif options.epochs is not None:
        lines.append(f"The Q4 sweep was run for {options.epochs} epochs (the homework trains 30).")
    for section in sections:
        if section.number == 4 and section.available:
            limited = sorted({mode.limit_train for mode in section.solution.by_mode().values() if mode.limit_train})
            if limited:
                lines.append(
                    f"The Q4 results used only the first {', '.join(map(str, limited))} training images (`--limit-train`), "
                    "not all 60,000."
                )
    missing = [f"Question {section.number}" for section in sections if not section.available]
    if missing:
        lines.append(f"Not in this report: {', '.join(missing)} (see each section for why).")
    return lines


@dataclass(frozen=True)
class Reproducibility:
    """The closing note: how to get this report again, and what it depended on."""

    version: str
    command: str  # the report's own command line, in Markdown backticks' content
    facts: list[str]  # seeds and epochs, one sentence per question (or Q4 mode)
    notes: list[tuple[int, str]]  # (question, line) from each Solution's reproducibility_notes()


def reproducibility(sections: list, options, version: str) -> Reproducibility:
    facts, notes = [], []
    for section in sections:
        if not section.available:
            continue
        facts.extend(_seed_facts(section.number, section.solution))
        notes.extend((section.number, line) for line in _notes_of(section.solution))
    return Reproducibility(version, _command(options), facts, notes)


def _command(options) -> str:
    words = ["hwsolve", "report", "--out", str(options.out_dir)]
    if options.quick:
        words.append("--quick")
    elif options.epochs is not None:
        words += ["--epochs", str(options.epochs)]
    if options.seed:
        words += ["--seed", str(options.seed)]
    if options.title:
        words += ["--title", "..."]
    return " ".join(words)


def _seeds_text(solution: Any) -> str | None:
    seeds = list(getattr(solution, "seeds", None) or [])
    if not seeds and getattr(solution, "seed", None) is not None:
        seeds = [solution.seed]
    if not seeds:
        return None
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(map(str, seeds))


def _seed_facts(number: int, solution: Any) -> list[str]:
    """One sentence per question (per mode for Q4) with its seeds, epochs and data; none for unseeded questions."""
    modes = solution.by_mode() if hasattr(solution, "by_mode") else {None: solution}
    facts = []
    for mode, one in modes.items():
        seeds = _seeds_text(one)
        if seeds is None:
            continue
        parts = [seeds]
        if getattr(one, "epochs", None) is not None:
            parts.append(f"{one.epochs} epochs configured")
        if getattr(one, "limit_train", None):
            parts.append(f"the first {one.limit_train:,} training images")
        where = f"Question {number}" + (f", {mode} mode" if mode else "")
        facts.append(f"{where}: {'; '.join(parts)}.")
    return facts


def _notes_of(solution: Any) -> list[str]:
    """The solution's reproducibility_notes(), else those of each of its modes (Q4), without repeats."""
    if hasattr(solution, "reproducibility_notes"):
        lines = list(solution.reproducibility_notes())
    elif hasattr(solution, "by_mode"):
        lines = [
            f"{mode} mode: {line}"
            for mode, one in solution.by_mode().items()
            if hasattr(one, "reproducibility_notes")
            for line in one.reproducibility_notes()
        ]
    else:
        lines = []
    return list(dict.fromkeys(str(line) for line in lines))
