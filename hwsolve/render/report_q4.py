"""Q4 in the report: both modes, reused from OUT/q4/<mode>/results.json or trained.

The Q4 fragment (templates/*/q4.*.j2) writes up one mode; the report gives it
corrected mode (the answer) and adds, after it, both modes side by side
(templates/*/q4_modes.*.j2), the learning curves of each mode and the heatmap.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

MODES = ("homework", "corrected")
PRIMARY_MODE = "corrected"  # the mode the Q4 fragment writes up
DEFAULT_EPOCHS = 30
QUICK_EPOCHS = 3


@dataclass
class Q4Modes:
    """The two modes' Q4Solutions, as the report's Q4 'solution'."""

    homework: Any
    corrected: Any
    reused: dict[str, bool]  # mode -> taken from an existing results.json (nothing trained)
    report_supplements: tuple[str, ...] = ("q4_modes",)  # rendered after the Q4 fragment

    def by_mode(self) -> dict[str, Any]:
        return {"homework": self.homework, "corrected": self.corrected}

    def template_context(self) -> dict[str, Any]:
        return {"solution": getattr(self, PRIMARY_MODE), "q4_modes": self}

    @property
    def epochs(self) -> int:
        return self.corrected.epochs

    def rows(self) -> list[dict[str, Any]]:
        """One row per configuration with both modes' results, in homework loop order."""
        corrected = {entry["name"]: entry for entry in self.corrected.configs}
        rows = []
        for entry in self.homework.configs:
            other = corrected.get(entry["name"], {})
            rows.append({"name": entry["name"], "homework": entry, "corrected": other})
        return rows

    def effects(self) -> list[str]:
        """Measured effects of the corrections, as sentences with numbers."""
        return measured_effects(self.homework.configs, self.corrected.configs)


def requested_epochs(options) -> int:
    if options.quick:
        return QUICK_EPOCHS
    return options.epochs if options.epochs is not None else DEFAULT_EPOCHS


def results_folders(out_dir: Path, mode: str, epochs: int) -> tuple[Path, Path]:
    """Where to look for finished results, and where a new sweep of `epochs` goes.

    `hwsolve q4` writes OUT/q4/<mode>/; a sweep of other than the default 30
    epochs (e.g. --quick) goes to OUT/q4/epochs-<E>/<mode>/ so it never
    overwrites the full run.
    """
    standard = Path(out_dir) / "q4" / mode
    if epochs == DEFAULT_EPOCHS:
        return standard, standard
    return standard, Path(out_dir) / "q4" / f"epochs-{epochs}" / mode


def _finished(mode: str, folder: Path, epochs: int, seed: int):
    """The results in `folder` when they are a whole sweep of this mode, epochs and seed; else None."""
    from hwsolve.experiments.mnist_models import ALL_CONFIGS
    from hwsolve.solutions.q4 import load_q4_results

    if not (folder / "results.json").exists():
        return None
    try:
        existing = load_q4_results(mode, folder)
    except Exception:  # an unreadable or foreign file is simply not reused  # noqa: BLE001
        return None
    whole = len(existing.configs) == len(ALL_CONFIGS)
    return existing if existing.epochs == epochs and existing.seed == seed and whole else None


def solve_q4_for_report(solver: Callable[..., Any], options) -> Q4Modes:
    """Each mode from a results.json that holds this many epochs, else trained (resuming what is finished)."""
    epochs = requested_epochs(options)
    solutions, reused = {}, {}
    for mode in MODES:
        standard, own = results_folders(options.out_dir, mode, epochs)
        existing = _finished(mode, standard, epochs, options.seed) or _finished(mode, own, epochs, options.seed)
        if existing is not None:
            solutions[mode], reused[mode] = existing, True
            continue
        solutions[mode] = solver(mode=mode, epochs=epochs, seed=options.seed, data_dir=options.data_dir, out=own)
        reused[mode] = False
    return Q4Modes(solutions["homework"], solutions["corrected"], reused)


def _median_error(entries: list[dict], keep: Callable[[dict], bool]) -> float | None:
    values = [entry["test_error"] for entry in entries if keep(entry) and entry.get("test_error") is not None]
    return statistics.median(values) if values else None


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def measured_effects(homework: list[dict], corrected: list[dict]) -> list[str]:
    """Median test error of the groups each correction touches, homework -> corrected."""
    groups = [
        ("all configurations", lambda e: True),
        ("NLLLoss configurations (log-softmax fix)", lambda e: e["loss"] == "nll"),
        ("Adam configurations (lr 0.1 -> 1e-3)", lambda e: e["optimizer"] == "adam"),
        ("cross-entropy + SGD configurations (untouched by the NLL and Adam fixes)",
         lambda e: e["loss"] == "cross_entropy" and e["optimizer"] == "sgd"),
    ]
    return [
        f"{label}: median test error {_pct(_median_error(homework, keep))} in homework mode, "
        f"{_pct(_median_error(corrected, keep))} in corrected mode"
        for label, keep in groups
    ]


def effect_of(difference: dict, homework: list[dict], corrected: list[dict]) -> str:
    """The measured effect to show beside one listed difference, where a group isolates it."""
    what = difference.get("what", "").lower()
    if "nll" in what:
        keep = lambda e: e["loss"] == "nll"  # noqa: E731
    elif "adam" in what:
        keep = lambda e: e["optimizer"] == "adam"  # noqa: E731
    else:
        return ""
    return (f"median test error of those configs {_pct(_median_error(homework, keep))} -> "
            f"{_pct(_median_error(corrected, keep))} (all fixes together)")


def q4_figure_specs(solution: Q4Modes) -> list:
    from hwsolve.render.figures.q4_curves import draw_learning_curves
    from hwsolve.render.figures.q4_heatmap import draw_test_error_heatmap
    from hwsolve.render.report_questions import FigureSpec

    other = "homework" if PRIMARY_MODE == "corrected" else "corrected"
    epochs = solution.epochs
    return [
        FigureSpec("q4_curves", lambda s, base: draw_learning_curves(getattr(s, PRIMARY_MODE).configs, base, PRIMARY_MODE),
                   f"Q4, {PRIMARY_MODE} mode: mean training (solid) and validation (dashed) loss per epoch, {epochs} epochs."),
        FigureSpec(f"q4_curves_{other}", lambda s, base: draw_learning_curves(getattr(s, other).configs, base, other),
                   f"Q4, {other} mode: mean training (solid) and validation (dashed) loss per epoch; "
                   "the k-th model trains E - k epochs, as the submitted loop does."),
        FigureSpec("q4_heatmap", lambda s, base: draw_test_error_heatmap({m: c.configs for m, c in s.by_mode().items()}, base),
                   "Q4: test error by activation and (loss, optimiser), both modes; a star marks test error below 0.1, the submitted criterion."),
    ]
