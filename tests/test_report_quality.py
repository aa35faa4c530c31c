"""Report-wide quality checks on one real build (tests/report_build.py):

- the PDF: no overfull box, no hyperref warning, no undefined reference;
- its first two pages (the title and "Answers at a glance") hold every final
  answer, each computed here independently: Q1(b) and Q3 in closed form, the
  Q4 set straight from the results files;
- the Markdown, parsed as GitHub would (markdown-it-py, CommonMark + GFM
  tables + dollar math): no emphasis made out of identifiers, identifiers in
  code spans, every table whole, every image present and captioned, math
  free of what GitHub's renderer eats, and the contents' links resolve.
"""

from __future__ import annotations

import json
import math
import re
import statistics

import numpy as np
import pytest
from report_build import built_report, have_latex

pytestmark = [
    pytest.mark.slow,
    pytest.mark.latex,
    pytest.mark.skipif(
        not have_latex(), reason="needs latexmk, pdflatex and pdftotext (Debian: texlive-latex-* latexmk poppler-utils)"
    ),
]

THRESHOLD = 0.1  # the homework's criterion: test error below 0.1


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return built_report(tmp_path_factory)


# --- the PDF ---------------------------------------------------------------


def _log(report) -> list[str]:
    return (report.out / "report.log").read_text(encoding="latin-1").splitlines()


def test_pdf_has_no_overfull_box(report):
    lines = _log(report)
    overfull = [
        f"{line} | {lines[index + 1].strip()}" for index, line in enumerate(lines[:-1]) if line.startswith("Overfull")
    ]
    assert not overfull, f"{len(overfull)} overfull boxes:\n" + "\n".join(overfull)


def test_pdf_has_no_hyperref_warning_and_no_undefined_reference(report):
    lines = _log(report)
    warnings = [
        f"{line} {lines[index + 1].strip()}"
        for index, line in enumerate(lines[:-1])
        if "Token not allowed" in line or line.startswith("Package hyperref Warning")
    ]
    assert not warnings, "\n".join(warnings)
    undefined = [line for line in lines if "undefined" in line and ("Reference" in line or "There were" in line)]
    assert not undefined, "\n".join(undefined)


# --- the answers on pages 1-2 ------------------------------------------------


def _numbers(text: str) -> list[float]:
    """Every decimal number in the text, in order (Unicode minus read as minus)."""
    return [float(token) for token in re.findall(r"-?\d+(?:\.\d+)?", text.replace("\u2212", "-"))]


def _shown(value: float, numbers: list[float]) -> bool:
    """Some number on the page is `value` to the report's 6 significant digits (or more)."""
    tolerance = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 5) * (1 + 1e-9) if value else 1e-12
    return any(abs(number - value) <= tolerance for number in numbers)


def _contains_run(numbers: list[float], vector: list[float]) -> bool:
    return any(
        np.allclose(numbers[start : start + len(vector)], vector, rtol=0, atol=1e-9)
        for start in range(len(numbers) - len(vector) + 1)
    )


def _q1b_training_outputs() -> dict[float, list[float]]:
    """The homework's inverted dropout, x * m / (1 - p), at both rates."""
    x, mask = np.array([-4.5, -0.75, 3, 6, 1.5]), np.array([1, 0, 1, 0, 1])
    return {p: [float(value) for value in x * mask / (1 - p)] for p in (0.5, 0.4)}


def _q3_loss_and_updated_weights() -> tuple[float, dict[str, float]]:
    """The homework's network by hand: sigmoid units, L = (t - y5)^2, one step at learning rate 1."""
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    x1, x2, target, lr = 0.35, 0.9, 0.5, 1.0
    w = {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}
    y3, y4 = sigmoid(x1 * w["w13"] + x2 * w["w23"]), sigmoid(x1 * w["w14"] + x2 * w["w24"])
    y5 = sigmoid(w["w35"] * y3 + w["w45"] * y4)
    delta5 = -2 * (target - y5) * y5 * (1 - y5)
    delta3, delta4 = delta5 * w["w35"] * y3 * (1 - y3), delta5 * w["w45"] * y4 * (1 - y4)  # the old w35, w45
    gradients = {
        "w13": delta3 * x1,
        "w23": delta3 * x2,
        "w14": delta4 * x1,
        "w24": delta4 * x2,
        "w35": delta5 * y3,
        "w45": delta5 * y4,
    }
    return float((target - y5) ** 2), {name: float(w[name] - lr * gradients[name]) for name in w}


def _q4_homework_medians_below_threshold(out) -> dict[str, float] | None:
    """Homework mode's configurations whose median test error over the seeds is below 0.1, with that median,
    read from the results files.

    The seeds are those of seeds.json when it belongs to this run (same
    epochs), else the one run of results.json. A run that diverged (null
    error) counts as not below. None when Q4 has no results.
    """
    folder = out / "q4" / "homework"
    if not (folder / "results.json").exists():
        return None
    primary = json.loads((folder / "results.json").read_text())
    documents = [primary]
    seeds_file = folder / "seeds.json"
    if seeds_file.exists():
        seeds = json.loads(seeds_file.read_text())
        if seeds.get("key", {}).get("epochs") == primary["key"]["epochs"]:
            documents = [
                primary
                if seed == primary["key"]["seed"]
                else json.loads((folder / f"seed-{seed}" / "results.json").read_text())
                for seed in seeds["seeds"]
            ]
    errors: dict[str, list[float]] = {}
    for document in documents:
        for entry in document["configs"]:
            error = entry["test_error"]
            errors.setdefault(entry["name"], []).append(math.inf if error is None else error)
    medians = {name: statistics.median(values) for name, values in errors.items()}
    return {name: median for name, median in medians.items() if median < THRESHOLD}


@pytest.fixture(scope="module")
def answers(report) -> str:
    """The text of the "Answers at a glance" section, as far as it lies on pages 1-2.

    It ends where the contents begin."""
    front = report.pages(1, 2)
    assert "Answers at a glance" in front
    start = front.index("Answers at a glance")
    end = front.find("Contents", start)
    return front[start:] if end == -1 else front[start:end]


def test_first_two_pages_hold_q1b_dropout_vectors(answers):
    numbers = _numbers(answers)
    missing = {rate: vector for rate, vector in _q1b_training_outputs().items() if not _contains_run(numbers, vector)}
    assert not missing, f"training-time outputs not in the answers on pages 1-2: {missing}"


def test_first_two_pages_hold_q3_loss_and_the_six_updated_weights(answers):
    numbers = _numbers(answers)
    loss, updated = _q3_loss_and_updated_weights()
    missing = {name: value for name, value in {"loss": loss, **updated}.items() if not _shown(value, numbers)}
    assert not missing, f"not in the answers on pages 1-2 (to 6 significant digits): {missing}"


def _error_shown(error: float, numbers: list[float]) -> bool:
    """The test error is on the page as a fraction to 4 decimals (exact for 10,000 test images) or as a percentage."""
    return any(
        abs(number - error) <= 0.5e-4 + 1e-12 or abs(number - 100 * error) <= 0.5e-2 + 1e-10 for number in numbers
    )


def test_first_two_pages_hold_q4_homework_set_below_threshold(report, answers):
    """Each configuration of the < 0.1 set is in Q4's answer by its median test error; an empty set is said so."""
    below = _q4_homework_medians_below_threshold(report.out)
    if below is None:
        pytest.skip("no Q4 results in this build (no MNIST)")
    assert "Question 4" in answers, "Q4's answer box is not on pages 1-2"
    q4 = answers[answers.index("Question 4") :]
    if below:
        numbers = _numbers(q4)
        missing = {name: median for name, median in below.items() if not _error_shown(median, numbers)}
        assert not missing, (
            f"configurations below {THRESHOLD} in homework mode (median over the seeds) not in Q4's answer: {missing}"
        )
    else:
        assert re.search(r"\bno configuration|\bnone\b", q4, re.IGNORECASE), (
            f"no configuration is below {THRESHOLD} in homework mode; Q4's answer must say so"
        )


# --- the Markdown, as GitHub renders it ---------------------------------------

GITHUB_EATS = ("\\;", "\\,", "\\{", "\\}")  # backslash escapes GitHub's Markdown pass removes before the math renderer
IDENTIFIER = re.compile(r"\b\w*[a-z0-9]_\w+|\b__\w+__")  # snake_case or a dunder: code, to be in backticks


@pytest.fixture(scope="module")
def markdown(report):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    source = (report.out / "report.md").read_text(encoding="utf-8")
    # GitHub: CommonMark + GFM tables, $...$ math only between non-space
    # delimiters; display math as ```math fences.
    parser = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, allow_space=False, double_inline=False)
    return source, parser.parse(source)


def _inline_tokens(tokens):
    """(block token, child) for every inline child, outside the report's title (a user's --title, shown as given)."""
    title_seen = False
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        if not title_seen and index > 0 and tokens[index - 1].type == "heading_open" and tokens[index - 1].tag == "h1":
            title_seen = True
            continue
        for child in token.children or []:
            yield token, child


def test_markdown_has_no_emphasis_made_of_underscores(markdown):
    """`__init__` or xavier_he outside code turns into bold or italics; the report writes emphasis with * only."""
    _, tokens = markdown
    stray = [
        block.content
        for block, child in _inline_tokens(tokens)
        if child.type in ("em_open", "strong_open") and "_" in child.markup
    ]
    assert not stray, "emphasis made of underscores in:\n" + "\n".join(stray)


def test_markdown_code_identifiers_are_in_backticks(markdown):
    _, tokens = markdown
    bare = sorted(
        {
            match
            for _, child in _inline_tokens(tokens)
            if child.type == "text"
            for match in IDENTIFIER.findall(child.content)
        }
    )
    assert not bare, "identifiers outside backticks: " + ", ".join(bare)


def test_markdown_tables_are_whole(markdown):
    """Every table's rows have its header's cell count (GFM pads or drops cells silently).

    And no |-line is left out of a table."""
    source, tokens = markdown
    lines = source.splitlines()
    in_tables = set()
    for token in tokens:
        if token.type == "table_open":
            first, last = token.map
            in_tables.update(range(first, last))
            counts = [
                len(re.findall(r"(?<!\\)\|", lines[number].strip().strip("|"))) + 1
                for number in range(first, last)
                if number != first + 1
            ]
            assert len(set(counts)) == 1, lines[first:last]
    in_code = set()
    for token in tokens:
        if token.type in ("fence", "code_block", "math_block") and token.map:
            in_code.update(range(*token.map))
    loose = [line for number, line in enumerate(lines) if line.startswith("|") and number not in in_tables | in_code]
    assert loose == []


def _is_blank(child) -> bool:
    return child.type in ("softbreak", "hardbreak") or (child.type == "text" and not child.content.strip())


def test_markdown_images_exist_and_have_a_visible_caption(markdown, report):
    """GitHub shows no alt text: each image is followed by an italic caption, in its paragraph or the next."""
    _, tokens = markdown
    images = 0
    for index, token in enumerate(tokens):
        children = token.children or []
        positions = [position for position, child in enumerate(children) if child.type == "image"]
        if token.type != "inline" or not positions:
            continue
        for position in positions:
            images += 1
            path = children[position].attrs["src"]
            assert not path.startswith("/") and (report.out / path).is_file(), path
        rest = [child for child in children[positions[-1] + 1 :] if not _is_blank(child)]
        if not rest:
            following = next((later for later in tokens[index + 1 :] if later.type == "inline"), None)
            rest = [child for child in following.children if not _is_blank(child)] if following is not None else []
        assert rest and rest[0].type == "em_open", token.content
    assert images > 0


def test_markdown_math_survives_github(markdown):
    source, tokens = markdown
    dollars = [line for line in source.replace("\\$", "").splitlines() if "$$" in line]
    assert not dollars, f"{len(dollars)} lines with $$ (use a ```math fence):\n" + "\n".join(dollars[:10])
    math = [token.content for token in tokens if token.type == "fence" and token.info.strip() == "math"]
    math += [child.content for _, child in _inline_tokens(tokens) if child.type == "math_inline"]
    assert math, "no math found"
    eaten = sorted({escape for formula in math for escape in GITHUB_EATS if escape in formula})
    assert not eaten, "GitHub eats these escapes in math: " + " ".join(eaten)
    unparsed = [child.content for _, child in _inline_tokens(tokens) if child.type == "text" and "$" in child.content]
    assert not unparsed, "a $ left in text is math GitHub will not render:\n" + "\n".join(unparsed)


def _github_anchors(tokens) -> set[str]:
    """Heading ids as GitHub makes them: lower case, punctuation dropped, spaces to hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    anchors = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = "".join(
            child.content
            for child in tokens[index + 1].children or []
            if child.type in ("text", "code_inline", "math_inline")
        )
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_markdown_internal_links_resolve(markdown):
    _, tokens = markdown
    anchors = _github_anchors(tokens)
    targets = {
        child.attrs["href"][1:]
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open" and child.attrs["href"].startswith("#")
    }
    assert targets and sorted(targets - anchors) == []
