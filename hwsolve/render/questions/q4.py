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
from hwsolve.i18n import N_, _, ngettext
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

# Each mode as the report names it in a sentence (translated with _() where used).
MODE_WORDS = {"homework": N_("homework mode"), "corrected": N_("corrected mode")}


def mode_words(mode: str) -> str:
    """'homework mode' in the active language."""
    return _(MODE_WORDS[mode]) if mode in MODE_WORDS else _("{mode} mode").format(mode=mode)


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
            _("The Q4 results used only the first {images} training images (`--limit-train`), not all 60,000.").format(
                images=_(", ").join(map(str, limited))
            )
        ]

    def seed_facts(self) -> list[str]:
        return [
            seed_fact(
                _("Question 4, {mode}").format(mode=mode_words(mode)),
                one.seeds or [one.seed],
                one.epochs,
                one.limit_train,
            )
            for mode, one in self.by_mode().items()
        ]

    @property
    def epochs(self) -> int:
        return self.homework.epochs

    def reproducibility_notes(self) -> list[str]:
        """What the Q4 numbers depended on besides the seeds and epochs (the report's closing note)."""
        notes = [self._sweep_note(mode, solution) for mode, solution in self.by_mode().items()]
        notes.append(
            _(
                "Finished Q4 sweeps are reused by seed from q4/<mode>/ under the output folder (other seeds in "
                "seed-<s>/); delete them to retrain. Another CPU or a GPU sums in float32 in another order, so "
                "its test errors can differ, most of all those of the unstable Adam runs at lr 0.1."
            )
        )
        return notes

    def _sweep_note(self, mode: str, solution: Q4Solution) -> str:
        """E.g. 'Q4 homework mode: 3 sweeps of 12 models on cpu with 1 torch thread per sweep, read from finished
        results.': a whole sentence for each of how it was got and whether a thread count is known."""
        sweeps = len(solution.seeds)
        if self.reused[mode] and solution.threads:
            text = ngettext(
                "Q4 {mode}: {count} sweep of {models} models on {device} with {threads} per sweep, "
                "read from finished results.",
                "Q4 {mode}: {count} sweeps of {models} models on {device} with {threads} per sweep, "
                "read from finished results.",
                sweeps,
            )
        elif self.reused[mode]:
            text = ngettext(
                "Q4 {mode}: {count} sweep of {models} models on {device}, read from finished results.",
                "Q4 {mode}: {count} sweeps of {models} models on {device}, read from finished results.",
                sweeps,
            )
        elif solution.threads:
            text = ngettext(
                "Q4 {mode}: {count} sweep of {models} models on {device} with {threads} per sweep, "
                "trained for this report (finished seeds reused).",
                "Q4 {mode}: {count} sweeps of {models} models on {device} with {threads} per sweep, "
                "trained for this report (finished seeds reused).",
                sweeps,
            )
        else:
            text = ngettext(
                "Q4 {mode}: {count} sweep of {models} models on {device}, "
                "trained for this report (finished seeds reused).",
                "Q4 {mode}: {count} sweeps of {models} models on {device}, "
                "trained for this report (finished seeds reused).",
                sweeps,
            )
        threads = solution.threads or 0
        return text.format(
            mode=mode_words(mode),
            count=sweeps,
            models=len(solution.findings),
            device=solution.device,
            threads=ngettext("{count} torch thread", "{count} torch threads", threads).format(count=threads),
        )

    def effects(self) -> list[MeasuredEffect]:
        """Median test error of the groups each change touches, homework (all seeds) and corrected (all seeds)."""
        return measured_effects(self.homework.findings, self.corrected.findings)

    def effect_of(self, difference: Difference) -> MeasuredEffect | None:
        """The effects row that isolates one listed difference (NLL input, Adam's lr), or None."""
        return effect_of(difference, self.effects())


class Q4Hook:
    number = 4
    title = N_("The MNIST sweep")
    solver = "hwsolve.solutions.q4.solve_q4"

    def solve(self, options: ReportOptions) -> Q4Modes:
        from hwsolve.solutions.q4 import solve_q4

        return solve_q4_for_report(solve_q4, options)

    def option_notices(self, options: ReportOptions) -> list[str]:
        if options.quick:
            return [
                _(
                    "Quick mode: the Q4 sweep was trained for {epochs} epochs only, not the homework's "
                    "{homework_epochs}; its errors are not final."
                ).format(epochs=QUICK_EPOCHS, homework_epochs=HOMEWORK_EPOCHS)
            ]
        if options.epochs is not None:
            return [
                _("The Q4 sweep was run for {epochs} epochs (the homework trains {homework_epochs}).").format(
                    epochs=options.epochs, homework_epochs=HOMEWORK_EPOCHS
                )
            ]
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
    # The panels' titles, in the active language (the heatmap shapes them for matplotlib).
    panels = {
        _("homework mode, median of {count} seeds").format(count=homework.n_seeds)
        if homework.n_seeds > 1
        else _("homework mode"): homework.findings,
        _("corrected mode, median of {count} seeds").format(count=corrected.n_seeds)
        if corrected.n_seeds > 1
        else _("corrected mode"): corrected.findings,
    }
    return [
        FigureSpec(
            "q4_curves",
            lambda base: draw_learning_curves(corrected.configs, base, "corrected"),
            _("Q4, corrected mode (seed {seed}): training (solid) and validation (dashed) loss per epoch.").format(
                seed=corrected.seed
            ),
        ),
        FigureSpec(
            "q4_curves_homework",
            lambda base: draw_learning_curves(homework.configs, base, "homework"),
            _("Q4, homework mode (seed {seed}): training (solid) and validation (dashed) loss per epoch.").format(
                seed=homework.seed
            ),
        ),
        FigureSpec(
            "q4_heatmap",
            lambda base: draw_test_error_heatmap(panels, base),
            _("Q4: test error by activation and (loss, optimiser) in both modes; a star marks test error below 0.1."),
        ),
    ]
