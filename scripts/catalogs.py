"""The message catalogs, through Babel (from the [test] extra): `make catalogs` runs this.

    python scripts/catalogs.py               extract, update the Persian catalog, compile it
    python scripts/catalogs.py --extract F   only extract, into F (tests/test_catalogs.py compares it)

Messages: {% trans %} in the templates (babel.cfg says how each format is
delimited) and _(), ngettext(), N_() (a constant marked for later) and
words() (a figure's words) in the Python. The Persian catalog is
hwsolve/locale/fa/LC_MESSAGES/hwsolve.po: `update` adds new messages empty
and marks changed ones fuzzy, and the tests fail until a translator has
filled them in; `compile` writes hwsolve.mo beside it, which is committed,
so hwsolve needs no Babel at run time.

One correction to what Babel writes: it flags every message holding `{word}`
as python-brace-format, so a LaTeX template message (`\\textbf{Summary:}`) is
flagged too, and msgfmt --check then refuses its translation
(`\\textbf{خلاصه:}`) as a bad format string. Template messages are %-format
(Jinja2's newstyle gettext), never brace-format: the flag is taken off every
message that only the templates use, in the template and in the catalog.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "hwsolve" / "locale"
POT = LOCALE / "hwsolve.pot"
LANGUAGES = ("fa",)
KEYWORDS = ("words", "N_")  # besides Babel's own (_, gettext, ngettext, ...)
WIDTH = 120
BRACE_FLAG = "python-brace-format"


def pybabel(*arguments: str) -> None:
    executable = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(executable), "-q", *arguments], check=True, cwd=ROOT)


def _version() -> str:
    """hwsolve's version, read from its source (this script runs before or without an install)."""
    text = (ROOT / "hwsolve" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__ = "([^"]+)"', text)
    return match.group(1) if match else "unknown"


def _read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def _write(path: Path, catalog: Catalog, template: bool) -> None:
    with path.open("wb") as file:
        write_po(file, catalog, width=WIDTH, no_location=True, omit_header=False, ignore_obsolete=not template)


def _template_only(catalog: Catalog) -> set[object]:
    """The ids of the messages every location of which is a template."""
    return {
        message.id
        for message in catalog
        if message.id and message.locations and all(path.startswith("templates/") for path, _ in message.locations)
    }


def _unflag(catalog: Catalog, ids: set[object]) -> Catalog:
    for message in catalog:
        if message.id in ids:
            message.flags.discard(BRACE_FLAG)
    return catalog


def extract(pot: Path) -> set[object]:
    """All messages into `pot` (no locations: line numbers would change the catalog at every edit); the ids
    of those only the templates use."""
    keywords = [argument for keyword in KEYWORDS for argument in ("-k", keyword)]
    with tempfile.TemporaryDirectory() as folder:
        located = Path(folder) / "located.pot"
        version = f"--version={_version()}"
        pybabel("extract", "-F", "babel.cfg", *keywords, "--project=hwsolve", version, "-o", str(located), ".")
        catalog = _read(located)
    templates = _template_only(catalog)
    _write(pot, _unflag(catalog, templates), template=True)
    return templates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extract", type=Path, metavar="POT", help="only extract the messages into POT")
    options = parser.parse_args()
    if options.extract is not None:
        extract(options.extract)
        return
    LOCALE.mkdir(parents=True, exist_ok=True)
    templates = extract(POT)
    for language in LANGUAGES:
        po = LOCALE / language / "LC_MESSAGES" / "hwsolve.po"
        command = "update" if po.exists() else "init"
        pybabel(command, "-i", str(POT), "-d", str(LOCALE), "-D", "hwsolve", "-l", language, f"--width={WIDTH}")
        _write(po, _unflag(_read(po), templates), template=False)
        pybabel("compile", "-d", str(LOCALE), "-D", "hwsolve", "-l", language, "--statistics")


if __name__ == "__main__":
    main()
