"""The message catalogs: every sentence hwsolve writes is in them, and Persian translates every one.

- The messages extracted now from the templates and the Python (Babel, as
  `make catalogs` does) are all in the Persian catalog, none empty or fuzzy:
  a sentence added without its translation fails here.
- msgfmt --check (GNU gettext) accepts the catalog: placeholders and
  plural forms agree with the English.
- The compiled hwsolve.mo that hwsolve reads holds exactly the catalog's
  translations (it was compiled after the last edit).
- Every placeholder of a message is in its translation, and no translation
  adds one (a missing one would drop a number from the report).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "hwsolve" / "locale"
FA_PO = LOCALE / "fa" / "LC_MESSAGES" / "hwsolve.po"
FA_MO = LOCALE / "fa" / "LC_MESSAGES" / "hwsolve.mo"
# %(name)s and %% (templates), {name} (Python); a {word} right after a LaTeX command, ^ or _ is LaTeX.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)s|%%|(?<![A-Za-z\\^_}])\{[a-z_0-9]+\}")


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("catalogs") / "hwsolve.pot"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "catalogs.py"), "--extract", str(pot)], check=True)
    return _read(pot)


@pytest.fixture(scope="module")
def persian():
    return _read(FA_PO)


def _texts(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def test_every_message_is_translated_into_persian(extracted, persian):
    assert len(extracted) > 500  # the templates and the Python were found
    untranslated = []
    for message in extracted:
        if not message.id:
            continue
        translated = persian.get(message.id)
        if translated is None or translated.fuzzy or not all(_texts(translated)):
            untranslated.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not untranslated, f"{len(untranslated)} messages without a Persian translation, e.g. {untranslated[:5]}"


def test_the_catalog_holds_no_stale_messages(extracted, persian):
    current = {message.id for message in extracted}
    stale = [message.id for message in persian if message.id and message.id not in current]
    assert not stale, f"run `make catalogs`: {len(stale)} messages no longer in the sources, e.g. {stale[:3]}"


def test_translations_keep_every_placeholder(persian):
    wrong = []
    for message in persian:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        wanted = sorted(set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0])))
        for text in _texts(message):
            if text and sorted(set(PLACEHOLDER.findall(text))) != wanted:  # an empty one: the test above
                wrong.append((ids[0], text))
    assert not wrong, f"{len(wrong)} translations whose placeholders differ, e.g. {wrong[:3]}"


def test_translations_keep_the_line_breaks(persian):
    """A message on several lines is split by its template (a header over two table rows): the translation too."""
    wrong = [
        message.id
        for message in persian
        if message.id
        and isinstance(message.id, str)
        and any(text and text.count("\n") != message.id.count("\n") for text in _texts(message))
    ]
    assert not wrong, wrong[:5]


@pytest.mark.skipif(shutil.which("msgfmt") is None and not os.environ.get("CI"), reason="needs msgfmt (gettext)")
def test_msgfmt_check_accepts_the_catalog(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "check.mo"), str(FA_PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_compiled_catalog_is_the_catalog(persian):
    with FA_MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    differences = []
    for message in persian:
        if not message.id or message.fuzzy or not all(_texts(message)):
            continue
        if isinstance(message.id, str):
            if compiled.gettext(message.id) != message.string:
                differences.append(message.id)
        else:
            singular, plural = message.id
            if compiled.ngettext(singular, plural, 5) != message.string[1]:
                differences.append(singular)
    assert not differences, f"run `make catalogs` (hwsolve.mo is older than hwsolve.po): {differences[:3]}"
