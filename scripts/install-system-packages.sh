#!/usr/bin/env bash
# Installs the Debian packages that build the PDF report and that the tests
# read it with: pdflatex and latexmk, the LaTeX packages the templates use
# (siunitx comes with texlive-science), Latin Modern, and pdftotext; for the
# Persian report (--lang fa) XeLaTeX, xepersian (texlive-lang-arabic) and the
# Nazli font (fonts-farsiweb); and msgfmt (gettext), which checks the catalogs.
#
# Called by `make run` and by .ci/run (with STRICT_INSTALL=1, so that a
# failed apt-get fails CI). It does nothing when every tool is
# already there. Without apt-get, or without root and without sudo, it says
# so in one line and exits 0: `hwsolve report` then still writes report.md,
# report.tex and the figures, and says the PDF was skipped.
set -euo pipefail

PACKAGES=(texlive-latex-base texlive-latex-recommended texlive-latex-extra
          texlive-fonts-recommended texlive-science lmodern latexmk poppler-utils
          texlive-xetex texlive-lang-arabic fonts-farsiweb gettext)
TOOLS=(pdflatex xelatex latexmk pdftotext kpsewhich msgfmt fc-list)
# One LaTeX package from each Debian package whose tools alone don't show it.
STYLES=(siunitx.sty tcolorbox.sty lmodern.sty xepersian.sty)
FONTS=(Nazli)

have_everything() {
    for tool in "${TOOLS[@]}"; do command -v "$tool" >/dev/null || return 1; done
    for style in "${STYLES[@]}"; do [ -n "$(kpsewhich "$style" 2>/dev/null)" ] || return 1; done
    for font in "${FONTS[@]}"; do [ -n "$(fc-list "$font" 2>/dev/null)" ] || return 1; done
}

if have_everything; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install-system-packages: not root and no password-less sudo; skipping (the PDF needs: ${PACKAGES[*]})" >&2
    exit "${STRICT_INSTALL:-0}"
fi
if ! command -v apt-get >/dev/null; then
    echo "install-system-packages: no apt-get on this machine; skipping (the PDF needs the Debian packages: ${PACKAGES[*]})" >&2
    exit "${STRICT_INSTALL:-0}"
fi

echo "install-system-packages: installing ${PACKAGES[*]} (about a minute, once)" >&2
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: texlive-latex-extra recommends a Java runtime and
# more that the report never uses.
if ! { "${SUDO[@]}" apt-get update -qq && \
       "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }; then
    # No registry, a held lock, a full disk: the report is still written without the PDF.
    echo "install-system-packages: apt-get failed; skipping (the PDF needs: ${PACKAGES[*]})" >&2
    exit "${STRICT_INSTALL:-0}"
fi
