"""The languages hwsolve writes in: gettext catalogs (made with Babel), the active language, and _().

Every sentence of a document (the report, the question fragments, the problem
sheets, the feedback) is a message in the catalog: the templates mark theirs
with Jinja2's ``{% trans %}``, the Python code that writes prose with ``_()``.
English is the source language and needs no catalog; Persian (fa) is
hwsolve/locale/fa/LC_MESSAGES/hwsolve.po, compiled to hwsolve.mo by
``make catalogs`` (pybabel extract, update, compile).

The active language is a context variable: the CLI activates the one
``--lang`` asks for before anything is solved, so the prose a solution builds
in Python is written in it; ``using(lang)`` sets it for a block.

Public API: ``LANGUAGES``, ``translations(lang)``, ``catalog_digest(lang)``, ``activate(lang)``,
``language()``, ``using(lang)``, ``gettext``/``_`` and ``ngettext``,
``N_`` (marks a message for extraction without translating it),
``is_rtl(lang)``.

A sentence kept in a module-level constant (or a dict of them) is marked
with ``N_`` where it is written and translated with ``_()`` where it is
used: the active language is only known then, never at import time.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fa")
RIGHT_TO_LEFT = frozenset({"fa"})
DOMAIN = "hwsolve"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_active: ContextVar[str] = ContextVar("hwsolve_language", default="en")


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose from {', '.join(LANGUAGES)}")
    return lang


@cache
def translations(lang: str) -> stdlib_gettext.NullTranslations:
    """The catalog of `lang`: English is the source text itself; another language's .mo must be installed."""
    check_language(lang)
    if lang == "en":
        return stdlib_gettext.NullTranslations()
    return stdlib_gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


@cache
def catalog_digest(lang: str) -> str:
    """A hash of `lang`'s compiled catalog ("" for English): what a cache of translated output must key on."""
    check_language(lang)
    if lang == "en":
        return ""
    import hashlib

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def activate(lang: str) -> None:
    """Write everything from here on in `lang`."""
    _active.set(check_language(lang))


def language() -> str:
    return _active.get()


@contextmanager
def using(lang: str) -> Iterator[None]:
    """`lang` for the block, the language before it afterwards."""
    token = _active.set(check_language(lang))
    try:
        yield
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    """`message` in the active language."""
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(_active.get()).ngettext(singular, plural, count)


_ = gettext


def N_(message: str) -> str:  # the name pybabel extracts by default, as xgettext does
    """Mark `message` for extraction into the catalog and return it unchanged.

    For module-level constants and dicts of sentences: translate them with
    ``_()`` where they are used, when the active language is known.
    """
    return message


def is_rtl(lang: str) -> bool:
    return lang in RIGHT_TO_LEFT
