"""Answer sheets (hwsolve.course.sheet) and typed numbers (hwsolve.digits).

Every expectation is written here: the float a literal means is Python's own
float() of the Latin literal, the decimals are counted by hand, and the paths a
full sheet must give back are the literals this file wrote into it.
"""

from __future__ import annotations

import math
import pickle
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hwsolve.course.answers import ANSWER_PATHS, VECTOR_PATHS
from hwsolve.course.sheet import GivenNumber, Sheet, SheetError, blank_sheet, parse_sheet, read_sheet
from hwsolve.digits import decimals_written, normalise_digits, parse_number
from hwsolve.errors import HwsolveError

TO_PERSIAN = str.maketrans("0123456789.-", "۰۱۲۳۴۵۶۷۸۹٫−")
TO_ARABIC_INDIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")

HOMEWORK_SHEET = """\
student = "s001"
[q1b]
train = [-9, 0, 6, 0, 3]        # training-time output at the variant's p
test = [-4.5, -0.75, 3, 6, 1.5]
[q3]
loss = 0.0362
[q3.forward]                    # net input and output of every non-input neuron
H3 = 0.755
y3 = 0.6803                     # also H4, y4, O5, y5
[q3.gradients]
w13 = 0.00186                   # all six weights
[q3.updated]
w13 = 0.0981                    # all six weights
"""


def sheet_of(body: str, student: str = "s001") -> Sheet:
    return parse_sheet(f'student = "{student}"\n{body}', "sheet.toml")


def texts(answer: GivenNumber | tuple[GivenNumber, ...]) -> tuple[str, ...]:
    assert isinstance(answer, tuple)
    return tuple(number.text for number in answer)


def values(answer: GivenNumber | tuple[GivenNumber, ...]) -> tuple[float, ...]:
    assert isinstance(answer, tuple)
    return tuple(number.value for number in answer)


def scalar(sheet: Sheet, path: str) -> GivenNumber:
    answer = sheet.answers[path]
    assert isinstance(answer, GivenNumber)
    return answer


# --- hwsolve.digits ---------------------------------------------------------------------------------------------


def test_normalise_digits_maps_persian_and_arabic_indic_digits_separator_and_minus():
    assert normalise_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert normalise_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalise_digits(" \t−۴٫۵\n") == "-4.5"
    assert normalise_digits("٬abc,١") == "٬abc,1"  # the thousands separator and letters are left as they are


@pytest.mark.parametrize(
    ("typed", "latin"),
    [
        ("۰٫۶۸", "0.68"),
        ("٠٫٦٨", "0.68"),
        ("-۴٫۵", "-4.5"),
        ("−۴٫۵", "-4.5"),
        ("1e-3", "1e-3"),
        ("۱e-۳", "1e-3"),
        ("+3", "3"),
        (" 7 ", "7"),
        ("0.1", "0.1"),
        ("2.50E1", "25"),
        (".5", "0.5"),
        ("5.", "5"),
    ],
)
def test_parse_number_gives_the_float64_of_the_latin_literal(typed, latin):
    assert parse_number(typed).hex() == float(latin).hex()  # the same float64 bit for bit, not merely close


def test_parse_number_examples_of_the_brief():
    assert parse_number("۰٫۶۸") == 0.68
    assert parse_number("-۴٫۵") == -4.5
    assert parse_number("1e-3") == 0.001


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "abc", "0.3.5", "1,5", "nan", "inf", "-inf", "NaN", "1e999", "-1e999", ".", "-", "1e", "e5", "1_000"]
    + ["0x1F", "1 2", "--1", "१२", "۰٫۳٫۵", "1.5.", "٫", "3\n4"],
)
def test_parse_number_rejects_what_is_not_a_finite_decimal_literal(typed):
    with pytest.raises(ValueError) as raised:
        parse_number(typed)
    message = str(raised.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(repr(typed))


def test_parse_number_quotes_the_persian_text_as_typed():
    with pytest.raises(ValueError, match=r"^'۰٫۳٫۵' is not a number$"):
        parse_number("۰٫۳٫۵")


def test_parse_number_shortens_a_pasted_paragraph_in_its_message():
    with pytest.raises(ValueError) as raised:
        parse_number("x" * 500)
    assert str(raised.value) == "'" + "x" * 40 + "'... is not a number"


@pytest.mark.parametrize(
    ("text", "decimals"),
    [
        ("0.0980", 4),
        ("3", 0),
        ("-7.5", 1),
        ("-7.50", 2),
        ("1.5e-3", 4),
        ("2e2", 0),
        ("2.50e1", 1),
        ("2.5e+1", 0),
        ("1e-05", 5),
        ("1.25E-2", 4),
        ("5.", 0),
        (".500", 3),
        ("۰٫۰۹۸۰", 4),
        ("-٠٫٥", 1),
        ("1e-" + "9" * 5000, 10**18),  # an absurd exponent is clamped, not refused by int()
    ],
)
def test_decimals_written(text, decimals):
    assert decimals_written(text) == decimals


def test_decimals_written_rejects_what_is_not_a_number():
    with pytest.raises(ValueError, match="is not a number"):
        decimals_written("0.3.5")


def to_persian(text: str) -> str:
    return text.translate(TO_PERSIAN)


FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(FINITE)
def test_persian_and_arabic_indic_digits_give_the_same_float64_as_latin(number):
    latin = repr(number)
    assert parse_number(to_persian(latin)).hex() == number.hex()
    assert parse_number(latin.translate(TO_ARABIC_INDIC)).hex() == number.hex()


# --- hwsolve.course.sheet: reading ------------------------------------------------------------------------------


def test_the_homework_sheet_of_the_brief():
    sheet = parse_sheet(HOMEWORK_SHEET, "sheets/s001.toml")
    assert sheet.path == "sheets/s001.toml"
    assert sheet.student == "s001"
    assert list(sheet.answers) == [
        "q1b.train",
        "q1b.test",
        "q3.loss",
        "q3.forward.H3",
        "q3.forward.y3",
        "q3.gradients.w13",
        "q3.updated.w13",
    ]
    assert values(sheet.answers["q1b.train"]) == (-9.0, 0.0, 6.0, 0.0, 3.0)
    assert texts(sheet.answers["q1b.train"]) == ("-9", "0", "6", "0", "3")
    assert values(sheet.answers["q1b.test"]) == (-4.5, -0.75, 3.0, 6.0, 1.5)
    assert texts(sheet.answers["q1b.test"]) == ("-4.5", "-0.75", "3", "6", "1.5")
    assert scalar(sheet, "q3.loss") == GivenNumber(0.0362, "0.0362")
    assert scalar(sheet, "q3.forward.H3") == GivenNumber(0.755, "0.755")
    assert scalar(sheet, "q3.forward.y3") == GivenNumber(0.6803, "0.6803")
    assert scalar(sheet, "q3.gradients.w13") == GivenNumber(0.00186, "0.00186")
    assert scalar(sheet, "q3.updated.w13") == GivenNumber(0.0981, "0.0981")
    assert scalar(sheet, "q3.gradients.w13").decimals == 5


def test_trailing_zeros_are_kept_as_written():
    sheet = sheet_of("[q3]\nloss = 0.0980\n[q3.updated]\nw13 = -7.50\nw23 = 2.50e1\nw14 = 1.5e-3\nw24 = 3\n")
    assert scalar(sheet, "q3.loss") == GivenNumber(0.098, "0.0980")
    assert scalar(sheet, "q3.loss").decimals == 4
    written = [scalar(sheet, f"q3.updated.{name}") for name in ("w13", "w23", "w14", "w24")]
    assert [(number.text, number.decimals) for number in written] == [
        ("-7.50", 2),
        ("2.50e1", 1),
        ("1.5e-3", 4),
        ("3", 0),
    ]
    assert [number.value for number in written] == [-7.5, 25.0, 0.0015, 3.0]


def test_a_multi_line_array_with_comments_keeps_each_literal():
    body = """\
[q1b]
train = [
    -9.0,    # the first = kept # (a comment with '=' and '#')
    0.10,
    6e0, 0.000,
    # a whole line of comment, "quoted", = and #
    3.250,   # a trailing comma follows
]
"""
    answer = sheet_of(body).answers["q1b.train"]
    assert texts(answer) == ("-9.0", "0.10", "6e0", "0.000", "3.250")
    assert values(answer) == (-9.0, 0.1, 6.0, 0.0, 3.25)
    assert isinstance(answer, tuple)
    assert [number.decimals for number in answer] == [1, 2, 0, 3, 3]


def test_comments_and_strings_holding_hash_and_equals_do_not_disturb_the_numbers():
    body = """\
[q3]   # [q9] = 1 is only a comment
loss = "0.50"  # loss = 9 # not this
[q3.forward]
H3 = 0.7550 # y3 = 1
y3 = "۰٫۶۸۰۰"
"""
    sheet = parse_sheet('student = "s#001 = [x]"  # student = "other"\n' + body, "sheet.toml")
    assert sheet.student == "s#001 = [x]"
    assert scalar(sheet, "q3.loss") == GivenNumber(0.5, "0.50")
    assert scalar(sheet, "q3.forward.H3") == GivenNumber(0.755, "0.7550")
    assert scalar(sheet, "q3.forward.y3") == GivenNumber(0.68, "0.6800")
    assert set(sheet.answers) == {"q3.loss", "q3.forward.H3", "q3.forward.y3"}


def test_dotted_keys_and_inline_tables():
    body = """\
q1b.test = [1.50, -2]
[q3]
loss = 0.0360
forward.H3 = 0.7550
gradients = { w13 = 1.0e-3, w23 = "۰٫۰۰۲۰" }
updated.w13 = 0.0980
"""
    sheet = sheet_of(body)
    assert texts(sheet.answers["q1b.test"]) == ("1.50", "-2")
    assert {path: (answer.value, answer.text) for path, answer in sheet.answers.items() if path != "q1b.test"} == {
        "q3.loss": (0.036, "0.0360"),
        "q3.forward.H3": (0.755, "0.7550"),
        "q3.gradients.w13": (0.001, "1.0e-3"),
        "q3.gradients.w23": (0.002, "0.0020"),
        "q3.updated.w13": (0.098, "0.0980"),
    }


def test_multi_line_strings_before_the_numbers():
    body = '''\
[q3]
loss = """
0.0362
"""
[q3.forward]
H3 = \'\'\'0.7550\'\'\'
y3 = 0.680
'''
    sheet = sheet_of(body)
    assert scalar(sheet, "q3.loss") == GivenNumber(0.0362, "0.0362")
    assert scalar(sheet, "q3.forward.H3") == GivenNumber(0.755, "0.7550")
    assert scalar(sheet, "q3.forward.y3") == GivenNumber(0.68, "0.680")


def test_a_float_with_underscores_is_accepted_and_its_text_has_none():
    sheet = sheet_of("[q3]\nloss = 1_000.5\n[q3.forward]\nH3 = 0.000_1\nH4 = 1_000\n")
    assert scalar(sheet, "q3.loss") == GivenNumber(1000.5, "1000.5")
    assert scalar(sheet, "q3.forward.H3") == GivenNumber(0.0001, "0.0001")
    assert scalar(sheet, "q3.forward.H3").decimals == 4
    assert scalar(sheet, "q3.forward.H4") == GivenNumber(1000.0, "1000")


def test_persian_and_arabic_indic_strings_give_the_latin_floats():
    body = """\
[q1b]
train = ["-۹", "۰", "۶", "۰", "۳"]
test = ["-۴٫۵", "−٠٫٧٥", 3, "٦", "۱٫۵"]
[q3]
loss = "۰٫۰۳۶۲"
[q3.forward]
H3 = "٠٫٧٥٥"
"""
    sheet = sheet_of(body)
    assert values(sheet.answers["q1b.train"]) == (-9.0, 0.0, 6.0, 0.0, 3.0)
    assert texts(sheet.answers["q1b.test"]) == ("-4.5", "-0.75", "3", "6", "1.5")
    assert values(sheet.answers["q1b.test"]) == (-4.5, -0.75, 3.0, 6.0, 1.5)
    assert scalar(sheet, "q3.loss").value.hex() == float("0.0362").hex()
    assert scalar(sheet, "q3.loss").text == "0.0362"
    assert scalar(sheet, "q3.forward.H3").value.hex() == float("0.755").hex()


def test_blank_answers_are_missing():
    sheet = sheet_of('[q1b]\ntrain = ""\ntest = [1, 2]\n[q3]\nloss = "  "\n[q3.forward]\nH3 = 0.5\n')
    assert set(sheet.answers) == {"q1b.test", "q3.forward.H3"}


def test_answers_come_in_the_order_of_the_answer_paths_whatever_the_sheet_order():
    sheet = sheet_of("[q3.updated]\nw45 = 1\nw13 = 2\n[q3]\nloss = 3\n[q1b]\ntest = [4]\n")
    assert list(sheet.answers) == ["q1b.test", "q3.loss", "q3.updated.w13", "q3.updated.w45"]


def test_an_integer_student_id_is_a_string():
    assert sheet_of("", student="x").student == "x"
    assert parse_sheet("student = 1042\n", "sheet.toml").student == "1042"
    assert parse_sheet('student = "  s007 "\n', "sheet.toml").student == "s007"


def full_sheet_literals() -> dict[str, str | list[str]]:
    """A literal for every answer path, each with decimals a float64 repr would lose (trailing zeros)."""
    literals: dict[str, str | list[str]] = {}
    for index, path in enumerate(ANSWER_PATHS):
        if path in VECTOR_PATHS:
            literals[path] = [f"-{index}.50", "0.0", f"{index}e-2", "7"]
        else:
            literals[path] = f"0.{index:03d}0"
    return literals


def toml_of(literals: dict[str, str | list[str]]) -> str:
    """Written here by hand, table by table, independent of blank_sheet."""
    lines = ['student = "s042"']
    table = None
    for path, literal in literals.items():
        header, _, key = path.rpartition(".")
        if header != table:
            lines.append(f"[{header}]")
            table = header
        lines.append(f"{key} = [{', '.join(literal)}]" if isinstance(literal, list) else f"{key} = {literal}")
    return "\n".join(lines) + "\n"


def test_a_full_sheet_gives_back_every_answer_path():
    literals = full_sheet_literals()
    sheet = parse_sheet(toml_of(literals), "full.toml")
    assert sheet.student == "s042"
    assert list(sheet.answers) == list(ANSWER_PATHS)
    for path, literal in literals.items():
        answer = sheet.answers[path]
        if isinstance(literal, list):
            assert texts(answer) == tuple(literal)
            assert values(answer) == tuple(float(item) for item in literal)
        else:
            assert answer == GivenNumber(float(literal), literal)
            assert isinstance(answer, GivenNumber)
            assert answer.decimals == 4


def test_read_sheet_reads_a_file_and_names_it_as_given(tmp_path):
    path = tmp_path / "s001.toml"
    path.write_text(HOMEWORK_SHEET, encoding="utf-8")
    assert read_sheet(path) == parse_sheet(HOMEWORK_SHEET, str(path))
    assert read_sheet(str(path)).path == str(path)


def test_read_sheet_accepts_a_byte_order_mark_and_windows_line_ends(tmp_path):
    path = tmp_path / "s001.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HOMEWORK_SHEET.replace("\n", "\r\n").encode("utf-8"))
    sheet = read_sheet(path)
    assert sheet.student == "s001"
    assert scalar(sheet, "q3.loss") == GivenNumber(0.0362, "0.0362")


# --- hwsolve.course.sheet: the blank sheet ----------------------------------------------------------------------


def test_a_blank_sheet_parses_with_every_path_empty_and_reads_back_with_no_answers():
    text = blank_sheet("s001")
    document = tomllib.loads(text)
    empty = {}
    for path in ANSWER_PATHS:
        node = document
        for part in path.split("."):
            node = node[part]
        empty[path] = node
    assert empty == dict.fromkeys(ANSWER_PATHS, "")
    sheet = parse_sheet(text, "blank.toml")
    assert sheet == Sheet(path="blank.toml", student="s001", answers={})


def test_a_blank_sheet_lists_the_paths_in_order_each_with_a_comment():
    keys = [line.split(" = ", 1)[0] for line in blank_sheet("s001").splitlines() if ' = ""' in line]
    assert keys == [path.rpartition(".")[2] for path in ANSWER_PATHS]
    for line in blank_sheet("s001").splitlines():
        if ' = ""' in line:
            assert "  # " in line
    assert 'train = ""  # ' in blank_sheet("s001")
    assert "training-time output at your p" in blank_sheet("s001")


def test_a_filled_in_blank_sheet_reads_the_answers():
    text = blank_sheet("s001").replace('loss = ""', 'loss = "۰٫۰۳۶۰"').replace('H3 = ""', "H3 = 0.7550")
    text = text.replace('train = ""', "train = [-9, 0, 6, 0, 3]")
    sheet = parse_sheet(text, "filled.toml")
    assert scalar(sheet, "q3.loss") == GivenNumber(0.036, "0.0360")
    assert scalar(sheet, "q3.forward.H3") == GivenNumber(0.755, "0.7550")
    assert values(sheet.answers["q1b.train"]) == (-9.0, 0.0, 6.0, 0.0, 3.0)
    assert set(sheet.answers) == {"q3.loss", "q3.forward.H3", "q1b.train"}


@pytest.mark.parametrize("student", ['s"1', "back\\slash", "new\nline", "del\x7f", "تست1", "tab\there"])
def test_a_blank_sheet_for_an_awkward_student_id_still_parses(student):
    assert parse_sheet(blank_sheet(student), "blank.toml").student == student.strip()


def test_persian_digits_in_the_student_id_are_the_latin_id():
    assert parse_sheet('student = "تست۱۲"\n', "s.toml").student == "تست12"


# --- hwsolve.course.sheet: rejections ---------------------------------------------------------------------------

REJECTED = [
    ('student = "a"\n[q3]\nloss = = 1\n', "not valid TOML"),
    ('student = "a"\n[q3]\nloss = 1\nloss = 2\n', "not valid TOML"),
    ("[q3]\nloss = 1\n", "no student"),
    ("student = 1.5\n", "student must be a string"),
    ("student = true\n", "student must be a string"),
    ('student = ["s001"]\n', "student must be a string"),
    ("student = 1979-05-27\n", "student must be a string"),
    ('student = ""\n', "student is empty"),
    ('student = "a"\n[q2]\nx = 1\n', "unknown answer q2 "),
    ('student = "a"\nextra = 1\n', "unknown answer extra "),
    ('student = "a"\n[q3.forward]\nH9 = 1\n', "unknown answer q3.forward.H9 "),
    ('student = "a"\n[q3.forward]\nh3 = 1\n', "did you mean q3.forward.H3?"),
    ('student = "a"\n[q3]\nforward = { H3 = 1, X = 2 }\n', "unknown answer q3.forward.X "),
    ('student = "a"\n"q3.loss" = 1\n', 'unknown answer "q3.loss"'),
    ('student = "a"\n[q3]\nloss = "abc"\n', "q3.loss: 'abc' is not a number"),
    ('student = "a"\n[q3]\nloss = "۰٫۳٫۵"\n', "q3.loss: '۰٫۳٫۵' is not a number"),
    ('student = "a"\n[q3]\nloss = "1e999"\n', "q3.loss: '1e999' is not a finite number"),
    ('student = "a"\n[q3]\nloss = nan\n', "q3.loss: nan is not a finite number"),
    ('student = "a"\n[q3]\nloss = -inf\n', "q3.loss: -inf is not a finite number"),
    ('student = "a"\n[q3]\nloss = 1' + "0" * 400 + "\n", "q3.loss: a very large integer is too large"),
    ('student = "a"\n[q3]\nloss = 1979-05-27\n', "q3.loss: 1979-05-27 is not a number"),
    ('student = "a"\n[q3]\nloss = true\n', "q3.loss: true is not a number"),
    ('student = "a"\n[q1b]\ntrain = [1, false]\n', "q1b.train (number 2): false is not a number"),
    ('student = "a"\n[q1b]\ntrain = [1, "x", 3]\n', "q1b.train (number 2): 'x' is not a number"),
    ('student = "a"\n[q1b]\ntrain = [1, ""]\n', "q1b.train (number 2): '' is not a number"),
    ('student = "a"\n[q1b]\ntrain = 3\n', "q1b.train must be a list of numbers such as [1, -2.5, 0], not 3"),
    ('student = "a"\n[q1b]\ntrain = "1, 2, 3"\n', "q1b.train must be a list of numbers"),
    ('student = "a"\n[q1b]\ntrain = []\n', "q1b.train is an empty list"),
    ('student = "a"\n[q1b]\ntrain = [[1, 2]]\n', "q1b.train (number 1) must be a number, not a list"),
    ('student = "a"\n[q1b]\ntrain = [{ a = 1 }]\n', "q1b.train (number 1) must be a number, not a table"),
    ('student = "a"\n[q3]\nloss = [1, 2]\n', "q3.loss must be one number, not a list [1, 2]"),
    ('student = "a"\n[q3.loss]\nx = 1\n', "q3.loss must be a number, not a table"),
    ('student = "a"\n[q3]\nloss = { value = 1 }\n', "q3.loss must be a number, not a table"),
    ('student = "a"\n[q3]\nforward = 1\n', "q3.forward must be a table of answers such as q3.forward.H3, not 1"),
    ('student = "a"\nq1b = [1, 2]\n', "q1b must be a table of answers such as q1b.train"),
    ('student = "a"\n[[q3]]\nloss = 1\n', "q3 must be a table of answers"),
    ("student = 1" + "0" * 30 + "\n", "student must be a string"),
    ('student = "a"\n[q3]\nloss = 1' + "0" * 5000 + "\n", "an integer too long to read"),
    ('student = "a"\n[q3]\nloss = ' + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
]


@pytest.mark.parametrize(("text", "reason"), REJECTED)
def test_each_rejection_is_one_line_naming_the_sheet(text, reason):
    with pytest.raises(SheetError) as raised:
        parse_sheet(text, "sheets/bad.toml")
    error = raised.value
    assert isinstance(error, HwsolveError)
    assert error.sheet == "sheets/bad.toml"
    assert reason in error.reason
    assert str(error) == f"sheets/bad.toml: {error.reason}"
    assert len(str(error).splitlines()) == 1


def test_malformed_toml_says_where():
    with pytest.raises(SheetError) as raised:
        parse_sheet('student = "a"\n[q3]\nloss = = 1\n', "bad.toml")
    assert "line 3" in str(raised.value)


def test_the_unknown_answer_message_lists_what_belongs_there():
    with pytest.raises(SheetError) as raised:
        parse_sheet('student = "a"\n[q3.forward]\nH9 = 1\n', "bad.toml")
    assert str(raised.value) == (
        "bad.toml: unknown answer q3.forward.H9 (the answers under q3.forward are: q3.forward.H3, q3.forward.y3, "
        "q3.forward.H4, q3.forward.y4, q3.forward.O5, q3.forward.y5)"
    )


def unreadable(tmp_path: Path) -> list[tuple[Path, str]]:
    missing = tmp_path / "missing.toml"
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('student = "Zoë"\n'.encode("latin-1"))
    utf16 = tmp_path / "utf16.toml"
    utf16.write_bytes('student = "s001"\n'.encode("utf-16"))
    return [
        (missing, "cannot read it: No such file or directory"),
        (folder, "is a folder"),
        (latin1, "is not UTF-8 text (byte 0xeb at 13)"),
        (utf16, "is saved as UTF-16"),
    ]


def test_an_unreadable_file_is_one_line_naming_it(tmp_path):
    for path, reason in unreadable(tmp_path):
        with pytest.raises(SheetError) as raised:
            read_sheet(path)
        assert raised.value.sheet == str(path)
        assert str(raised.value).startswith(f"{path}: ")
        assert reason in str(raised.value)
        assert len(str(raised.value).splitlines()) == 1


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path):
    with pytest.raises(SheetError) as raised:
        read_sheet(tmp_path / "two\nlines.toml")
    assert "\n" not in str(raised.value)
    assert "two\\nlines.toml: cannot read it" in str(raised.value)


def test_a_path_with_a_nul_byte_is_one_line():
    with pytest.raises(SheetError) as raised:
        read_sheet("bad\0.toml")
    assert str(raised.value) == "bad\0.toml: cannot read it: embedded null byte"


def test_given_values_are_plain_floats():
    sheet = parse_sheet(HOMEWORK_SHEET, "s001.toml")
    for answer in sheet.answers.values():
        for number in answer if isinstance(answer, tuple) else (answer,):
            assert type(number.value) is float  # no subclass leaks out: JSON, pickle and == behave as for any float


def test_a_sheet_error_pickles_whole_for_a_worker_process():
    error = SheetError("s.toml", "q3.loss: 'abc' is not a number")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.sheet, copy.reason, str(copy)) == ("s.toml", "q3.loss: 'abc' is not a number", str(error))
    assert str(copy) == "s.toml: q3.loss: 'abc' is not a number"


# --- properties -------------------------------------------------------------------------------------------------


@given(FINITE)
def test_a_float_written_with_repr_round_trips_value_and_text(number):
    sheet = sheet_of(f"[q3]\nloss = {number!r}\n")
    given_number = scalar(sheet, "q3.loss")
    assert given_number.text == repr(number)
    assert given_number.value.hex() == number.hex()  # -0.0 stays -0.0


@given(FINITE)
def test_a_float_written_in_persian_digits_round_trips_value_and_text(number):
    sheet = sheet_of(f'[q3]\nloss = "{to_persian(repr(number))}"\n')
    assert scalar(sheet, "q3.loss").text == repr(number)
    assert scalar(sheet, "q3.loss").value.hex() == number.hex()


@given(st.lists(FINITE, min_size=1, max_size=8))
def test_a_vector_of_floats_spread_over_lines_round_trips(numbers):
    body = "[q1b]\ntrain = [\n" + "".join(f"  {number!r},  # = #\n" for number in numbers) + "]\n"
    answer = sheet_of(body).answers["q1b.train"]
    assert texts(answer) == tuple(repr(number) for number in numbers)
    assert [value.hex() for value in values(answer)] == [number.hex() for number in numbers]


def test_a_given_number_counts_its_decimals():
    assert GivenNumber(0.098, "0.0980").decimals == 4
    assert GivenNumber(25.0, "2.50e1").decimals == 1
    assert math.isclose(GivenNumber(0.0015, "1.5e-3").value, 0.0015)


@pytest.mark.parametrize("separator", [",", "،", "؛"])
def test_a_list_quoted_whole_on_a_persian_keyboard_is_the_same_list(separator):
    typed = separator.join(["۰٫۷۵", " ۱٫۲۵", " ۲", " ۰", " -۳٫۷۵"])
    sheet = sheet_of(f'[q1b]\ntrain = "[{typed}]"\n')
    assert values(sheet.answers["q1b.train"]) == (0.75, 1.25, 2.0, 0.0, -3.75)
    assert texts(sheet.answers["q1b.train"]) == ("0.75", "1.25", "2", "0", "-3.75")  # decimals as written
    with pytest.raises(SheetError, match="q1b.train"):
        sheet_of('[q1b]\ntrain = "[۰٫۷۵، abc]"\n')
