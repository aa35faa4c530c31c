"""Numbers typed on a Persian keyboard: Persian and Arabic-Indic digits, '٫', '،' and '؛' mean what the Latin ones do.

Every parsed value is compared with Python's float() of the Latin text, the
independent reading; bad input is one line and exit 2, like any other.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hwsolve.cli import cli

PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
ARABIC_INDIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def q3_json(*args: str) -> dict:
    result = run("q3", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("digits", [PERSIAN, ARABIC_INDIC], ids=["persian", "arabic-indic"])
def test_persian_digits_in_q3_give_the_same_float64_as_latin_ones(digits):
    latin = ("--x", "0.35,0.9", "--y", "0.5", "--lr", "0.25", "--weights", "w13=0.1,w23=-0.8")
    typed = tuple(argument.translate(digits) for argument in latin)
    expected = (0.35, 0.9, 0.5, 0.25, 0.1, -0.8)
    assert tuple(float(text) for text in ["0.35", "0.9", "0.5", "0.25", "0.1", "-0.8"]) == expected
    given, persian = q3_json(*latin), q3_json(*typed)
    assert persian["problem"]["x"] == [0.35, 0.9] == given["problem"]["x"]
    assert persian["problem"]["lr"] == 0.25
    assert persian["loss"] == given["loss"]  # bit for bit: the same float64 inputs
    assert persian["updated"] == given["updated"]


def test_persian_list_separators_split_like_latin_ones():
    persian = q3_json("--x", "۰٫۳۵،۰٫۹؛۰٫۱،۰٫۲", "--y", "۰٫۵؛۰٫۱")
    assert persian["problem"]["samples"] == q3_json("--x", "0.35,0.9;0.1,0.2", "--y", "0.5;0.1")["problem"]["samples"]
    assert [sample["x"] for sample in persian["problem"]["samples"]] == [[0.35, 0.9], [0.1, 0.2]]


def test_persian_digits_in_integer_options():
    result = run("q3", "--format", "json", "--layers", "۲،۲،۱", "--steps", "۳")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["problem"]["layers"] == [2, 2, 1]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--x", "۰٫۳٫۵,۰٫۹"), ("--lr", "۰٫۳٫۵"), ("--x", "۰٫۳۵,"), ("--weights", "w13=۱٫۲٫۳"), ("--layers", "۲٫۵,۱")],
)
def test_bad_persian_numbers_are_one_line_and_exit_2(option, value):
    result = run("q3", option, value)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert option in lines[0]
    assert "Traceback" not in result.output


def test_a_document_language_with_a_format_that_is_not_a_document_is_refused():
    result = run("q3", "--lang", "fa")  # text is the terminal's output, English only
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: Invalid value for --lang: --lang fa writes md and tex; --format text is English only"
    ]
    assert run("q3", "--lang", "xx", "--format", "md").exit_code == 2


def test_a_command_in_persian_gives_the_caller_its_language_back():
    from hwsolve.i18n import language

    assert run("q3", "--lang", "fa", "--format", "md").exit_code == 0
    assert language() == "en"  # the next command in this process (or test) writes English again
    assert "Forward pass" in run("q3", "--format", "md").output
