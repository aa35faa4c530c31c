"""The audit as the report shows it: Q2 out of the agreement count, Q4 over seeds, and no plain-text mathematics."""

from __future__ import annotations

import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from q4_fakes import fake_finding

from hwsolve.audit.compare import audit_q2
from hwsolve.audit.from_solutions import build_audit
from hwsolve.audit.markup import CODE, MATH, TEXT, segments, symbol
from hwsolve.audit.q4 import audit_q4, audit_q4_table
from hwsolve.render.environment import render_template
from hwsolve.solutions.q4_differences import DIFFERENCES, Difference


def test_segments_split_code_and_math():
    assert segments("ours rounds to $0.85$; `x_y` is code") == [
        (TEXT, "ours rounds to "),
        (MATH, "0.85"),
        (TEXT, "; "),
        (CODE, "x_y"),
        (TEXT, " is code"),
    ]
    assert segments("plain") == [(TEXT, "plain")]
    assert symbol("w35") == "w_{35}" and symbol("H3") == "H_{3}" and symbol("lr") == "lr"


def _q2_stub(answers):
    statements = [SimpleNamespace(label=label, answer=answer) for label, answer in answers.items()]
    return SimpleNamespace(statements=statements)


def test_q2_is_shown_but_never_counted():
    from hwsolve.solutions.q3 import solve_q3

    q3 = solve_q3()
    agreeing = build_audit({2: _q2_stub({"a": False, "b": False, "c": False}), 3: q3})
    # Q2 answered "true" everywhere: every Q2 row now differs, and the count does not move.
    disagreeing = build_audit({2: _q2_stub({"a": True, "b": True, "c": True}), 3: q3})
    for audit in (agreeing, disagreeing):
        q2 = next(section for section in audit.sections if section.title.startswith("Q2"))
        assert not q2.counted and "reconstructed" in q2.not_counted_reason and len(q2.rows) == 3
        assert all(row.question != "Q2" for row in audit.compared)
        assert all(row.question != "Q2" for row in audit.differing)
        assert sum(row.question == "Q2" for row in audit.rows) == 3  # still shown
    assert len(agreeing.compared) == len(disagreeing.compared) == 18  # Q3's rows only
    assert [row.quantity for row in agreeing.differing] == [row.quantity for row in disagreeing.differing]
    assert [row.agrees for row in disagreeing.rows if row.question == "Q2"] == [False, False, False]


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_the_summary_leaves_q2_out_and_says_so(fmt):
    from hwsolve.solutions.q3 import solve_q3

    audit = build_audit({2: _q2_stub({"a": True, "b": False, "c": False}), 3: solve_q3()})
    text = render_template(fmt, "audit", audit=audit, digits=6)
    # Q3 alone: 18 graded values, of which four truncated weights differ (test_audit_compare.py).
    assert "14 of 18 compared values agree; 4 differ" in text
    assert "The 3 rows of Q2 are shown below but not counted." in text
    assert "(not counted)" in text and "reconstructed" in text


def test_q2_rows_say_why_they_are_not_counted():
    section = audit_q2({"a": False, "b": False, "c": False})
    assert not section.counted and "right by construction" in section.not_counted_reason


def _finding(name, median, low, high, seeds_below, n_seeds=3):
    return fake_finding(name, median, low, high, seeds_below, n_seeds)


def test_q4_over_seeds_is_judged_by_the_median_and_notes_a_split():
    entries = [
        _finding("relu/cross_entropy/sgd", 0.026, 0.025, 0.028, 3),  # listed, below in every seed
        _finding("sigmoid/cross_entropy/adam", 0.75, 0.08, 0.9, 1),  # listed, below in 1 of 3: median decides
        _finding("relu/nll/sgd", 0.9, 0.9, 0.9, 0),  # not listed, never below
    ]
    section = audit_q4_table(entries, 30)
    rows = {row.quantity: row for row in section.rows}
    assert "median of 3 seeds" in section.title and section.align == "r"
    assert rows["relu/cross_entropy/sgd"].agrees and rows["relu/nll/sgd"].agrees
    adam = rows["sigmoid/cross_entropy/adam"]
    assert not adam.agrees and adam.computed_text == "$0.7500$"
    assert adam.note == (
        "test error $0.7500$ is not below $0.1$; the submission lists it; "
        "below $0.1$ in 1 of 3 seeds (range $0.0800$ to $0.9000$)"
    )


def test_q4_reads_the_homework_findings_and_points_to_the_differences():
    nll_input = next(d for d in DIFFERENCES if d.id == "nll_input")
    one_seed = SimpleNamespace(
        findings=[_finding("relu/nll/sgd", 0.02, 0.02, 0.02, 1, 1)], epochs=3, differences=[nll_input]
    )
    section, differences = audit_q4(SimpleNamespace(homework=one_seed, corrected=one_seed))
    assert section.rows[0].computed_text == "$0.0200$" and not section.rows[0].agrees
    assert "median" not in section.title  # one seed: that seed decides
    assert differences[0].topic == "NLLLoss input" and differences[0].corrected == nll_input.corrected
    over_seeds = SimpleNamespace(findings=[_finding("relu/nll/sgd", 0.9, 0.9, 0.9, 0)], epochs=3, differences=[])
    section, _ = audit_q4(SimpleNamespace(homework=over_seeds, corrected=over_seeds))
    assert section.rows[0].computed_text == "$0.9000$" and section.rows[0].agrees


# Plain-text mathematics the issue names, and its kin: a derivative written dL/dw35, a product
# written 0.68 x 0.3, an e-exponent such as 1e-9, an arrow ->, a homework name such as w35 or y3,
# an assignment such as p = 0.5, and a power or index written ^ or _.
PLAIN_MATH = [
    re.compile(r"\bd[A-Za-z]+/d[a-z]+\d"),
    re.compile(r"\d\s*[x×]\s*\d"),
    re.compile(r"\d(\.\d+)?e[-+]?\d"),
    re.compile(r"->"),
    re.compile(r"\b[wyHO]\d{1,2}\b"),
    re.compile(r"\b[a-zA-Z]\s*=\s*\d"),
    re.compile(r"[\^]|\b_\{"),
]


def _full_audit():
    from hwsolve.solutions.q1 import solve_q1
    from hwsolve.solutions.q2 import solve_q2
    from hwsolve.solutions.q3 import solve_q3

    homework = SimpleNamespace(
        findings=[
            _finding("relu/cross_entropy/sgd", 0.0261, 0.025, 0.028, 3),
            _finding("sigmoid/cross_entropy/adam", 0.75, 0.08, 0.9, 1),
        ],
        configs=[],
        epochs=30,
        differences=[
            Difference(
                id="nll_input",
                kind="bug",
                what="NLLLoss input",
                homework="`nn.NLLLoss()` on raw logits",
                corrected="on `log_softmax`",
                why="log-probabilities",
                cite="",
            )
        ],
    )
    return build_audit(
        {
            1: solve_q1(part="b"),
            2: solve_q2(seeds_checked=0),
            3: solve_q3(),
            4: SimpleNamespace(homework=homework, corrected=homework),
        }
    )


def _plain_text_pieces(markdown: str) -> list[str]:
    """The md text outside $math$, `code` and ```math blocks, one line at a time."""
    markdown = re.sub(r"```math.*?```", "", markdown, flags=re.S)
    return [piece for line in markdown.splitlines() for kind, piece in segments(line) if kind == TEXT]


def test_no_plain_text_math_in_the_audit_markdown():
    text = render_template("md", "audit", audit=_full_audit(), digits=6)
    for piece in _plain_text_pieces(text):
        for pattern in PLAIN_MATH:
            assert not pattern.search(piece), (pattern.pattern, piece)
    for expected in (
        r"$\partial L/\partial w_{35}$",
        r"$0.68 \times 0.3 + 0.66 \times 0.9$",
        "`relu/cross_entropy/sgd`",
        "at 2 decimals",
        "training output, $p = 0.5$",
        "`rounded_intermediates`",
    ):
        assert expected in text


def test_no_plain_text_math_in_the_audit_latex():
    text = render_template("tex", "audit", audit=_full_audit(), digits=6)
    outside_math = re.sub(r"\$[^$]*\$", "", text)
    outside_math = re.sub(r"\\texttt\{[^}]*\}", "", outside_math)
    for pattern in PLAIN_MATH[:5]:
        assert not pattern.search(outside_math), pattern.pattern
    for expected in (
        r"$\partial L/\partial w_{35}$",
        r"$0.68 \times 0.3 + 0.66 \times 0.9$",
        r"\texttt{relu/\allowbreak{}cross\_entropy/\allowbreak{}sgd}",
        r"\texttt{hw2-submitted-solution.fa.md}",
        "$< 0.1$",
    ):
        assert expected in text


@pytest.mark.latex
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_the_audit_fits_the_text_width(tmp_path):
    """pdflatex with the report's page geometry: not one Overfull box from the audit's tables."""
    (tmp_path / "audit.tex").write_text(render_template("tex", "audit", audit=_full_audit(), digits=6))
    (tmp_path / "doc.tex").write_text(
        "\\documentclass[11pt,a4paper]{article}\\usepackage[T1]{fontenc}\\usepackage{lmodern}"
        "\\usepackage{amsmath,amssymb,booktabs,longtable,array}\\usepackage[margin=2.2cm]{geometry}"
        "\\begin{document}\\input{audit.tex}\\end{document}\n"
    )
    for _ in range(2):  # longtable settles its column widths on the second run
        completed = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Overfull" not in log, log[log.index("Overfull") :][:400]
