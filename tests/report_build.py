"""One real `hwsolve report` build (md, tex, figures and PDF), shared by every report-wide test module.

Building takes a minute or two (pdflatex, a small real Q4 sweep), so the
first module that asks builds it and the others reuse it (one per session).

By default the build is small but real: Q1(c) trains three narrow widths for
30 steps, Q4 is a 3-epoch sweep on the first 1024 training images that
`report --quick` reuses. To check the full report instead, point
HWSOLVE_TEST_REPORT_FROM at a build folder whose q1/ and q4/ caches are
complete (e.g. `HWSOLVE_TEST_REPORT_FROM=build` after `make run`): they are
copied and the report is built as `hwsolve report` builds it, nothing retrained.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwsolve.errors import HwsolveError

HOSTILE_TITLE = r"Report_1: 100% & #2 $5 {x} \ ^ ~ done"
LATEX_TOOLS = ("latexmk", "pdflatex", "pdftotext")
FULL_REPORT_FROM = "HWSOLVE_TEST_REPORT_FROM"


@dataclass(frozen=True)
class BuiltReport:
    out: Path
    text: str  # pdftotext -layout of the whole PDF
    result: object  # click's Result
    quick: bool  # the small --quick build (False: the full report from HWSOLVE_TEST_REPORT_FROM)
    stem: str = "report"  # report.pdf, or report.fa.pdf for the Persian build
    written: dict[str, bytes] = field(default_factory=dict)  # report.md and report.tex as this build wrote them

    @property
    def pdf(self) -> Path:
        return self.out / f"{self.stem}.pdf"

    def pages(self, first: int, last: int) -> str:
        """The text of pages first..last (1-based) in reading order (pdftotext without -layout,
        which keeps a formula's numbers together where -layout moves its subscripts to other lines)."""
        return subprocess.run(
            ["pdftotext", "-f", str(first), "-l", str(last), str(self.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def have_latex() -> bool:
    return all(shutil.which(tool) for tool in LATEX_TOOLS)


def _shrink_q1_width_experiment(monkeypatch):
    """Q1(c) trains up to a minute by design; the PDF test needs its numbers, not its size."""
    try:
        from hwsolve.problem.q1 import WidthProblem
        from hwsolve.solutions import q1
    except ImportError:
        return
    original = q1.solve_q1

    # Fewer seeds and a short long run where this WidthProblem has them (Q1(c) with several seeds).
    wanted = {"widths": (2, 4, 16), "steps": 30, "seed_count": 3, "long_steps": 60, "long_widths": (16,)}
    small = WidthProblem(
        **{key: value for key, value in wanted.items() if key in {f.name for f in fields(WidthProblem)}}
    )

    def solve_q1(**arguments):
        return original(**arguments, width=small)

    # The report's Q1 hook imports solve_q1 when it solves, so it finds this one.
    monkeypatch.setattr(q1, "solve_q1", solve_q1)


def _prebuild_q4_results(out: Path) -> bool:
    """A real but small Q4 sweep (3 epochs, first 1024 images) that `report --quick` then reuses.

    Returns False when MNIST is not available: the report then shows how to provide it.
    """
    try:
        from hwsolve.data.mnist import locate_mnist
        from hwsolve.solutions.q4 import solve_q4

        locate_mnist()
    except HwsolveError:  # no MNIST data here
        return False
    try:
        from hwsolve.render.questions.q4 import report_seeds
    except ImportError:  # the report uses one seed per mode
        report_seeds = None
    for mode in ("homework", "corrected"):  # every seed the report uses, so it trains nothing more
        seeds = {"seeds": report_seeds(mode, 0)} if report_seeds is not None else {}
        solve_q4(mode=mode, epochs=3, limit_train=1024, out=out / "q4" / mode, progress=None, **seeds)
    return True


_BUILT: list[BuiltReport] = []
_BUILT_PERSIAN: list[BuiltReport] = []


def built_report(tmp_path_factory) -> BuiltReport:
    """The session's one report build (see the module docstring)."""
    if _BUILT:
        return _BUILT[0]
    from hwsolve.cli import cli

    out = tmp_path_factory.mktemp("report")
    source = os.environ.get(FULL_REPORT_FROM)
    arguments = ["report", "--title", HOSTILE_TITLE, "--out", str(out)]
    with pytest.MonkeyPatch.context() as monkeypatch:
        if source:
            for cache in ("q1", "q4"):
                if (Path(source) / cache).is_dir():
                    shutil.copytree(Path(source) / cache, out / cache)
        else:
            _shrink_q1_width_experiment(monkeypatch)
            _prebuild_q4_results(out)
            arguments.append("--quick")
        result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, (result.output, result.exception)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    written = {name: (out / name).read_bytes() for name in ("report.md", "report.tex")}
    _BUILT.append(BuiltReport(out, text, result, quick=not source, written=written))
    return _BUILT[0]


def built_persian_report(tmp_path_factory) -> BuiltReport:
    """The same report in Persian (`--lang fa`, XeLaTeX), into the English build's folder: it reuses the
    English build's trained caches, as `hwsolve report --lang fa` after `make run` does."""
    if _BUILT_PERSIAN:
        return _BUILT_PERSIAN[0]
    from hwsolve.cli import cli

    english = built_report(tmp_path_factory)
    arguments = ["report", "--lang", "fa", "--out", str(english.out)] + (["--quick"] if english.quick else [])
    with pytest.MonkeyPatch.context() as monkeypatch:
        if english.quick:
            _shrink_q1_width_experiment(monkeypatch)  # the same Q1(c) settings, so its cache is reused
        result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, (result.output, result.exception)
    text = subprocess.run(
        ["pdftotext", "-layout", str(english.out / "report.fa.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    _BUILT_PERSIAN.append(BuiltReport(english.out, text, result, english.quick, stem="report.fa"))
    return _BUILT_PERSIAN[0]
