"""Assemble the whole solution: solve every question, draw, audit, render.

Every number comes from the same solve functions the q1-q4 commands use,
called by each question's hook (QUESTIONS; the hooks and the Protocol they
follow are in hwsolve/render/questions/). A question whose solve function is
not installed, or that raises HwsolveError (e.g. no MNIST), gets a
placeholder line instead of a section and a warning. Real bugs are not
swallowed: any other error propagates.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from hwsolve import __version__
from hwsolve.audit.compare import Audit
from hwsolve.errors import DataNotFoundError, HwsolveError
from hwsolve.i18n import N_, _, is_rtl, using
from hwsolve.io import write_atomic
from hwsolve.render.environment import render_template, template_path
from hwsolve.render.options import ReportOptions
from hwsolve.render.questions.hook import QuestionHook, SolvedQuestion
from hwsolve.render.questions.q1 import Q1Hook
from hwsolve.render.questions.q2 import Q2Hook
from hwsolve.render.questions.q3 import Q3Hook
from hwsolve.render.questions.q4 import Q4Hook
from hwsolve.render.reproducibility import Reproducibility, reproducibility
from hwsolve.render.rtl_latex import rtl_latex_document
from hwsolve.render.rtl_markdown import rtl_markdown

__all__ = ["QUESTIONS", "QuestionSection", "Report", "build_report", "render_report", "write_report"]

# In English; the report says them in its own language (_() where they are used, as course_name() does).
COURSE = N_("Deep Learning")
HOMEWORK = 2
DEFAULT_TITLE = f"{COURSE} — Homework {HOMEWORK}"
AUDIT_HEADING = N_("Audit of the submitted solution")
ANSWERS_HEADING = N_("Answers at a glance")
REPRODUCIBILITY_HEADING = N_("Reproducibility")
FIGURE_FORMATS = {"md": "png", "tex": "pdf"}  # PNG for Markdown, vector PDF for LaTeX

QUESTIONS: tuple[QuestionHook, ...] = (Q1Hook(), Q2Hook(), Q3Hook(), Q4Hook())


@dataclass
class QuestionSection:
    number: int
    title: str  # used only by the placeholder; a fragment writes its own heading
    solved: SolvedQuestion | None = None
    placeholder: str = ""  # why there is no solution, one line
    figures: dict[str, Path] = field(default_factory=dict)  # name -> path without suffix
    captions: dict[str, str] = field(default_factory=dict)  # name -> caption, for figures the fragment leaves out


@dataclass
class Report:
    options: ReportOptions
    sections: list[QuestionSection]
    audit: Audit
    notices: list[str] = field(default_factory=list)  # shown under the title
    warnings: list[str] = field(default_factory=list)  # printed on stderr by the CLI


def is_installed(hook: QuestionHook) -> bool:
    """Whether the module of the hook's solve function exists (a question may not be written yet)."""
    module = hook.solver.rpartition(".")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing too
        return False


def placeholder_for(error: HwsolveError) -> str:
    """One line saying why the question is missing and what to do about it."""
    if isinstance(error, DataNotFoundError):
        return _(
            "not computed, because the MNIST data was not found. {error} "
            "Then rerun `hwsolve report` (for example `HWSOLVE_DATA=/path/to/mnist hwsolve report`)."
        ).format(error=error)
    return _("not computed: {error}").format(error=error)


def course_name() -> str:
    """The course's name in the active language."""
    return _(COURSE)


def default_title() -> str:
    """DEFAULT_TITLE in the active language."""
    return _("{course} — Homework {homework}").format(course=course_name(), homework=HOMEWORK)


def solve_all(options: ReportOptions, progress: Callable[[str], None] | None = None) -> list[QuestionSection]:
    sections = []
    for hook in QUESTIONS:
        section = QuestionSection(hook.number, hook.title)
        if not is_installed(hook):
            section.placeholder = _("not yet available ({solver} is not part of this installation).").format(
                solver=hook.solver
            )
        else:
            if progress is not None:
                progress(f"Q{hook.number}: {hook.title}...")
            try:
                section.solved = hook.solve(options)
            except HwsolveError as error:
                section.placeholder = placeholder_for(error)
        sections.append(section)
    return sections


def draw_figures(sections: list[QuestionSection], figures_dir: Path) -> list[str]:
    """Draw each available question's figures; return warnings for the ones that failed."""
    from hwsolve.render.figures import cache

    warnings = []
    for section in sections:
        if section.solved is None:
            continue
        for spec in section.solved.figures():
            base = figures_dir / spec.name
            key = cache.figure_key(spec.name, section.solved.solution)
            try:
                if not cache.is_current(base, key):  # raises when a folder stands where the figure goes
                    spec.draw(base)
                    cache.record(base, key)
            except HwsolveError as error:
                warnings.append(f"figure {spec.name} skipped: {error}")
                continue
            section.figures[spec.name] = base
            section.captions[spec.name] = spec.caption
    return warnings


def notices(sections: list[QuestionSection], options: ReportOptions) -> list[str]:
    """Lines shown under the title: anything that makes this report less than the full one."""
    lines = [line for hook in QUESTIONS for line in hook.option_notices(options)]
    for section in sections:
        if section.solved is not None:
            lines.extend(section.solved.notices())
    missing = [_("Question {number}").format(number=section.number) for section in sections if section.solved is None]
    if missing:
        lines.append(
            _("Not in this report: {questions} (see each section for why).").format(questions=_(", ").join(missing))
        )
    return lines


def build_report(options: ReportOptions, progress: Callable[[str], None] | None = None) -> Report:
    """Solve, draw and audit, in the options' language; nothing is written except the figures (and the
    questions' own caches)."""
    with using(options.lang):
        return _build_report(options, progress)


def _build_report(options: ReportOptions, progress: Callable[[str], None] | None) -> Report:
    from hwsolve.audit.from_solutions import build_audit

    sections = solve_all(options, progress)
    warnings = draw_figures(sections, options.figures_dir)
    warnings += [
        f"Q{section.number} is not in the report: {section.placeholder}"
        for section in sections
        if section.solved is None
    ]
    audit = build_audit({section.number: section.solved.solution for section in sections if section.solved})
    return Report(options, sections, audit, notices(sections, options), warnings)


def _figure_paths(section: QuestionSection, fmt: str, out_dir: Path) -> dict[str, str]:
    """Figure paths relative to the report, e.g. figures/q3_network.png."""
    suffix = FIGURE_FORMATS[fmt]
    return {
        name: base.with_suffix(f".{suffix}").relative_to(out_dir).as_posix() for name, base in section.figures.items()
    }


def _section_context(
    solved: SolvedQuestion, section: QuestionSection, fmt: str, options: ReportOptions
) -> dict[str, object]:
    """The template context of a question's fragment, shared by its final-answer template."""
    return {
        "digits": options.digits,
        "figures": _figure_paths(section, fmt, options.out_dir),
        **solved.template_context(),
    }


def answer_template_name(number: int) -> str:
    return f"q{number}_answer"


def render_answer(section: QuestionSection, fmt: str, options: ReportOptions) -> str | None:
    """The question's final answers alone (templates/<fmt>/qN_answer), or None.

    None when the question is not available or its answer template is not
    written (yet); the front page then points to the section instead. A
    template that the answer template itself includes and that is missing
    is a bug, not a missing answer, and raises.
    """
    if section.solved is None:
        return None
    name = answer_template_name(section.number)
    try:
        return render_template(fmt, name, **_section_context(section.solved, section, fmt, options))
    except jinja2.TemplateNotFound as error:
        if error.name != template_path(fmt, name):
            raise
        return None


def render_section(section: QuestionSection, fmt: str, options: ReportOptions) -> str | None:
    """The question's fragment rendered, or None when it is missing (placeholder)."""
    if section.solved is None:
        return None
    paths = _figure_paths(section, fmt, options.out_dir)
    try:
        body = render_template(fmt, f"q{section.number}", **_section_context(section.solved, section, fmt, options))
    except jinja2.TemplateNotFound:
        section.placeholder = _(
            "the solution is computed but its {format} fragment (templates/{format}/q{number}) is not yet available."
        ).format(format=fmt, number=section.number)
        return None
    return body + _unplaced_figures(section, fmt, paths, body)


def _unplaced_figures(section: QuestionSection, fmt: str, paths: dict[str, str], body: str) -> str:
    """Figures the fragment did not place itself, appended at the end of its section.

    Every drawn figure appears once: fragments that know a figure place it
    where it belongs; the rest follow the section with their caption.
    """
    missing = [name for name, path in paths.items() if path not in body]
    if not missing:
        return ""
    return "\n" + render_template(
        fmt, "figures", figures=[{"path": paths[name], "caption": section.captions.get(name, name)} for name in missing]
    )


def render_report(report: Report, fmt: str) -> str:
    """The whole document as Markdown ('md') or LaTeX ('tex'): title, answers at a glance, contents, details."""
    options = report.options
    safe: Callable[[str], str] = Markup if fmt == "tex" else str
    rendered = []
    for section in report.sections:
        body = render_section(section, fmt, options)  # first: it may set the placeholder
        answer = render_answer(section, fmt, options)
        title = _(section.title)  # the hooks' titles are marked with N_
        heading = _first_heading(body, fmt) or _("Question {number} — {title}").format(
            number=section.number, title=title
        )
        label = section_label(section.number)
        rendered.append(
            {
                "number": section.number,
                "title": title,
                "heading": heading,
                "anchor": github_anchor(heading),
                "label": label,
                "body": safe(_labelled(body, label)) if (body is not None and fmt == "tex") else body,
                "answer": safe(answer.strip()) if answer is not None and answer.strip() else None,
                "placeholder": section.placeholder,
            }
        )
    audit_body = render_template(fmt, "audit", audit=report.audit, digits=options.digits)
    audit_heading, answers_heading = _(AUDIT_HEADING), _(ANSWERS_HEADING)
    reproducibility_heading = _(REPRODUCIBILITY_HEADING)
    return render_template(
        fmt,
        "report",
        title=options.title or default_title(),
        default_title=default_title(),
        course=course_name(),
        homework=HOMEWORK,
        version=__version__,
        notices=report.notices,
        sections=rendered,
        audit_body=safe(audit_body),
        audit_heading=audit_heading,
        audit_anchor=github_anchor(audit_heading),
        answers_heading=answers_heading,
        answers_anchor=github_anchor(answers_heading),
        reproducibility=_reproducibility(report, __version__),
        reproducibility_heading=reproducibility_heading,
        reproducibility_anchor=github_anchor(reproducibility_heading),
        digits=options.digits,
    )


def _reproducibility(report: Report, version: str) -> Reproducibility:
    solved = [(section.number, section.solved) for section in report.sections if section.solved is not None]
    return reproducibility(solved, report.options, version)


def section_label(number: int) -> str:
    """The LaTeX label of question N's section, for the answers page's page references."""
    return f"question-{number}"


def _labelled(body: str, label: str) -> str:
    """The fragment with \\label{label} right after its first \\section (a fragment writes its own heading).

    Placed after the heading, so \\pageref gives the page the section starts on.
    """
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if line.lstrip().startswith("\\section"):
            lines.insert(index + 1, f"\\label{{{label}}}")
            return "\n".join(lines)
    return f"\\phantomsection\\label{{{label}}}\n{body}"


def _first_heading(body: str | None, fmt: str) -> str | None:
    """The fragment's own level-2 heading (Markdown only), for the contents list."""
    if body is None or fmt != "md":
        return None
    for line in body.splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return None


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(char for char in heading.lower() if char.isalnum() or char in " -_")
    return kept.replace(" ", "-")


def write_report(report: Report, fmt: str) -> Path:
    """Write build/report.md or build/report.tex (report.fa.* in Persian), atomically, and return its path.

    A right-to-left document is marked for its directions here, once, after rendering: the Markdown wrapped
    in dir="rtl" (hwsolve.render.rtl_markdown), the LaTeX's Latin runs and tables left to right (rtl_latex).
    """
    options = report.options
    path = options.out_dir / f"{options.stem}.{fmt}"
    with using(options.lang):
        text = render_report(report, fmt)
    if is_rtl(options.lang):
        text = rtl_markdown(text) if fmt == "md" else rtl_latex_document(text)
    write_atomic(path, text)
    return path
