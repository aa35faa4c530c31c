"""Golden tests for the report's own templates: title block, placeholders, audit table, escaping."""

import pytest

from hwsolve.audit.compare import Audit, AuditRow, AuditSection, CodeDifference
from hwsolve.render.environment import render_template
from hwsolve.render.report import COURSE, DEFAULT_TITLE, HOMEWORK

SPECIAL = r"_ % & # $ { } \ ^ ~"


def _shell(fmt, title=DEFAULT_TITLE, notices=(), sections=(), audit_body="", reproducibility=None):
    from markupsafe import Markup

    from hwsolve.render.reproducibility import Reproducibility

    return render_template(
        fmt,
        "report",
        title=title,
        default_title=DEFAULT_TITLE,
        course=COURSE,
        homework=HOMEWORK,
        version="9.9",
        generated="",
        notices=list(notices),
        sections=list(sections),
        audit_body=Markup(audit_body) if fmt == "tex" else audit_body,
        digits=6,
        audit_heading="Audit of the submitted solution",
        audit_anchor="audit-of-the-submitted-solution",
        answers_heading="Answers at a glance",
        answers_anchor="answers-at-a-glance",
        reproducibility=reproducibility or Reproducibility("9.9", "hwsolve report --out build", [], []),
        reproducibility_heading="Reproducibility",
        reproducibility_anchor="reproducibility",
    )


PLACEHOLDER = {
    "number": 2,
    "title": "True or false",
    "body": None,
    "answer": None,
    "placeholder": "not yet available (reason).",
    "heading": "Question 2 — True or false",
    "anchor": "question-2--true-or-false",
    "label": "question-2",
}


def test_md_title_block_and_placeholder_golden():
    text = _shell("md", sections=[PLACEHOLDER])
    body, references = text.split("## References\n")
    assert references.startswith("\n1. N. Srivastava, G. Hinton")
    assert body == (
        "# Deep Learning — Homework 2\n"
        "\n"
        "**Course:** Deep Learning · **Homework:** 2\n"
        "\n"
        "*Derived (SymPy), verified (torch autograd, float64) and typeset by hwsolve 9.9.*\n"
        "\n"
        "## Answers at a glance\n"
        "\n"
        "Every question's final answers; the sections after the contents derive and check them.\n"
        "\n"
        "### Question 2\n"
        "\n"
        "*Question 2: not yet available (reason).*\n"
        "\n"
        "**Contents**\n"
        "\n"
        "- [Question 2 — True or false](#question-2--true-or-false)\n"
        "- [Audit of the submitted solution](#audit-of-the-submitted-solution)\n"
        "- [Reproducibility](#reproducibility)\n"
        "- [References](#references)\n"
        "\n"
        "## Question 2 — True or false\n"
        "\n"
        "*Question 2: not yet available (reason).*\n"
        "\n"
        "\n"  # the (here empty) audit section follows
        "\n"
        "## Reproducibility\n"
        "\n"
        "Computed and typeset by hwsolve 9.9; `hwsolve report --out build` rebuilds this report from the same seeds, "
        "reusing the finished training runs it finds under its output folder.\n"
        "\n"
        "\n"
    )


def test_md_custom_title_keeps_the_course_line():
    text = _shell("md", title="My notes", notices=["Quick mode."])
    assert text.startswith(
        "# My notes\n\n**Deep Learning — Homework 2**\n\n**Course:** Deep Learning · **Homework:** 2\n"
    )
    assert "> **Note.** Quick mode.\n" in text


def test_tex_title_block_golden():
    text = _shell("tex")
    start = text.index(r"\begin{center}")
    end = text.index(r"\end{center}") + len(r"\end{center}")
    assert text[start:end] == (
        "\\begin{center}\n"
        "  {\\LARGE\\bfseries Deep Learning — Homework 2\\par}\n"
        "  \\vspace{0.6em}\n"
        "  {\\large Course: Deep Learning \\quad Homework 2\\par}\n"
        "  \\vspace{0.6em}\n"
        "  {\\small\\itshape Derived (SymPy), verified (torch autograd, float64) and typeset by hwsolve 9.9.\\par}\n"
        "\\end{center}"
    )


def test_tex_escapes_a_hostile_title_and_placeholder():
    text = _shell("tex", title=SPECIAL, sections=[dict(PLACEHOLDER, placeholder="50% of #1_a {b}")])
    escaped_title = r"\_ \% \& \# \$ \{ \} \textbackslash{} \textasciicircum{} \textasciitilde{}"
    assert "{\\LARGE\\bfseries " + escaped_title + "\\par}" in text
    assert r"\emph{Question 2: 50\% of \#1\_a \{b\}}" in text
    for package in (
        "amsmath",
        "amssymb",
        "booktabs",
        "graphicx",
        "geometry",
        "hyperref",
        "lmodern",
        "siunitx",
        "tcolorbox",
    ):
        assert f"{{{package}}}" in text
    assert "\\usepackage[T1]{fontenc}" in text
    assert "{float}" not in text  # no fragment forces a float with [H]
    assert "\\allowdisplaybreaks" not in text  # a derivation is never split across a page


def _audit():
    rows = [
        AuditRow("Q3(a)", "y3", "0.6802671966986485", 0.6802671966986484, "relative $10^{-9}$", True, label="$y_{3}$"),
        AuditRow(
            "Q3(b)",
            "w45 after one step",
            "0.84",
            0.8459967260179852,
            "rounds to 2 decimals",
            False,
            "ours rounds to $0.85$; $0.84$ is ours truncated, not rounded",
            label="$w_{45}$ after one step",
        ),
    ]
    section = AuditSection("Q3: one step", rows=rows, notes=["A note_with % and `code_here`."])
    uncounted = AuditSection(
        "Q2: true or false",
        rows=[AuditRow("Q2", "(a) true or false", "false", None, "same truth value", False, computed_display="true")],
        counted=False,
        not_counted_reason="Reconstructed, so not evidence.",
    )
    missing = AuditSection("Q4: table", missing="Q4 is not available.")
    difference = CodeDifference("NLL input", "raw logits", "log_softmax", "NLL expects log-probabilities")
    return Audit(sections=[section, uncounted, missing], code_differences=[difference])


def test_md_audit_table_golden():
    text = render_template("md", "audit", audit=_audit(), digits=6)
    # Q2's differing row is shown but left out of the count.
    assert (
        "**Summary:** 1 of 2 compared values agree; 1 differ ($w_{45}$ after one step). "
        "The 1 row of Q2 is shown below but not counted.\n\n### Q3: one step"
    ) in text
    start = text.index("### Q3: one step")
    assert text[start:] == (
        "### Q3: one step\n"
        "\n"
        "| part | quantity | submitted | hwsolve | rule | verdict |\n"
        "|---|---|---|---|---|---|\n"
        "| Q3(a) | $y_{3}$ | $0.6802671966986485$ | $0.680267196698648$ | relative $10^{-9}$ | agrees |\n"
        "| Q3(b) | $w_{45}$ after one step | $0.84$ | $0.845996726017985$ | rounds to 2 decimals | **differs** |\n"
        "\n"
        "- **$w_{45}$ after one step:** ours rounds to $0.85$; $0.84$ is ours truncated, not rounded.\n"
        "\n"
        "- A note_with % and `code_here`.\n"
        "\n"
        "### Q2: true or false\n"
        "\n"
        "*Not counted.* Reconstructed, so not evidence.\n"
        "\n"
        "| part | quantity | submitted | hwsolve | rule | verdict |\n"
        "|---|---|---|---|---|---|\n"
        "| Q2 | (a) true or false | false | true | same truth value | **differs** (not counted) |\n"
        "\n"
        "### Q4: table\n"
        "\n"
        "*Q4 is not available.*\n"
        "\n"
        "### Q4: the submitted code against hwsolve's corrected mode\n"
        "\n"
        "The submitted code differs from hwsolve's corrected run in 1 place (NLL input). "
        "Question 4 lists them once, with what each one changes, why, and its measured effect.\n"
    )
    assert "graded as one more answer sheet, by the same grader as" in text


def test_tex_audit_table_golden_rows_are_escaped():
    text = render_template("tex", "audit", audit=_audit(), digits=6)
    assert (
        "Q3(b) & $w_{45}$ after one step & $0.84$ & $0.845996726017985$ & rounds to 2 decimals & "
        "\\textbf{differs} \\\\\n"
    ) in text
    assert "Q3(a) & $y_{3}$ & $0.6802671966986485$ & $0.680267196698648$ & relative $10^{-9}$ & agrees \\\\\n" in text
    assert "Q2 & (a) true or false & false & true & same truth value & \\textbf{differs} (not counted) \\\\\n" in text
    assert "\\item A note\\_with \\% and \\texttt{code\\_here}." in text
    assert (
        "\\item \\textbf{$w_{45}$ after one step:} ours rounds to $0.85$; $0.84$ is ours truncated, not rounded."
        in text
    )
    assert "\\emph{Not counted.} Reconstructed, so not evidence." in text
    assert (
        "1 of 2 compared values agree; 1 differ ($w_{45}$ after one step). "
        "The 1 row of Q2 is shown below but not counted." in text
    )
    assert "graded as one more answer sheet, by the same grader as" in text
    assert "in 1 place (NLL input)" in text


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Question 4 — MNIST: activation × loss × optimiser", "question-4--mnist-activation--loss--optimiser"),
        ("Audit of the submitted solution", "audit-of-the-submitted-solution"),
        ("Q1(b): inverted dropout", "q1b-inverted-dropout"),
    ],
)
def test_github_anchor(heading, anchor):
    from hwsolve.render.report import github_anchor

    assert github_anchor(heading) == anchor


ANSWERED = {
    "number": 3,
    "title": "Backprop",
    "body": "## Question 3 — Backprop\n\nDetails.",
    "answer": "$L = 0.5$",
    "placeholder": "",
    "heading": "Question 3 — Backprop",
    "anchor": "question-3--backprop",
    "label": "question-3",
}


def test_md_answers_come_first_with_a_link_to_their_details():
    text = _shell("md", sections=[ANSWERED, PLACEHOLDER])
    answers = text.index("## Answers at a glance\n")
    assert answers < text.index("**Contents**") < text.index("## Question 3 — Backprop")
    assert (
        "### Question 3\n\n$L = 0.5$\n\n*Details: [Question 3 — Backprop](#question-3--backprop).*\n\n"
        "### Question 2\n\n*Question 2: not yet available (reason).*\n"
    ) in text


def test_tex_answers_come_first_in_boxes_with_the_details_page():
    from markupsafe import Markup

    answered = dict(
        ANSWERED, body=Markup("\\section{Question 3}\n\\label{question-3}\nDetails."), answer=Markup("$L = 0.5$")
    )
    text = _shell("tex", sections=[answered, PLACEHOLDER])
    start = text.index("\\begin{document}")
    assert (
        start
        < text.index("\\section*{Answers at a glance}")
        < text.index("\\tableofcontents")
        < text.index("\\section{Question 3}")
    )
    assert (
        "\\begin{answerbox}[before skip=0.5\\baselineskip, after skip=0.3\\baselineskip]{Question 3 --- Backprop"
        "\\hfill{\\normalfont\\small details on page~\\pageref{question-3}}}\n$L = 0.5$\n\\end{answerbox}"
    ) in text
    assert (
        "\\section{Question 2 --- True or false}\n\\label{question-2}\n" in text
    )  # the placeholder's box refers to it


def test_reproducibility_note_lists_facts_and_notes_in_both_formats():
    from hwsolve.render.reproducibility import Reproducibility

    note = Reproducibility(
        "9.9",
        "hwsolve report --out build --quick",
        ["Question 4, homework mode: seeds 0, 1, 2; 30 epochs."],
        [(1, "trained with `torch.set_num_threads(2)` in 41 s")],
    )
    md = _shell("md", reproducibility=note)
    assert md.index("## Reproducibility") < md.index("## References")
    assert (
        "- Question 4, homework mode: seeds 0, 1, 2; 30 epochs.\n"
        "- Question 1: trained with `torch.set_num_threads(2)` in 41 s\n" in md
    )
    tex = _shell("tex", reproducibility=note)
    # A long --out may break between words; -{}- keeps "--" two hyphens in T1 typewriter.
    assert "\\texttt{hwsolve} \\texttt{report} \\texttt{-{}-out} \\texttt{build} \\texttt{-{}-quick} rebuilds" in tex
    assert "\\item Question 1: trained with \\texttt{torch.set\\_num\\_threads(2)} in 41 s" in tex


def test_md_title_is_shown_literally_by_a_markdown_renderer():
    from markdown_it import MarkdownIt

    hostile = r"Report_1: *100%* & #2 $5 [x](y) `z` \ ^ ~ <b>done</b>"
    tokens = MarkdownIt("commonmark").parse(_shell("md", title=hostile))
    heading = tokens[1]
    assert tokens[0].tag == "h1" and [child.type for child in heading.children] == ["text"]
    assert heading.children[0].content == hostile


def test_tex_placeholder_shows_its_backticked_command_in_monospace():
    text = _shell(
        "tex", sections=[dict(PLACEHOLDER, placeholder="not computed. Rerun `HWSOLVE_DATA=/path hwsolve report`.")]
    )
    assert r"\emph{Question 2: not computed. Rerun \texttt{HWSOLVE\_DATA=/path hwsolve report}.}" in text


def test_tex_code_spans_keep_double_hyphens():
    from hwsolve.render.environment import environment

    render = environment("tex").from_string("\\VAR{ note|code_spans }").render
    assert (
        render(note="used `--limit-train` on 50% of `x_y`")
        == "used \\texttt{-{}-limit-train} on 50\\% of \\texttt{x\\_y}"
    )
