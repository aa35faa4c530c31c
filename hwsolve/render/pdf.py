"""LaTeX -> PDF with latexmk and pdflatex, in the output folder.

The .log stays beside the PDF so a failed build can be read in full; the
error we raise shows only the failing lines (TeX's "!" lines with context).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hwsolve.errors import HwsolveError

# The same list as scripts/install-system-packages.sh (less poppler-utils, which only the tests use).
DEBIAN_PACKAGES = (
    "texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
    "texlive-science lmodern latexmk"
)
LATEX_TIMEOUT_SECONDS = 300
_CONTEXT_LINES_AFTER_ERROR = 4


class LatexMissingError(HwsolveError):
    """latexmk or pdflatex is not installed."""


class LatexBuildError(HwsolveError):
    """pdflatex stopped on an error; the message quotes the log."""


def missing_latex_tools() -> list[str]:
    return [tool for tool in ("latexmk", "pdflatex") if shutil.which(tool) is None]


def latex_missing_message(missing: list[str]) -> str:
    return (
        f"{' and '.join(missing)} not found; to build the PDF run scripts/install-system-packages.sh "
        f"or install the Debian packages: {DEBIAN_PACKAGES}"
    )


def error_excerpt(log_text: str, context_after: int = _CONTEXT_LINES_AFTER_ERROR) -> str:
    """The "!" lines of a TeX log, each with the lines that locate it (l.NN ...)."""
    lines = log_text.splitlines()
    excerpts: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("!"):
            excerpts.append("\n".join(lines[index : index + 1 + context_after]).rstrip())
    return "\n".join(excerpts)


def build_pdf(tex_path: Path | str) -> Path:
    """Run latexmk on `tex_path` in its folder; return the PDF's path.

    Raises LatexMissingError (one line naming the packages) or
    LatexBuildError (the failing lines of the log).
    """
    tex_path = Path(tex_path).resolve()
    missing = missing_latex_tools()
    if missing:
        raise LatexMissingError(latex_missing_message(missing))
    # Build in a folder of its own and move the PDF into place only on success:
    # pdflatex truncates its output as soon as it starts, so a failed build
    # must never run where the last good report.pdf lies.
    build_dir = tex_path.parent / f".{tex_path.stem}-build"
    command = [
        "latexmk",
        "-pdf",
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
        log_text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
        excerpt = error_excerpt(log_text) or (completed.stdout + completed.stderr)[-2000:].strip()
        kept = " (the previous PDF is kept)" if pdf_path.exists() else ""
        raise LatexBuildError(f"pdflatex failed on {tex_path.name}{kept} (full log: {log_path}):\n{excerpt}")
    os.replace(built_pdf, pdf_path)
    return pdf_path
