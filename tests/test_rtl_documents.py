"""Right-to-left documents: the Markdown wrapper and its Persian prose digits, the LaTeX direction marks.

The Markdown is parsed as GitHub parses it (markdown-it-py: CommonMark, GFM
tables, dollar math): the rtl container is an HTML block, and the prose,
tables, code and every math block inside it still parse as Markdown, with
the same math text as before wrapping.
"""

from __future__ import annotations

import pytest

from hwsolve.render.rtl_latex import rtl_latex, rtl_latex_document
from hwsolve.render.rtl_markdown import persian_prose_digits, rtl_markdown

DOCUMENT = """# سوال ۳: پس‌انتشار (Q3)

نرخ یادگیری (learning rate) برابر 1 است و خطا 0.0362 شد؛ 60,000 تصویر. وزن w13 و L2 و `--lr 1` و $x_1 = 0.35$.

| نورون | $H$ | $y$ |
|---|---:|---:|
| 3 | 0.755 | 0.680 |

$$
\\frac{\\partial L}{\\partial w_{13}} = 0.0023
$$

```
hwsolve q3 --lr 1
```

[پیوند به سوال 3](#سوال-3-پس‌انتشار-q3) و ![شکل](figures/fa/q3_network.png)
"""


def _parse(text: str):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    return (
        MarkdownIt("commonmark")
        .enable("table")
        .use(dollarmath_plugin, allow_space=False, double_inline=False)
        .parse(text)
    )


def _math(tokens) -> list[str]:
    found = []
    for token in tokens:
        if token.type in ("math_block", "math_inline"):
            found.append(token.content.strip())
        found += _math(token.children or [])
    return found


def test_the_document_is_one_rtl_block_with_tables_code_and_display_math_left_to_right():
    wrapped = rtl_markdown(DOCUMENT)
    assert wrapped.startswith('<div dir="rtl">\n\n') and wrapped.rstrip().endswith("</div>")
    tokens = _parse(wrapped)
    html = [token.content.strip() for token in tokens if token.type == "html_block"]
    assert html.count('<div dir="ltr">') == 3  # the table, the display equation, the code block
    assert html[0] == '<div dir="rtl">' and html.count("</div>") == 4
    kinds = [token.type for token in tokens]
    for kind in ("heading_open", "table_open", "math_block", "fence", "paragraph_open"):
        assert kind in kinds, kind


def test_math_survives_the_wrapper_exactly():
    assert _math(_parse(rtl_markdown(DOCUMENT))) == _math(_parse(DOCUMENT))
    assert "x_1 = 0.35" in _math(_parse(DOCUMENT))


def test_prose_numbers_take_persian_digits_and_the_rest_stays_latin():
    wrapped = rtl_markdown(DOCUMENT)
    assert "برابر ۱ است و خطا ۰٫۰۳۶۲ شد؛ ۶۰٬۰۰۰ تصویر" in wrapped
    for latin in ("w13", "L2", "`--lr 1`", "$x_1 = 0.35$", "| 3 | 0.755 | 0.680 |", "hwsolve q3 --lr 1", "(Q3)"):
        assert latin in wrapped, latin
    assert "figures/fa/q3_network.png" in wrapped
    # A link to a heading changes its digits as the heading does, so GitHub's anchor still matches.
    assert "# سوال ۳: پس‌انتشار (Q3)" in wrapped and "(#سوال-۳-پس‌انتشار-q3)" in wrapped


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("خطا 0.5 است", "خطا ۰٫۵ است"),
        ("لایه 12 از L12", "لایه ۱۲ از L12"),
        ("مقدار $0.5$ و `0.5`", "مقدار $0.5$ و `0.5`"),
        ("<img width=300> 3", "<img width=300> ۳"),
        ("[x](build/q4/epochs-3/results.json) 4", "[x](build/q4/epochs-3/results.json) ۴"),
        ("دقت 93.0% و 1,000,000 واحد", "دقت ۹۳٫۰٪ و ۱٬۰۰۰٬۰۰۰ واحد"),
        ("1. گام 2 از 3", "1. گام ۲ از ۳"),  # a list item keeps Markdown's marker
    ],
)
def test_persian_prose_digits(line, expected):
    assert persian_prose_digits(line) == expected


def test_a_table_cell_of_persian_words_is_prose_isolated_right_to_left():
    table = "| فعال‌سازی | بذرها |\n|---|---:|\n| ReLU | 3 از 5 |\n"
    wrapped = rtl_markdown(table)
    assert "| \u2067فعال‌سازی\u2069 | \u2067بذرها\u2069 |" in wrapped
    assert "| ReLU | \u2067۳ از ۵\u2069 |" in wrapped  # the name and the numbers-only cells stay as they are
    rows = [token for token in _parse(wrapped) if token.type == "tr_open"]
    assert len(rows) == 2  # still a GFM table


def test_numbers_in_persian_latex_prose_take_the_persian_separators():
    """With '.' XeTeX would set 0.6608 as two right-to-left runs, 6608.0; '٫' keeps it one run, read in order."""
    assert rtl_latex(r"میانه 0.6608، دقت 93.0\% و 60,000 تصویر و 3 بذر") == (
        "میانه 0\u066b6608، دقت 93\u066b0\u066a و 60\u066c000 تصویر و 3 بذر"
    )


def test_a_latin_run_and_the_formula_after_it_are_one_phrase():
    assert rtl_latex(r"با نرخ lr $0.1$ و L2") == r"با نرخ \lr{lr $0.1$} و \lr{L2}"


def test_a_persian_table_cell_with_numbers_is_one_right_to_left_phrase():
    body = "\\begin{tabular}{ll}\n0 از 5 & 0.5 \\\\\nReLU & کافی در 3 از 5 بذر\n\\end{tabular}"
    assert rtl_latex(body) == (
        "\\begin{latin}\\begin{tabular}{ll}\n\\rl{0 از 5} & 0.5 \\\\\nReLU & \\rl{کافی در 3 از 5 بذر}\n"
        "\\end{tabular}\\end{latin}"
    )


def test_the_references_are_cited_as_published_left_to_right():
    body = (
        "\\begin{thebibliography}{9}\n\\bibitem{he2015} K.~He. Delving \\emph{deep}.\n  2015.\n\\end{thebibliography}"
    )
    assert rtl_latex(body) == (
        "\\begin{thebibliography}{9}\n"
        "\\bibitem{he2015} \\lr{K.~He. Delving \\emph{deep}.\n  2015.}\n\\end{thebibliography}"
    )


def test_latin_runs_in_persian_text_are_marked_left_to_right():
    body = r"نرخ یادگیری (learning rate) با \emph{torch autograd} و \texttt{--lr 1} و \ref{tab:q2} و $\eta = 1$."
    assert rtl_latex(body) == (
        r"نرخ یادگیری (\lr{learning rate}) با \emph{\lr{torch autograd}} و \texttt{--lr 1} و \ref{tab:q2} و $\eta = 1$."
    )


def test_tables_read_left_to_right_with_persian_headers_marked():
    body = (
        "\\begin{tabular}{@{}l S[table-format=1.3]}\n"
        "مدل خطی & {خطای آزمون} \\\\\nno penalty & 0.125 \\\\[2pt]\n\\end{tabular}"
    )
    assert rtl_latex(body) == (
        "\\begin{latin}\\begin{tabular}{@{}l S[table-format=1.3]}\n\\rl{مدل خطی} & {\\rl{خطای آزمون}} \\\\\n"
        "no penalty & 0.125 \\\\[2pt]\n\\end{tabular}\\end{latin}"
    )


def test_names_math_and_options_are_left_alone():
    body = (
        "\\begin{figure}[htbp]\\centering\\includegraphics[width=0.8\\linewidth]{figures/fa/q2.pdf}"
        "\\caption{شکل L2}\\label{fig:q2}\\end{figure}\n\\begin{align*} x &= 1 \\text{ and } y \\end{align*}\n"
        "\\vspace{0.5em}\\\\[0.3em]"
    )
    assert rtl_latex(body) == body.replace("شکل L2", "شکل \\lr{L2}")


def test_dashes_and_quotes_the_persian_font_lacks():
    assert rtl_latex("الف --- ب -- ج ``د''") == r"الف \lr{---} ب \lr{--} ج «د»"


def test_the_preamble_is_left_as_it_is():
    document = (
        "\\usepackage{hyperref}\n\\hypersetup{pdftitle={Deep Learning}}\n\\begin{document}\nمتن Adam\n\\end{document}\n"
    )
    assert rtl_latex_document(document) == document.replace("متن Adam", "متن \\lr{Adam}")


def test_numbers_that_belong_to_a_word_or_a_dimension_stay_latin():
    body = r"مسئله‌ی 2-class classification با نرخ 1e-3 و عرض 0.45\textwidth و خطای 0.5."
    assert rtl_latex(body) == (
        r"مسئله‌ی \lr{2-class classification} با نرخ \lr{1e-3} و عرض 0.45\textwidth و خطای 0" "\u066b" "5."
    )
    assert persian_prose_digits("دسته 2-class و 1e-3 و 0.5.") == "دسته 2-class و 1e-3 و ۰٫۵."


def test_nothing_the_scan_does_not_know_is_dropped():
    for body in ("تنها $ یک دلار", "پایان \\", "خط \\\\% توضیح Adam", r"\hyperref[sec:q3]{سوال 3 Adam}"):
        marked = rtl_latex(body)
        plain = marked.replace(r"\lr{", "").replace("}", "").replace("{", "")
        assert plain.replace(" ", "") == body.replace("}", "").replace("{", "").replace(" ", ""), (body, marked)
    assert rtl_latex("خط \\\\% توضیح Adam") == "خط \\\\% توضیح Adam"  # a comment stays a comment


def test_a_longtable_caption_is_persian_text_in_the_left_to_right_table():
    body = "\\begin{longtable}{@{}ll@{}}\n\\caption{سوال 3: پارامترها با Adam}\\\\\nوزن & 0.5 \\\\\n\\end{longtable}"
    assert rtl_latex(body) == (
        "\\begin{latin}\\begin{longtable}{@{}ll@{}}\n\\caption{\\rl{سوال 3: پارامترها با \\lr{Adam}}}\\\\\n"
        "\\rl{وزن} & 0.5 \\\\\n\\end{longtable}\\end{latin}"
    )
