"""LaTeX -> PDF with latexmk, in the output folder: pdflatex for English, XeLaTeX for Persian.

The .log stays beside the PDF so a failed build can be read in full; the
error we raise shows only the failing lines (TeX's "!" lines with context).

A Persian document (xepersian, right to left) needs XeLaTeX, the xepersian
package and the Nazli font; each one missing is named in one line with the
Debian packages that bring it, as pdflatex's tools are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hwsolve.errors import HwsolveError

# The same list as scripts/install-system-packages.sh (less poppler-utils and gettext, which only the tests use).
DEBIAN_PACKAGES = (
    "texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
    "texlive-science lmodern latexmk"
)
PERSIAN_DEBIAN_PACKAGES = "texlive-xetex texlive-lang-arabic fonts-farsiweb"
ENGINES = ("pdflatex", "xelatex")
PERSIAN_FONT = "Nazli"  # fonts-farsiweb: the Persian PDF's (templates/tex/persian_preamble.tex.j2) and figures'

PERSIAN_STYLE = "xepersian.sty"
LATEX_TIMEOUT_SECONDS = 300
_CONTEXT_LINES_AFTER_ERROR = 4


class LatexMissingError(HwsolveError):
    """latexmk or pdflatex is not installed."""


class LatexBuildError(HwsolveError):
    """pdflatex stopped on an error; the message quotes the log."""


def missing_latex_tools(engine: str = "pdflatex") -> list[str]:
    """What the PDF lacks: the tools, and for XeLaTeX the xepersian package and the Persian font too."""
    missing = [tool for tool in ("latexmk", engine) if shutil.which(tool) is None]
    if engine == "xelatex":
        if not _kpsewhich(PERSIAN_STYLE):
            missing.append(PERSIAN_STYLE)
        if not _font_installed(PERSIAN_FONT):
            missing.append(f"the {PERSIAN_FONT} font")
    return missing


def latex_missing_message(missing: list[str], engine: str = "pdflatex") -> str:
    packages = DEBIAN_PACKAGES + (" " + PERSIAN_DEBIAN_PACKAGES if engine == "xelatex" else "")
    return (
        f"{' and '.join(missing)} not found; to build the PDF run scripts/install-system-packages.sh "
        f"or install the Debian packages: {packages}"
    )


def _kpsewhich(name: str) -> bool:
    """Whether TeX finds `name` (False without kpsewhich: then TeX is missing anyway)."""
    if shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    return bool(found.stdout.strip())


def _font_installed(family: str) -> bool:
    """Whether fontconfig (which XeLaTeX asks) knows the font family."""
    if shutil.which("fc-list") is None:
        return False
    command = ["fc-list", f":family={family}", "family"]
    found = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    return bool(found.stdout.strip())


def error_excerpt(log_text: str, context_after: int = _CONTEXT_LINES_AFTER_ERROR) -> str:
    """The "!" lines of a TeX log, each with the lines that locate it (l.NN ...)."""
    lines = log_text.splitlines()
    excerpts: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("!"):
            excerpts.append("\n".join(lines[index : index + 1 + context_after]).rstrip())
    return "\n".join(excerpts)


def build_pdf(tex_path: Path | str, engine: str = "pdflatex") -> Path:
    """Run latexmk with `engine` (pdflatex or xelatex) on `tex_path` in its folder; return the PDF's path.

    Raises LatexMissingError (one line naming the packages) or
    LatexBuildError (the failing lines of the log).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown LaTeX engine {engine!r}")
    tex_path = Path(tex_path).resolve()
    missing = missing_latex_tools(engine)
    if missing:
        raise LatexMissingError(latex_missing_message(missing, engine))
    # Build in a folder of its own and move the PDF into place only on success:
    # pdflatex truncates its output as soon as it starts, so a failed build
    # must never run where the last good report.pdf lies.
    build_dir = tex_path.parent / f".{tex_path.stem}-build"
    command = [
        "latexmk",
        "-pdf" if engine == "pdflatex" else "-xelatex",
        "-interaction=nonstopmode",
        "-halt-on-error",
        f"-outdir={build_dir.name}",
        tex_path.name,
    ]
    try:
        completed = subprocess.run(
            command,
            cwd=tex_path.parent,
            capture_output=True,
            text=True,
            timeout=LATEX_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise LatexBuildError(f"latexmk did not finish within {LATEX_TIMEOUT_SECONDS} s on {tex_path}") from None
    pdf_path = tex_path.with_suffix(".pdf")
    log_path = tex_path.with_suffix(".log")
    built_pdf = build_dir / pdf_path.name
    if (build_dir / log_path.name).exists():
        shutil.copyfile(build_dir / log_path.name, log_path)  # the log stays beside the PDF, as before
    if completed.returncode != 0 or not built_pdf.exists():
        # A failed run's .aux can hold what failed (a bad \bibcite); latexmk would read it first next time.
        shutil.rmtree(build_dir, ignore_errors=True)
        log_text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
        excerpt = error_excerpt(log_text) or (completed.stdout + completed.stderr)[-2000:].strip()
        kept = " (the previous PDF is kept)" if pdf_path.exists() else ""
        raise LatexBuildError(f"{engine} failed on {tex_path.name}{kept} (full log: {log_path}):\n{excerpt}")
    os.replace(built_pdf, pdf_path)
    return pdf_path
