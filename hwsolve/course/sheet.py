"""A student's TOML answer sheet: read, checked against the answer paths, each number kept as written.

The format is a contract with the students (``blank_sheet`` writes it)::

    student = "s001"
    [q1b]
    train = [-9, 0, 6, 0, 3]
    test = [-4.5, -0.75, 3, 6, 1.5]
    [q3]
    loss = 0.0362
    [q3.forward]
    H3 = 0.755        # H3, y3, H4, y4, O5, y5
    [q3.gradients]
    w13 = 0.00186     # w13, w23, w14, w24, w35, w45
    [q3.updated]
    w13 = 0.0981

The answer paths are exactly hwsolve.course.answers.ANSWER_PATHS, the vectors
VECTOR_PATHS. A number may be a TOML integer or float, or a string, where
Persian and Arabic-Indic digits and '٫' are accepted (hwsolve.digits). A path
left out, or given as "", is missing. Grading counts the decimals a student
wrote (0.0980 claims four), so each number keeps its text as written: tomllib's
``parse_float`` hook is handed every float's literal exactly as it stands in
the source, so no literal is re-derived from the value.

Public API: ``GivenNumber`` (value, text, decimals), ``Sheet`` (path,
student, answers by path), ``SheetError`` (a HwsolveError with ``sheet`` and
``reason``; one line, "<sheet>: <reason>"), ``read_sheet(path)``,
``parse_sheet(text, path)`` and ``blank_sheet(student)``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hwsolve.course.answers import ANSWER_PATHS, Q3_NEURONS, Q3_WEIGHTS, VECTOR_PATHS
from hwsolve.digits import decimals_written, normalise_digits, parse_number
from hwsolve.errors import HwsolveError
from hwsolve.i18n import N_, _


@dataclass(frozen=True)
class GivenNumber:
    """One number as the student gave it: its float64 value and its text (digits in ASCII)."""

    value: float
    text: str  # e.g. "0.0980": the trailing zero is the student's claim of precision

    @property
    def decimals(self) -> int:
        return decimals_written(self.text)


Answer = GivenNumber | tuple[GivenNumber, ...]  # a vector answer (VECTOR_PATHS) is a tuple


@dataclass(frozen=True)
class Sheet:
    """A read sheet; `answers` holds only the paths the student answered, in ANSWER_PATHS order."""

    path: str
    student: str
    answers: dict[str, Answer]


class SheetError(HwsolveError):
    """A sheet that cannot be graded; str() is one line, "<sheet>: <reason>"."""

    def __init__(self, sheet: str, reason: str) -> None:
        # Both in args, so the error pickles back whole from a worker process reading sheets in parallel.
        super().__init__(sheet, reason)
        self.sheet = sheet
        self.reason = reason

    def __str__(self) -> str:
        return _one_line(f"{self.sheet}: {self.reason}")


class _Problem(Exception):
    """What is wrong with the sheet, before parse_sheet names the sheet in a SheetError."""


class _WrittenFloat(float):
    """A TOML float that remembers its literal: tomllib hands parse_float the source text, underscores and all."""

    literal: str

    def __new__(cls, literal: str) -> _WrittenFloat:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number


_STUDENT = "student"
_HUGE_INTEGER = "a very large integer"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SHOW_LIMIT = 40  # a pasted paragraph is shown by its start: the message stays one readable line
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # everything str.splitlines splits on


def _answer_tree() -> dict[str, tuple[str, ...]]:
    """Each table of the sheet ("" the top, "q3", "q3.forward", ...) and its keys, in ANSWER_PATHS order."""
    tree: dict[str, list[str]] = {"": [_STUDENT]}
    for path in ANSWER_PATHS:
        parts = path.split(".")
        for depth in range(len(parts)):
            keys = tree.setdefault(".".join(parts[:depth]), [])
            if parts[depth] not in keys:
                keys.append(parts[depth])
    return {table: tuple(keys) for table, keys in tree.items()}


_TABLES = _answer_tree()
_ANSWERS = frozenset(ANSWER_PATHS)


def read_sheet(path: Path | str) -> Sheet:
    """Read and check the sheet at `path`; SheetError (one line) when it cannot be read or graded."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise SheetError(name, "is a folder, not an answer sheet") from None
    except (OSError, ValueError) as error:  # ValueError: a path with a NUL byte in it
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SheetError(name, f"cannot read it: {reason}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError(name, "is saved as UTF-16: save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")  # -sig: Windows editors start UTF-8 files with a byte-order mark
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise SheetError(name, f"is not UTF-8 text (byte {byte:#04x} at {error.start}): save it as UTF-8") from None
    return parse_sheet(text, name)


def parse_sheet(text: str, path: str) -> Sheet:
    """The sheet in `text`, named `path` in errors; SheetError (one line) when it cannot be graded."""
    try:
        document = _load(text.removeprefix("\ufeff"))
        student = _student(document)
        answers: dict[str, Answer] = {}
        _collect(document, (), answers)
    except _Problem as problem:
        raise SheetError(path, str(problem)) from None
    return Sheet(path=path, student=student, answers={key: answers[key] for key in ANSWER_PATHS if key in answers})


def _load(text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text, parse_float=_WrittenFloat)
    except tomllib.TOMLDecodeError as error:  # its message says where: "... (at line 3, column 8)"
        hint = ""
        if any("\u06f0" <= char <= "\u06f9" or "\u0660" <= char <= "\u0669" for char in text):
            hint = '; Persian digits must be in quotes: H3 = "۰٫۷۵۵"'
        raise _Problem(f"not valid TOML: {error}{hint}") from None
    except ValueError:  # int() inside tomllib refuses integers of over 4300 digits
        raise _Problem("not valid TOML: an integer too long to read (over 4300 digits)") from None
    except RecursionError:
        raise _Problem("not valid TOML: arrays or tables nested too deeply") from None


def _student(document: dict[str, object]) -> str:
    if _STUDENT not in document:
        raise _Problem('no student: the sheet must say whose it is, e.g. student = "s001"')
    value = document[_STUDENT]
    # An id typed without quotes (student = 1042) is an integer; bool is an int too, and no id.
    integer_id = isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 64
    if not (isinstance(value, str) or integer_id):
        raise _Problem(f'student must be a string such as "s001", not {_show(value)}')
    student = normalise_digits(str(value))  # "۱۰۴۲" is the roster's 1042
    if not student:
        raise _Problem('student is empty: write the student\'s id, e.g. student = "s001"')
    return student


def _collect(table: dict[str, object], prefix: tuple[str, ...], answers: dict[str, Answer]) -> None:
    """Check every key of `table` (the sheet's table at `prefix`) and put the answers it holds into `answers`."""
    for key, value in table.items():
        path = (*prefix, key)
        dotted = ".".join(path)
        if not prefix and key == _STUDENT:
            continue  # checked by _student
        if "." in key:  # a quoted key such as "q3.loss" = 1 would pose as a path; TOML's dotted keys nest instead
            raise _Problem(_unknown(prefix, key))
        if dotted in _ANSWERS:
            answer = _answer(dotted, value)
            if answer is not None:
                answers[dotted] = answer
        elif dotted in _TABLES:
            if not isinstance(value, dict):
                example = f"{dotted}.{_TABLES[dotted][0]}"
                raise _Problem(f"{dotted} must be a table of answers such as {example}, not {_show(value)}")
            _collect(value, path, answers)
        else:
            raise _Problem(_unknown(prefix, key))


def _unknown(prefix: tuple[str, ...], key: str) -> str:
    """'unknown answer q3.forward.H9 (...)': the full name, a near miss if there is one, and what belongs there."""
    table = ".".join(prefix)
    known = _TABLES[table]
    lead = f"{table}." if table else ""
    near = [name for name in known if name.lower() == key.lower()] or difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {lead}{near[0]}?" if near else ""
    where = f"the answers under {table}" if table else "a sheet's keys"
    listed = ", ".join(f"{lead}{name}" for name in known)
    return f"unknown answer {_name((*prefix, key))}{hint} ({where} are: {listed})"


def _answer(path: str, value: object) -> Answer | None:
    """The answer at `path`, None when left blank ("")."""
    if isinstance(value, str) and not normalise_digits(value):
        return None
    if path in VECTOR_PATHS:
        if isinstance(value, str):
            value = _quoted_list(value)  # "[۰٫۷۵، ۱٫۲۵، ...]": a list typed on a Persian keyboard, quoted whole
        if not isinstance(value, list):
            raise _Problem(f"{path} must be a list of numbers such as [1, -2.5, 0], not {_show(value)}")
        if not value:
            raise _Problem(f'{path} is an empty list: write its numbers, or "" to leave it blank')
        return tuple(_number(f"{path} (number {index})", item) for index, item in enumerate(value, start=1))
    if isinstance(value, list):
        raise _Problem(f"{path} must be one number, not a list {_show(value)}")
    return _number(path, value)


def _quoted_list(text: str) -> list[object] | str:
    """A whole list written as one string, "[۰٫۷۵، ۱٫۲۵]": its items, split on ',' or the Persian '،' and '؛'.

    TOML needs Persian digits quoted, and a student who quotes the list rather than each number means the
    same list; the items are read as quoted numbers (their decimals as written). Anything else stays a string.
    """
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        return text
    return [item.strip() for item in re.split("[,\u060c\u061b]", inner[1:-1])]


def _number(where: str, value: object) -> GivenNumber:
    if isinstance(value, bool):  # before int: TOML's true is a Python int
        raise _Problem(f"{where}: {_show(value)} is not a number")
    if isinstance(value, str):
        try:
            return GivenNumber(parse_number(value), normalise_digits(value))
        except ValueError as error:
            raise _Problem(f"{where}: {error}") from None
    if isinstance(value, int):
        if value.bit_length() > 1024:  # beyond the largest float64; float() would raise OverflowError
            raise _Problem(f"{where}: {_show(value)} is too large to be a number here")
        return GivenNumber(float(value), str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Problem(f"{where}: {_show(value)} is not a finite number")
        return GivenNumber(float(value), _float_text(value))
    if isinstance(value, dict | list):
        raise _Problem(f"{where} must be a number, not {'a table' if isinstance(value, dict) else 'a list'}")
    raise _Problem(f"{where}: {_show(value)} is not a number")  # a TOML date or time


def _float_text(value: float) -> str:
    """The float as the student wrote it (underscores dropped), checked against its value; else repr(value)."""
    if isinstance(value, _WrittenFloat):
        literal = value.literal.replace("_", "")
        try:
            if parse_number(literal) == value:
                return literal
        except ValueError:
            pass  # not a plain decimal literal after all: the value's own repr still reads as a number
    return repr(float(value))


def _name(path: tuple[str, ...]) -> str:
    """A key path as TOML writes it: bare keys as they are, others quoted (q3."a b")."""
    return ".".join(part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False) for part in path)


def _show(value: object) -> str:
    """A value from the sheet as a short piece of text for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, int) and value.bit_length() > 64:
        return _HUGE_INTEGER  # str() of a huge int is slow, and refused beyond 4300 digits
    if isinstance(value, list):
        shown = ", ".join("[...]" if isinstance(item, list) else _show(item) for item in value[:6])
        text = f"[{shown}{', ...' if len(value) > 6 else ''}]"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, float):
        text = repr(float(value))
    else:
        text = str(value)
    return text if len(text) <= _SHOW_LIMIT else text[:_SHOW_LIMIT] + "..."


def _one_line(message: str) -> str:
    """`message` with its line breaks escaped: a file name or key may hold one, and the error must stay one line."""
    return "".join(repr(char)[1:-1] if char in _LINE_BREAKS else char for char in message)


def blank_sheet(student: str) -> str:
    """The TOML text of an empty sheet for `student`: every answer path set to "" with a comment on what to write.

    The comments are in the active language (hwsolve.i18n), as the student's problem sheet beside it.
    """
    tables: dict[str, list[str]] = {}
    for path in ANSWER_PATHS:
        table, _dot, key = path.rpartition(".")
        tables.setdefault(table, []).append(key)
    header = _(
        'An answer sheet. Write each answer in place of its "": a number such as 0.0981,\n'
        "or a list of numbers in brackets where the comment asks for one. Persian digits go in quotes:\n"
        'H3 = "۰٫۷۵۵" (without quotes TOML cannot read them).\n'
        'Write the decimals you mean: 0.0980 claims four. Leave "" where you have no answer.'
    )
    lines = [f"# {line}" for line in header.split("\n")]
    lines.append(f"student = {_toml_string(student)}")
    hints = _hints()
    for table, keys in tables.items():
        if table:  # a path with no table (none today) would sit above the first header
            lines += ["", f"[{table}]" + (f"  # {_(_TABLE_NOTES[table])}" if table in _TABLE_NOTES else "")]
        lines += [f'{key} = ""  # {hints.get(f"{table}.{key}" if table else key, _("one number"))}' for key in keys]
    return "\n".join(lines) + "\n"


_TABLE_NOTES = {  # translated with _() where the sheet is written
    "q3.forward": N_("net input and output of every non-input neuron"),
    "q3.gradients": N_("the loss's gradient with respect to each weight"),
    "q3.updated": N_("each weight after one gradient-descent step"),
}


def _hints() -> dict[str, str]:
    """What to write at each path, for the blank sheet's comments, in the active language."""
    hints = {
        "q1b.train": _("a list of numbers, one per entry of x: [a, b, c, d, e], the training-time output at your p"),
        "q1b.test": _("a list of numbers, one per entry of x: [a, b, c, d, e], the test-time output at your p"),
        "q3.loss": _("one number: the loss of the forward pass, before the update"),
    }
    for neuron in Q3_NEURONS:
        hint = (
            _("one number: the output of neuron {neuron}")
            if neuron.startswith("y")
            else _("one number: the net input of neuron {neuron}")
        )
        hints[f"q3.forward.{neuron}"] = hint.format(neuron=neuron[1:])
    for weight in Q3_WEIGHTS:
        hints[f"q3.gradients.{weight}"] = _("one number: dLoss/d{weight}").format(weight=weight)
        hints[f"q3.updated.{weight}"] = _("one number: {weight} after the update").format(weight=weight)
    return hints


def _toml_string(text: str) -> str:
    """`text` as a TOML basic string: JSON's escapes are TOML's, except that TOML also forbids a raw DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
