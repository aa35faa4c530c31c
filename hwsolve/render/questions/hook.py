"""What the report asks of each question, as two Protocols.

A QuestionHook (one per question, in hwsolve/render/questions/qN.py) solves
its question the way the question's own command does; the SolvedQuestion it
returns gives the report everything it shows of that question: the template
context of the question's fragment (templates/<fmt>/qN) and final answer
(qN_answer), its figures, the notices under the title and the facts and
notes of the closing reproducibility section. report.py knows nothing else
about any question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hwsolve.i18n import _, ngettext
from hwsolve.render.options import ReportOptions


@dataclass(frozen=True)
class FigureSpec:
    name: str  # figures.<name> in the templates; files figures/<name>.png and .pdf
    draw: Callable[[Path], object]  # draws the solved question's figure at <base>.png and <base>.pdf
    caption: str  # used when the question's fragment does not place the figure itself (in the active language)


class SolvedQuestion(Protocol):
    """A question's solution together with what the report shows of it."""

    @property
    def solution(self) -> object:
        """What the audit compares and the figure cache keys on (the question's Solution)."""
        ...

    def template_context(self) -> dict[str, object]:
        """The context of the question's fragment and final answer, besides `digits` and `figures`."""
        ...

    def figures(self) -> list[FigureSpec]: ...

    def notices(self) -> list[str]:
        """Lines under the report's title: what makes this question's answer less than the full one."""
        ...

    def seed_facts(self) -> list[str]:
        """One sentence per seeded run with its seeds, epochs and data; none for an unseeded question."""
        ...

    def reproducibility_notes(self) -> list[str]:
        """What the numbers depended on besides the seeds (the machine, reused results)."""
        ...


class QuestionHook(Protocol):
    """How the report solves one question."""

    number: int
    title: str  # used only by the placeholder (in English, marked with N_: the report translates it)
    solver: str  # the solve function, e.g. hwsolve.solutions.q1.solve_q1: named while it is not installed

    def solve(self, options: ReportOptions) -> SolvedQuestion:
        """Solve as the question's command does by default; HwsolveError (e.g. no MNIST) makes a placeholder."""
        ...

    def option_notices(self, options: ReportOptions) -> list[str]:
        """Lines under the title that the options alone call for, solved or not (Q4: a shortened sweep)."""
        ...


def seed_fact(where: str, seeds: Sequence[int], epochs: int | None = None, limit_train: int | None = None) -> str:
    """E.g. 'Question 4, homework mode: seeds 0, 1, 2; 30 epochs configured.', in the active language.

    `where` is already in it (e.g. _("Question {number}")); one whole sentence per combination of the optional parts.
    """
    count = len(seeds)
    if epochs is not None and limit_train:
        text = ngettext(
            "{where}: seed {seeds}; {epochs} epochs configured; the first {images} training images.",
            "{where}: seeds {seeds}; {epochs} epochs configured; the first {images} training images.",
            count,
        )
    elif epochs is not None:
        text = ngettext(
            "{where}: seed {seeds}; {epochs} epochs configured.",
            "{where}: seeds {seeds}; {epochs} epochs configured.",
            count,
        )
    elif limit_train:
        text = ngettext(
            "{where}: seed {seeds}; the first {images} training images.",
            "{where}: seeds {seeds}; the first {images} training images.",
            count,
        )
    else:
        text = ngettext("{where}: seed {seeds}.", "{where}: seeds {seeds}.", count)
    return text.format(where=where, seeds=_(", ").join(map(str, seeds)), epochs=epochs, images=f"{limit_train or 0:,}")


def question_words(number: int) -> str:
    """'Question 1' in the active language."""
    return _("Question {number}").format(number=number)
