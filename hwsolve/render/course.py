"""The course tool's documents: each student's problem sheet, the printable PDF of all of them, the feedback and
the class summary, from the Jinja2 templates.

Public API: ``problem_markdown(variant)``, ``problems_latex(variants)``,
``build_problems_pdf(folder, variants)`` -> the PDF's path, or the one line
that says why it was skipped; ``feedback_markdown(grade, key, options)``,
``feedback_text(grade, key, options, reveal)``, ``summary_markdown(grades,
rejected, options)``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from hwsolve.course.grades import MISSING, UNEXPLAINED, AnswerGrade, RejectedSheet, StudentGrade
from hwsolve.course.grading import GradingOptions
from hwsolve.course.keys import Key
from hwsolve.course.misconceptions import MISCONCEPTIONS
from hwsolve.course.variant import Variant
from hwsolve.i18n import is_rtl, language
from hwsolve.io import remove_folder_temporaries, write_atomic
from hwsolve.render.environment import render_template
from hwsolve.render.pdf import LatexBuildError, build_pdf, latex_missing_message, missing_latex_tools
from hwsolve.render.rtl_latex import rtl_latex_document
from hwsolve.render.rtl_markdown import rtl_markdown

DIGITS = 6
PROBLEMS_TEX = "problems.tex"


def _directed(markdown: str) -> str:
    """A Markdown document in a right-to-left language wrapped right to left (hwsolve.render.rtl_markdown)."""
    return rtl_markdown(markdown) if is_rtl(language()) else markdown


def latex_engine() -> str:
    """pdflatex for English; a right-to-left document (xepersian) needs XeLaTeX."""
    return "xelatex" if is_rtl(language()) else "pdflatex"


def problem_markdown(variant: Variant) -> str:
    return _directed(render_template("md", "variant_problem", variant=variant, digits=DIGITS))


def problems_latex(variants: Sequence[Variant]) -> str:
    text = render_template("tex", "variant_problems", variants=variants, digits=DIGITS)
    return rtl_latex_document(text) if is_rtl(language()) else text


def build_problems_pdf(folder: Path, variants: Sequence[Variant]) -> tuple[Path | None, str]:
    """DIR/problems.pdf, a page per student, in one LaTeX run; (None, one line) where it cannot be built.

    The PDF is rebuilt only when problems.tex changes, and is byte-identical for the same .tex (no date or
    random id in it), so a rerun leaves it as it was.
    """
    engine = latex_engine()
    missing = missing_latex_tools(engine)
    if missing:
        return None, f"problems.pdf skipped: {latex_missing_message(missing, engine)}"
    latin = [variant.student for variant in variants if not variant.student.isascii()]
    if latin and engine == "pdflatex":
        return None, f"problems.pdf skipped: pdflatex cannot set the id {latin[0]!r}; use --lang fa, or ASCII ids"
    text = problems_latex(variants)
    tex, pdf = folder / PROBLEMS_TEX, folder / "problems.pdf"
    if pdf.is_file() and tex.is_file() and tex.read_text(encoding="utf-8") == text:
        return pdf, ""
    write_atomic(tex, text)
    try:
        return build_pdf(tex, engine=engine), ""
    except LatexBuildError:
        return None, f"problems.pdf failed: {engine} stopped; see {folder / 'problems.log'}"


def _mistakes(grade: StudentGrade) -> list[tuple[str, list[AnswerGrade]]]:
    """The wrong answers grouped by diagnosis, the groups sorted by it; "" groups those carried forward without one."""
    groups: dict[str, list[AnswerGrade]] = {}
    for answer in grade.answers:
        if not answer.correct:
            groups.setdefault(answer.diagnosis or "", []).append(answer)
    return sorted(groups.items())


def feedback_markdown(grade: StudentGrade, key: Key, options: GradingOptions) -> str:
    return _directed(
        render_template(
            "md",
            "feedback",
            grade=grade,
            key=key,
            mistakes=_mistakes(grade),
            tolerance_spec=options.tolerance.spec,
            ecf=options.ecf,
            digits=DIGITS,
        )
    )


def feedback_text(grade: StudentGrade, key: Key, options: GradingOptions, reveal: bool) -> str:
    return render_template(
        "text",
        "feedback",
        grade=grade,
        key=key,
        tolerance_spec=options.tolerance.spec,
        ecf=options.ecf,
        reveal=reveal,
        digits=DIGITS,
    )


def _class_counts(grades: Sequence[StudentGrade]) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str]]:
    """Per answer path: how many students each diagnosis explains, how many were right, how many carried forward."""
    counts: dict[str, Counter[str]] = {}
    right: Counter[str] = Counter()
    carried: Counter[str] = Counter()
    for grade in grades:
        for answer in grade.answers:
            by_id = counts.setdefault(answer.path, Counter())
            right[answer.path] += answer.correct
            carried[answer.path] += answer.ecf
            if answer.diagnosis is not None:
                by_id[answer.diagnosis] += 1
    return counts, right, carried


def summary_markdown(
    grades: Sequence[StudentGrade],
    rejected: Sequence[RejectedSheet],
    options: GradingOptions,
    absent: Sequence[str] = (),
) -> str:
    counts, right, carried = _class_counts(grades)
    seen = {name for by_id in counts.values() for name in by_id}
    ids = [name for name in (*MISCONCEPTIONS, UNEXPLAINED, MISSING) if name in seen]
    mean = sum(grade.total for grade in grades) / len(grades) if grades else 0.0
    return _directed(
        render_template(
            "md",
            "grading_summary",
            grades=grades,
            rejected=rejected,
            absent=absent,
            ids=ids,
            counts=counts,
            right=right,
            carried=carried,
            mean_total=mean,
            tolerance_spec=options.tolerance.spec,
            digits=DIGITS,
        )
    )


def write_feedback(
    folder: Path, grades: Sequence[StudentGrade], keys: Mapping[str, Key], options: GradingOptions
) -> None:
    """feedback/<id>.md for every student; one scan for interrupted writes, not one per file."""
    remove_folder_temporaries(folder)
    for grade in grades:
        text = feedback_markdown(grade, keys[grade.student], options)
        write_atomic(folder / f"{grade.student}.md", text, clean=False)
