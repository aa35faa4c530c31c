"""Assemble the whole solution: solve every question, draw, audit, render.

Every number comes from the same solve functions the q1-q4 commands use.
A question whose module is not there yet (or whose data is missing) gets a
placeholder line instead of a section; the report never crashes for that.
Real bugs are not swallowed: only a missing module/fragment and HwsolveError
(e.g. no MNIST) turn into placeholders.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from hwsolve import __version__
from hwsolve.audit.compare import RELATIVE_TOLERANCE, Audit
from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist.progress import ProgressFactory
from hwsolve.io import write_atomic
from hwsolve.numbers import DEFAULT_DIGITS
from hwsolve.render.environment import render_template, template_path

COURSE = "Deep Learning"
HOMEWORK = 2
DEFAULT_TITLE = f"{COURSE} — Homework {HOMEWORK}"
NOT_YET_AVAILABLE = "not yet available"
AUDIT_HEADING = "Audit of the submitted solution"
ANSWERS_HEADING = "Answers at a glance"
REPRODUCIBILITY_HEADING = "Reproducibility"
FIGURE_FORMATS = {"md": "png", "tex": "pdf"}  # PNG for Markdown, vector PDF for LaTeX


@dataclass(frozen=True)
class ReportOptions:
    out_dir: Path = Path("build")
    title: str | None = None
    digits: int = DEFAULT_DIGITS
    epochs: int | None = None  # Q4 epochs when the sweep has to run; None: the Q4 default
    quick: bool = False  # Q4: a 3-epoch sweep, stated in the report
    data_dir: Path | None = None
    seed: int = 0
    sweep_progress: ProgressFactory | None = None  # draws the Q4 sweeps' progress bar (the CLI passes click's)


@dataclass
class QuestionSection:
    number: int
    title: str  # used only by the placeholder; a fragment writes its own heading
    solution: Any = None
    placeholder: str = ""  # why there is no solution, one line
    figures: dict[str, Path] = field(default_factory=dict)  # name -> path without suffix
    captions: dict[str, str] = field(default_factory=dict)  # name -> caption, for figures the fragment leaves out
    extra: dict[str, Any] = field(default_factory=dict)  # further template context
    failure: str = ""  # set when the question's own code raised an unexpected error

    @property
    def available(self) -> bool:
        return self.solution is not None


@dataclass
class Report:
    options: ReportOptions
    sections: list[QuestionSection]
    audit: Audit
    notices: list[str] = field(default_factory=list)  # shown under the title
    warnings: list[str] = field(default_factory=list)  # printed on stderr by the CLI
    failures: list[str] = field(default_factory=list)  # questions whose code crashed: the CLI exits 1


@dataclass(frozen=True)
class QuestionSpec:
    number: int
    title: str
    module: str
    function: str


QUESTIONS = (
    QuestionSpec(1, "Multilayer perceptrons", "hwsolve.solutions.q1", "solve_q1"),
    QuestionSpec(2, "True or false on regularisation", "hwsolve.solutions.q2", "solve_q2"),
    QuestionSpec(3, "One step of backpropagation by hand", "hwsolve.solutions.q3", "solve_q3"),
    QuestionSpec(4, "The MNIST sweep", "hwsolve.solutions.q4", "solve_q4"),
)


def load_solver(spec: QuestionSpec) -> Callable[..., Any] | None:
    """The question's solve function, or None while its module is not written yet."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as error:
        if error.name == spec.module:
            return None
        raise
    return getattr(module, spec.function, None)


def solve_all(options: ReportOptions, progress: Callable[[str], None] | None = None) -> list[QuestionSection]:
    from hwsolve.render import report_questions

    sections = []
    for spec in QUESTIONS:
        section = QuestionSection(spec.number, spec.title)
        solver = load_solver(spec)
        if progress is not None and solver is not None:
            progress(f"Q{spec.number}: {spec.title}...")
        if solver is None:
            section.placeholder = (
                f"{NOT_YET_AVAILABLE} ({spec.module}.{spec.function} is not part of this installation)."
            )
        else:
            try:
                section.solution = report_questions.solve(spec.number, solver, options)
            except HwsolveError as error:
                section.placeholder = report_questions.placeholder_for(spec.number, error)
            except Exception as error:  # noqa: BLE001 - a bug in one question must not cost the others
                section.failure = _describe_failure(error)
                section.placeholder = (
                    f"failed with an internal error ({section.failure}); the rest of the report is complete."
                )
        sections.append(section)
    return sections


def _describe_failure(error: Exception) -> str:
    """Type, message and the innermost hwsolve frame: enough to file a bug, no traceback."""
    import traceback

    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "hwsolve" in frame.filename]
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def draw_figures(sections: list[QuestionSection], figures_dir: Path) -> list[str]:
    """Draw each available question's figures; return warnings for the ones that failed."""
    from hwsolve.render import report_questions
    from hwsolve.render.figures import cache

    warnings = []
    for section in sections:
        if not section.available:
            continue
        for spec in report_questions.figure_drawers(section.number, section.solution):
            base = figures_dir / spec.name
            key = cache.figure_key(spec.name, section.solution)
            try:
                if not cache.is_current(base, key):  # raises when a folder stands where the figure goes
                    spec.draw(section.solution, base)
                    cache.record(base, key)
            except HwsolveError as error:
                warnings.append(f"figure {spec.name} skipped: {error}")
                continue
            section.figures[spec.name] = base
            section.captions[spec.name] = spec.caption
    return warnings


def build_report(options: ReportOptions, progress: Callable[[str], None] | None = None) -> Report:
    """Solve, draw and audit; nothing is written except the figures (and the questions' own caches)."""
    from hwsolve.audit.from_solutions import build_audit
    from hwsolve.render import report_questions

    sections = solve_all(options, progress)
    warnings = draw_figures(sections, options.out_dir / "figures")
    notices = report_questions.notices(sections, options)
    for section in sections:
        if not section.available and section.number == 4 and not section.failure:
            warnings.append(f"Q4 is not in the report: {section.placeholder}")
    audit = build_audit({section.number: section.solution for section in sections if section.available})
    failures = [f"Q{section.number} failed: {section.failure}" for section in sections if section.failure]
    return Report(options, sections, audit, notices, warnings, failures)


def _figure_paths(section: QuestionSection, fmt: str, out_dir: Path) -> dict[str, str]:
    """Figure paths relative to the report, e.g. figures/q3_network.png."""
    suffix = FIGURE_FORMATS[fmt]
    return {
        name: base.with_suffix(f".{suffix}").relative_to(out_dir).as_posix() for name, base in section.figures.items()
    }


def _section_context(section: QuestionSection, fmt: str, options: ReportOptions) -> dict[str, Any]:
    """The template context of a question's fragment, shared by its final-answer template."""
    # A solution may supply its own template context (Q4 passes one mode as
    # `solution` plus both modes).
    own_context = (
        section.solution.template_context()
        if hasattr(section.solution, "template_context")
        else {"solution": section.solution}
    )
    return {
        "digits": options.digits,
        "figures": _figure_paths(section, fmt, options.out_dir),
        **own_context,
        **section.extra,
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
    if not section.available:
        return None
    name = answer_template_name(section.number)
    try:
        return render_template(fmt, name, **_section_context(section, fmt, options))
    except jinja2.TemplateNotFound as error:
        if error.name != template_path(fmt, name):
            raise
        return None


def render_section(section: QuestionSection, fmt: str, options: ReportOptions) -> str | None:
    """The question's fragment rendered, or None when it is missing (placeholder)."""
    if not section.available:
        return None
    # Report-level supplements (e.g. Q4's both modes) are rendered after the question's fragment.
    context = _section_context(section, fmt, options)
    try:
        body = render_template(fmt, f"q{section.number}", **context)
    except jinja2.TemplateNotFound:
        section.placeholder = f"the solution is computed but its {fmt} fragment (templates/{fmt}/q{section.number}) is {NOT_YET_AVAILABLE}."
        return None
    for supplement in getattr(section.solution, "report_supplements", ()):
        body = body.rstrip("\n") + "\n\n" + render_template(fmt, supplement, **context)
    return body + _unplaced_figures(section, fmt, context["figures"], body)


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
    from hwsolve.render.report_questions import reproducibility

    options = report.options
    safe = Markup if fmt == "tex" else (lambda text: text)
    rendered = []
    for section in report.sections:
        body = render_section(section, fmt, options)  # first: it may set the placeholder
        answer = render_answer(section, fmt, options)
        heading = _first_heading(body, fmt) or f"Question {section.number} — {section.title}"
        label = section_label(section.number)
        rendered.append(
            {
                "number": section.number,
                "title": section.title,
                "heading": heading,
                "anchor": github_anchor(heading),
                "label": label,
                "body": safe(_labelled(body, label)) if (body is not None and fmt == "tex") else body,
                "answer": safe(answer.strip()) if answer is not None and answer.strip() else None,
                "placeholder": section.placeholder,
            }
        )
    audit_body = render_template(
        fmt, "audit", audit=report.audit, digits=options.digits, relative_tolerance=RELATIVE_TOLERANCE
    )
    return render_template(
        fmt,
        "report",
        title=options.title or DEFAULT_TITLE,
        default_title=DEFAULT_TITLE,
        course=COURSE,
        homework=HOMEWORK,
        version=__version__,
        generated="",
        notices=report.notices,
        sections=rendered,
        audit_body=safe(audit_body),
        audit_heading=AUDIT_HEADING,
        audit_anchor=github_anchor(AUDIT_HEADING),
        answers_heading=ANSWERS_HEADING,
        answers_anchor=github_anchor(ANSWERS_HEADING),
        reproducibility=reproducibility(report.sections, options, __version__),
        reproducibility_heading=REPRODUCIBILITY_HEADING,
        reproducibility_anchor=github_anchor(REPRODUCIBILITY_HEADING),
        digits=options.digits,
    )


def section_label(number: int) -> str:
    """The LaTeX label of question N's section, for the answers page's page references."""
    return f"question-{number}"


def _labelled(body: str | None, label: str) -> str | None:
    """The fragment with \\label{label} right after its first \\section (a fragment writes its own heading).

    Placed after the heading, so \\pageref gives the page the section starts on.
    """
    if body is None:
        return None
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
    """Write build/report.md or build/report.tex (atomically) and return its path."""
    path = report.options.out_dir / f"report.{fmt}"
    write_atomic(path, render_report(report, fmt))
    return path
