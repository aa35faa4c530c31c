"""What `hwsolve report` was asked for: a leaf module, so each question's hook can read the options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hwsolve.experiments.mnist.progress import ProgressFactory
from hwsolve.i18n import check_language, is_rtl
from hwsolve.numbers import DEFAULT_DIGITS

QUICK_EPOCHS = 3  # `hwsolve report --quick`: the Q4 sweep's epochs, stated in the report


@dataclass(frozen=True)
class ReportOptions:
    out_dir: Path = Path("build")
    title: str | None = None
    digits: int = DEFAULT_DIGITS
    epochs: int | None = None  # Q4 epochs when the sweep has to run; None: the Q4 default
    quick: bool = False  # Q4: a QUICK_EPOCHS-epoch sweep, stated in the report
    data_dir: Path | None = None
    seed: int = 0
    sweep_progress: ProgressFactory | None = None  # draws the Q4 sweeps' progress bar (the CLI passes click's)
    lang: str = "en"  # the document's language (hwsolve.i18n.LANGUAGES): a Persian report is report.fa.*

    def __post_init__(self) -> None:
        check_language(self.lang)

    @property
    def stem(self) -> str:
        """The report's file name without its suffix: report (English), report.fa (Persian), ..."""
        return "report" if self.lang == "en" else f"report.{self.lang}"

    @property
    def figures_dir(self) -> Path:
        """English figures in OUT/figures/, another language's in OUT/figures/<lang>/ (their words differ)."""
        return self.out_dir / "figures" if self.lang == "en" else self.out_dir / "figures" / self.lang

    @property
    def latex_engine(self) -> str:
        """pdflatex for English; xepersian (right to left, a Persian font) needs XeLaTeX."""
        return "xelatex" if is_rtl(self.lang) else "pdflatex"
