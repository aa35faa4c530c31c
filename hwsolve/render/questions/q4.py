"""Q4 in the report: both modes, reused from OUT/q4/<mode>/ by seed, or trained.

The Q4 fragment (templates/*/q4.*.j2) answers the question as asked first:
homework mode (the submitted code, the homework's settings) over
HOMEWORK_SEEDS seeds, with the median and range of each configuration's test
error. Then come corrected mode's recommended changes and its results, over
CORRECTED_SEEDS seeds, and the figures; the section ends with its boxed
final answer (templates/*/q4_answer.*.j2).

Q4Hook solves it for the report; Q4Modes is what the report shows of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hwsolve.experiments.mnist.modes import MODE_NAMES
from hwsolve.problem.q4 import HOMEWORK_EPOCHS
from hwsolve.render.options import QUICK_EPOCHS, ReportOptions
from hwsolve.render.questions.hook import FigureSpec, seed_fact
from hwsolve.solutions.q4_differences import Difference, MeasuredEffect, effect_of, measured_effects

if TYPE_CHECKING:
    from hwsolve.solutions.q4 import Q4Solution

# The answer rests on several seeds; in homework mode a seed changes only the
# initial weights. Corrected mode (the recommendation, not the answer) gets one:
# a fresh report trains 3 + 1 sweeps, which fits `make run`'s time budget.
HOMEWORK_SEEDS = 3
CORRECTED_SEEDS = 1


@dataclass
class Q4Modes:
    """The two modes' Q4Solutions: Q4 as the report solves it (the audit reads both modes)."""

    homework: Q4Solution
    corrected: Q4Solution
    reused: dict[str, bool]  # mode -> taken from existing results.json files (nothing trained)

    @property
    def solution(self) -> Q4Modes:
        return self

    def by_mode(self) -> dict[str, Q4Solution]:
        return {"homework": self.homework, "corrected": self.corrected}

    def template_context(self) -> dict[str, object]:
        """The context of the Q4 fragment and of its final answer (q4_answer)."""
        return {"solution": self.homework, "q4_modes": self}

    def figures(self) -> list[FigureSpec]:
        return q4_figure_specs(self)

    def notices(self) -> list[str]:
        limited = sorted({mode.limit_train for mode in self.by_mode().values() if mode.limit_train})
        if not limited:
            return []
        return [
            f"The Q4 results used only the first {', '.join(map(str, limited))} training images (`--limit-train`), "
            "not all 60,000."
        ]

    def seed_facts(self) -> list[str]:
        return [
            seed_fact(f"Question 4, {mode} mode", one.seeds or [one.seed], one.epochs, one.limit_train)
            for mode, one in self.by_mode().items()
        ]

    @property
    def epochs(self) -> int:
        return self.homework.epochs

    def reproducibility_notes(self) -> list[str]:
        """What the Q4 numbers depended on besides the seeds and epochs (the report's closing note)."""
        notes = []
        for mode, solution in self.by_mode().items():
            threads = (
                f" with {solution.threads} torch thread{'s' if solution.threads != 1 else ''} per sweep"
                if solution.threads
                else ""
            )
            how = (
                "read from finished results" if self.reused[mode] else "trained for this report (finished seeds reused)"
            )
            notes.append(
                f"Q4 {mode} mode: {len(solution.seeds)} sweep{'s' if len(solution.seeds) != 1 else ''} of "
                f"{len(solution.findings)} models on {solution.device}{threads}, {how}."
            )
        notes.append(
            "Finished Q4 sweeps are reused by seed from q4/<mode>/ under the output folder (other seeds in "
            "seed-<s>/); delete them to retrain. Another CPU or a GPU sums in float32 in another order, so "
            "its test errors can differ, most of all those of the unstable Adam runs at lr 0.1."
        )
        return notes

    def effects(self) -> list[MeasuredEffect]:
        """Median test error of the groups each change touches, homework (all seeds) and corrected (all seeds)."""
        return measured_effects(self.homework.findings, self.corrected.findings)

    def effect_of(self, difference: Difference) -> MeasuredEffect | None:
        """The effects row that isolates one listed difference (NLL input, Adam's lr), or None."""
        return effect_of(difference, self.effects())


class Q4Hook:
    number = 4
    title = "The MNIST sweep"
    solver = "hwsolve.solutions.q4.solve_q4"

    def solve(self, options: ReportOptions) -> Q4Modes:
        from hwsolve.solutions.q4 import solve_q4

        return solve_q4_for_report(solve_q4, options)

    def option_notices(self, options: ReportOptions) -> list[str]:
        if options.quick:
            return [
                f"Quick mode: the Q4 sweep was trained for {QUICK_EPOCHS} epochs only, not the homework's "
                f"{HOMEWORK_EPOCHS}; its errors are not final."
            ]
        if options.epochs is not None:
            return [f"The Q4 sweep was run for {options.epochs} epochs (the homework trains {HOMEWORK_EPOCHS})."]
        return []


def requested_epochs(options: ReportOptions) -> int:
    if options.quick:
        return QUICK_EPOCHS
    return options.epochs if options.epochs is not None else HOMEWORK_EPOCHS


def report_seeds(mode: str, first_seed: int) -> list[int]:
    """The seeds the report uses for a mode: first_seed, first_seed + 1, ..."""
    count = HOMEWORK_SEEDS if mode == "homework" else CORRECTED_SEEDS
    return list(range(first_seed, first_seed + count))


def results_folders(out_dir: Path, mode: str, epochs: int) -> tuple[Path, Path]:
    """Where to look for finished results, and where a new sweep of `epochs` goes.

    `hwsolve q4` writes OUT/q4/<mode>/ (other seeds in seed-<s>/ below it); a
    sweep of other than the homework's epochs (e.g. --quick) goes to its own
    folder (solutions.q4.settings_folder), so it never overwrites the full run.
    """
    from hwsolve.solutions.q4 import settings_folder

    return settings_folder(out_dir, mode, HOMEWORK_EPOCHS), settings_folder(out_dir, mode, epochs)


def finished_solution(
    mode: str, folder: Path, epochs: int, seeds: list[int], data_dir: Path | None = None
) -> Q4Solution | None:
    """The results in `folder` when they hold a whole sweep of this mode and epochs for every seed; else None."""
    from hwsolve.experiments.mnist import ALL_CONFIGS
    from hwsolve.solutions.q4 import load_q4_seeds

    # A file that fails validation raises InvalidResults (one line): the report never shows it.
    return load_q4_seeds(mode, folder, seeds, epochs, len(ALL_CONFIGS), data_dir)


def solve_q4_for_report(solver: Callable[..., Q4Solution], options: ReportOptions) -> Q4Modes:
    """Each mode from finished results of all its report seeds, else trained (resuming what is finished).

    The first mode that trains also trains the other's missing seeds, in the
    same worker pool (solve_q4's train_also): all sweeps run side by side.
    """
    from hwsolve.experiments.mnist.parallel import SweepJob
    from hwsolve.solutions.q4 import seed_dir

    epochs = requested_epochs(options)
    solutions: dict[str, Q4Solution] = {}
    reused: dict[str, bool] = {}
    to_train: dict[str, tuple[list[int], Path]] = {}
    for mode in MODE_NAMES:
        seeds = report_seeds(mode, options.seed)
        standard, own = results_folders(options.out_dir, mode, epochs)
        existing = finished_solution(mode, standard, epochs, seeds, options.data_dir) or finished_solution(
            mode, own, epochs, seeds, options.data_dir
        )
        if existing is not None:
            solutions[mode], reused[mode] = existing, True
        else:
            to_train[mode] = (seeds, own)
    for position, (mode, (seeds, own)) in enumerate(to_train.items()):
        # The first call trains every mode's missing seeds; the later ones find them finished and read them.
        others = [
            SweepJob(other, s, seed_dir(folder, s, other_seeds[0]))
            for other, (other_seeds, folder) in to_train.items()
            if other != mode
            for s in other_seeds
        ]
        solutions[mode] = solver(
            mode=mode,
            epochs=epochs,
            seed=seeds[0],
            seeds=seeds,
            data_dir=options.data_dir,
            out=own,
            train_also=others if position == 0 else [],
            progress=options.sweep_progress,
        )
        reused[mode] = False
    return Q4Modes(solutions["homework"], solutions["corrected"], reused)


def q4_figure_specs(solution: Q4Modes) -> list[FigureSpec]:
    from hwsolve.render.figures.q4_curves import draw_learning_curves
    from hwsolve.render.figures.q4_heatmap import draw_test_error_heatmap

    homework, corrected = solution.homework, solution.corrected
    panels = {
        f"homework mode, median of {homework.n_seeds} seeds"
        if homework.n_seeds > 1
        else "homework mode": homework.findings,
        f"corrected mode, median of {corrected.n_seeds} seeds"
        if corrected.n_seeds > 1
        else "corrected mode": corrected.findings,
    }
    return [
        FigureSpec(
            "q4_curves",
            lambda base: draw_learning_curves(corrected.configs, base, "corrected"),
            f"Q4, corrected mode (seed {corrected.seed}): training (solid) and validation (dashed) loss per epoch.",
        ),
        FigureSpec(
            "q4_curves_homework",
            lambda base: draw_learning_curves(homework.configs, base, "homework"),
            f"Q4, homework mode (seed {homework.seed}): training (solid) and validation (dashed) loss per epoch.",
        ),
        FigureSpec(
            "q4_heatmap",
            lambda base: draw_test_error_heatmap(panels, base),
            "Q4: test error by activation and (loss, optimiser) in both modes; a star marks test error below 0.1.",
        ),
    ]
