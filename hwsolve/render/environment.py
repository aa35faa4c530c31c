"""Jinja2 environments for the three text formats.

- text and md use the usual {{ }} / {% %} delimiters;
- tex uses \\VAR{...}, \\BLOCK{...} and \\#{...} so templates never clash with
  TeX braces or percent signs, and escapes every plain string it inserts
  (SymPy LaTeX is passed in as Markup and is left alone).
All three are StrictUndefined: a typo in a template is an error, not a blank.

Templates live in the top-level templates/ folder, shipped as the package
`hwsolve.templates`: templates/<fmt>/<name>.<ext>.j2.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

import jinja2
from markupsafe import Markup

from hwsolve.i18n import gettext, language, translations
from hwsolve.numbers import DEFAULT_DIGITS, format_fixed, format_number, format_number_latex, format_percent
from hwsolve.render.latex_escape import escape_latex

FORMAT_EXTENSIONS = {"text": "txt", "md": "md", "tex": "tex"}


def _loader() -> jinja2.BaseLoader:
    # hwsolve.templates is the top-level templates/ folder (see pyproject);
    # its __path__ works for both wheel and editable installs.
    import hwsolve.templates

    return jinja2.FileSystemLoader(list(hwsolve.templates.__path__))


def _tex_finalize(value: object) -> str:
    if isinstance(value, Markup):
        return value
    if isinstance(value, float):
        return format_number(value)
    return escape_latex(value)


def _tex_code_spans(value: object) -> Markup:
    """A plain sentence whose `backticked` parts are code: escaped, with those parts in \\texttt.

    Lets one string (a notice, a reproducibility note) be written once, with
    Markdown's backticks, and shown in monospace in both formats.
    """
    parts = str(value).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans, show it as it is
        return Markup(escape_latex(str(value)))
    return Markup(
        "".join(escape_latex(part) if index % 2 == 0 else _tex_texttt(part) for index, part in enumerate(parts))
    )


def _tex_texttt(value: object) -> Markup:
    """Code in monospace, escaped; -{}- keeps `--out` from becoming an en dash (a ligature of T1 typewriter fonts)."""
    return Markup(f"\\texttt{{{escape_latex(str(value)).replace('--', '-{}-')}}}")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~&!])")  # the marks that act inside a line (& starts an entity)
_LINE_BREAK = re.compile(r"\s*[\r\n\v\f\u2028\u2029]+\s*")


def escape_markdown(value: object) -> str:
    """A plain string shown literally on one Markdown line (e.g. a user's --title in the heading).

    Its active marks are backslash-escaped (so raw HTML shows as text) and a
    line break becomes a space: a newline would end the heading.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAK.sub(" ", str(value)))


def and_list(items: Iterable[object]) -> str:
    """'a', 'b' and 'c' as the active language lists them (English: "a, b and c"; Persian: "a، b و c").

    LaTeX items (Markup) give LaTeX: the separators are plain words, safe in either format.
    """
    values = list(items)
    texts = [str(item) for item in values]
    joined = "".join(texts) if len(texts) < 2 else gettext(", ").join(texts[:-1]) + gettext(" and ") + texts[-1]
    return Markup(joined) if values and all(isinstance(item, Markup) for item in values) else joined


def local_date(lang: str) -> str:
    """Today as the language's readers date things: for Persian the Jalali calendar (persiantools), e.g. ۱۶ آذر ۱۴۰۵."""
    import datetime

    if lang == "fa":
        from persiantools.jdatetime import JalaliDate

        today = JalaliDate(datetime.date.today())  # type: ignore[no-untyped-call]  # persiantools is untyped
        return str(today.strftime("%d %B %Y", locale="fa"))
    return datetime.date.today().isoformat()


def _common_filters(env: jinja2.Environment) -> None:
    env.filters["and_list"] = and_list
    env.filters["num"] = lambda value, digits=DEFAULT_DIGITS: format_number(value, digits)
    env.filters["pct"] = lambda value, digits=3, keep_zeros=False: format_percent(value, digits, keep_zeros)
    # `sig` keeps trailing zeros, for table columns: one rule of significant
    # figures per column (num trims them, for given values such as 0.35).
    # Plain "1.23e-5" is what siunitx's S columns and \num{} parse.
    env.filters["sig"] = lambda value, digits=DEFAULT_DIGITS: format_number(value, digits, keep_zeros=True)
    env.filters["fixed"] = format_fixed


def _tex_value(value: object) -> str:
    """A value put into a translated sentence: LaTeX as it is, a number formatted, anything else escaped."""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return escape_latex(value)


def _install_tex_gettext(env: jinja2.Environment, lang: str) -> None:
    """{% trans %} in LaTeX: the translated sentence is LaTeX (its $math$ and \\emph stay), its variables are
    escaped unless they are LaTeX already, and the whole is Markup so the environment does not escape it again."""
    catalog = translations(lang)

    def tex_gettext(message: str, /, **variables: object) -> Markup:
        return Markup(catalog.gettext(message) % {name: _tex_value(value) for name, value in variables.items()})

    def tex_ngettext(singular: str, plural: str, number: int, /, **variables: object) -> Markup:
        values = {name: _tex_value(value) for name, value in {"num": number, **variables}.items()}
        return Markup(catalog.ngettext(singular, plural, number) % values)

    # The i18n extension adds this method to the environment at run time (so mypy cannot see it).
    install: Callable[..., None] = getattr(env, "install_gettext_callables")  # noqa: B009
    install(tex_gettext, tex_ngettext, newstyle=True)
    # install_gettext_callables wraps the functions in ones that format with str %; the trans blocks call the
    # globals, so ours replace the wrappers: they format themselves and return Markup.
    env.globals["gettext"] = tex_gettext
    env.globals["_"] = tex_gettext
    env.globals["ngettext"] = tex_ngettext


@cache
def environment(fmt: str, lang: str = "en") -> jinja2.Environment:
    """The Jinja2 environment for 'text', 'md' or 'tex' in language `lang` ({% trans %} through its catalog)."""
    if fmt == "tex":
        env = jinja2.Environment(
            loader=_loader(),
            extensions=["jinja2.ext.i18n"],
            block_start_string=r"\BLOCK{",
            block_end_string="}",
            variable_start_string=r"\VAR{",
            variable_end_string="}",
            comment_start_string=r"\#{",
            comment_end_string="}",
            line_statement_prefix=None,
            line_comment_prefix="%#",
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            finalize=_tex_finalize,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        _common_filters(env)
        # In LaTeX, numbers inside math use \times 10^{k}; they are math, so safe.
        env.filters["texnum"] = lambda value, digits=DEFAULT_DIGITS: Markup(format_number_latex(value, digits))
        env.filters["texsig"] = lambda value, digits=DEFAULT_DIGITS: Markup(
            format_number_latex(value, digits, keep_zeros=True)
        )
        env.filters["math"] = Markup  # mark a SymPy latex() string as safe
        env.filters["code_spans"] = _tex_code_spans
        env.filters["texttt"] = _tex_texttt
        _install_tex_gettext(env, lang)
        env.globals["lang"] = lang
        env.globals["local_date"] = lambda: local_date(lang)
        return env
    if fmt in ("text", "md"):
        env = jinja2.Environment(
            loader=_loader(),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        _common_filters(env)
        env.filters["texnum"] = lambda value, digits=DEFAULT_DIGITS: format_number_latex(value, digits)
        env.filters["texsig"] = lambda value, digits=DEFAULT_DIGITS: format_number_latex(value, digits, keep_zeros=True)
        env.filters["math"] = lambda value: value
        env.filters["code_spans"] = lambda value: value  # `code` is already Markdown
        env.filters["md_escape"] = escape_markdown
        install: Callable[..., None] = getattr(env, "install_gettext_translations")  # noqa: B009 (added by i18n)
        install(translations(lang), newstyle=True)
        env.globals["lang"] = lang
        env.globals["local_date"] = lambda: local_date(lang)
        return env
    raise ValueError(f"unknown template format {fmt!r}")


def template_path(fmt: str, template_name: str) -> str:
    """The loader name of templates/<fmt>/<name>.<ext>.j2, e.g. 'tex/q3.tex.j2'."""
    return f"{fmt}/{template_name}.{FORMAT_EXTENSIONS[fmt]}.j2"


def render_template(fmt: str, template_name: str, **context: object) -> str:
    """Render templates/<fmt>/<name>.<ext>.j2 with the given context, in the active language (hwsolve.i18n)."""
    template = environment(fmt, language()).get_template(template_path(fmt, template_name))
    return template.render(**context)
