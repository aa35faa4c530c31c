"""Hostile numbers (issue 11): every numeric option of every command, seeds, repeated options, overflow, dropout p.

The matrix of bad values is generated from the click definitions: every
command of `hwsolve` (and of its groups), every option whose type is a number
or a list of numbers. A new option is covered without editing this file. Each
bad value must be refused before any work starts: exit 2, one line on stderr
naming the option, no traceback.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hwsolve.cli import cli, main
from hwsolve.cli.common import SEED_MAX, SEED_MIN, Assignments, FiniteFloat, IntList, NumberList, SeedList

HWSOLVE = Path(sys.executable).parent / "hwsolve"
NON_FINITE = ("nan", "NaN", "inf", "-inf", "1e999")  # 1e999 parses to inf
HUGE_INTEGER = "9" * 400


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    """(argv prefix, command) for every leaf command, subgroups included."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def is_numeric(kind: click.ParamType) -> bool:
    return isinstance(kind, (click.types.IntParamType, click.types.FloatParamType, NumberList))


def numeric_options():
    for path, command in commands():
        for param in command.params:
            if isinstance(param, click.Option) and is_numeric(param.type):
                yield path, param


def _below(low, is_int: bool, open_: bool) -> list[str]:
    return [str(low)] if open_ else [str(low - 1 if is_int else low - 1.0)]


def out_of_range(kind: click.ParamType) -> list[str]:
    """Values the type's own bounds refuse: just below its minimum, just above its maximum, and far above."""
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        is_int = isinstance(kind, click.IntRange)
        values = _below(kind.min, is_int, kind.min_open) if kind.min is not None else []
        if kind.max is not None:
            values += [str(kind.max) if kind.max_open else str(kind.max + 1), HUGE_INTEGER if is_int else "1e308"]
        return values
    if isinstance(kind, (IntList, SeedList)):
        values = [str(kind.minimum - 1)] if kind.minimum is not None else []
        return values + ([str(kind.maximum + 1), HUGE_INTEGER] if kind.maximum is not None else [])
    return []


def hostile_values(kind: click.ParamType) -> list[str]:
    if isinstance(kind, Assignments):
        return [f"w13={value}" for value in NON_FINITE] + ["w13=0.1,w23=nan"]
    if isinstance(kind, NumberList):
        return [*NON_FINITE, "1,nan", "1,inf", *out_of_range(kind)]
    return [*NON_FINITE, *out_of_range(kind)]


CASES = [
    pytest.param(path, param.opts[0], value, id=f"{' '.join(path)} {param.opts[0]} {value[:12]}")
    for path, param in numeric_options()
    for value in hostile_values(param.type)
]


def assert_one_line_refusal(result, option: str, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert option in lines[0], lines[0]
    return lines[0]


def test_the_generated_matrix_covers_every_command():
    covered = {path for path, _, _ in (case.values for case in CASES)}
    assert {("q1",), ("q2",), ("q3",), ("q4",), ("report",), ("data", "fetch")} <= covered
    assert len(CASES) > 150


@pytest.mark.parametrize(("path", "option", "value"), CASES)
def test_a_hostile_number_is_refused_before_any_work(path, option, value):
    result = CliRunner().invoke(cli, [*path, option, value], catch_exceptions=False)
    assert_one_line_refusal(result, option)


@pytest.mark.parametrize(
    ("path", "param"),
    [pytest.param(path, param, id=f"{' '.join(path)} {param.opts[0]}") for path, param in numeric_options()],
)
def test_every_float_option_refuses_non_finite_values_by_type(path, param):
    # click's own FLOAT and FloatRange let nan through (nan fails no comparison): only FiniteFloat is allowed.
    if isinstance(param.type, click.types.FloatParamType):
        assert isinstance(param.type, FiniteFloat), f"{' '.join(path)} {param.opts[0]} uses {param.type!r}"


# Seeds ----------------------------------------------------------------------------------------------------


def seed_options():
    # --seed everywhere, and lists of seeds (q4 --seeds); q1's --seeds is a count, not a seed.
    return [
        (path, param)
        for path, command in commands()
        for param in command.params
        if param.name == "seed" or isinstance(param.type, SeedList)
    ]


def test_every_seed_option_has_the_one_range_and_says_it_in_help():
    found = seed_options()
    assert {path for path, _ in found} >= {("q1",), ("q2",), ("q4",), ("report",)}
    assert any(isinstance(param.type, SeedList) for _, param in found)
    for path, param in found:
        kind = param.type
        bounds = (kind.min, kind.max) if isinstance(kind, click.IntRange) else (kind.minimum, kind.maximum)
        assert bounds == (SEED_MIN, SEED_MAX) == (0, 2**32 - 1), (path, param.name)
        assert f"{SEED_MIN} to {SEED_MAX}" in param.help, (path, param.name)


def run(*args, timeout=300):
    return subprocess.run([str(HWSOLVE), *args], capture_output=True, text=True, timeout=timeout)


def assert_one_line(completed, code: int) -> str:
    assert completed.returncode == code, (completed.returncode, completed.stderr)
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    return lines[0]


@pytest.mark.parametrize("seed", ["-1", str(SEED_MAX + 1), HUGE_INTEGER])
def test_q2_seed_out_of_range_is_one_line(seed):
    line = assert_one_line(run("q2", "--seed", seed), 2)
    assert "--seed" in line and str(SEED_MAX) in line


@pytest.mark.parametrize("args", [["q2"], ["q1", "--part", "b"], ["q1", "--part", "d"]])
def test_the_largest_seed_works_everywhere_it_is_derived_from(args):
    # q2 checks seeds seed .. seed + 9, q1 b draws with seed + 1: the derived seeds must be accepted too.
    completed = run(*args, "--seed", str(SEED_MAX), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    json.loads(completed.stdout)


@pytest.mark.skipif(
    not Path(os.environ.get("HWSOLVE_DATA", "/nonexistent")).is_dir(), reason="needs MNIST in $HWSOLVE_DATA"
)
def test_q4_largest_seed_trains(tmp_path):
    # Q4 derives seed * 1000 + stream for torch and numpy's PCG64.
    completed = run(
        "q4",
        "--seed",
        str(SEED_MAX),
        "--configs",
        "relu/cross_entropy/sgd",
        "--epochs",
        "1",
        "--limit-train",
        "1280",
        "--out",
        str(tmp_path / "q4"),
        "--no-progress",
        "--format",
        "json",
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize(
    ("seeds", "fragment"), [("0-4294967296", "within 0 to"), ("0-100", "at most 100"), ("-1", "expected")]
)
def test_q4_seed_lists_are_bounded(seeds, fragment):
    line = assert_one_line_refusal(CliRunner().invoke(cli, ["q4", "--seeds", seeds], catch_exceptions=False), "--seeds")
    assert fragment in line


# Repeated options -------------------------------------------------------------------------------------------


def single_valued_options():
    for path, command in commands():
        for param in command.params:
            if isinstance(param, click.Option) and not (param.multiple or param.count):
                yield path, param


def twice(param: click.Option) -> list[str]:
    if param.is_flag:
        return [param.opts[0], (param.secondary_opts or param.opts)[0]]
    return [param.opts[0], "1", param.opts[0], "1"]


@pytest.mark.parametrize(
    ("path", "param"),
    [pytest.param(path, param, id=f"{' '.join(path)} {param.opts[0]}") for path, param in single_valued_options()],
)
def test_a_single_valued_option_given_twice_is_refused(path, param):
    result = CliRunner().invoke(cli, [*path, *twice(param)], catch_exceptions=False)
    line = assert_one_line_refusal(result, param.opts[0])
    assert "more than once" in line


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_repeated_weights_merge():
    completed = run("q3", "--weights", "w13=0.5", "--weights", "w23=0.1", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert dict(data["problem"]["weights"]) == {"w13": 0.5, "w23": 0.1, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}
    # The homework's network by hand, with both given weights.
    y3, y4 = _sigmoid(0.35 * 0.5 + 0.9 * 0.1), _sigmoid(0.35 * 0.4 + 0.9 * 0.6)
    assert data["loss"] == pytest.approx((0.5 - _sigmoid(0.3 * y3 + 0.9 * y4)) ** 2, rel=1e-12)


def test_repeated_weight_with_the_same_value_is_one_weight():
    completed = run("q3", "--weights", "w13=0.5", "--weights", "w13=0.5", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    assert dict(json.loads(completed.stdout)["problem"]["weights"])["w13"] == 0.5


@pytest.mark.parametrize(
    "args", [["--weights", "w13=0.5", "--weights", "w13=0.1"], ["--biases", "b3=1", "--biases", "b3=2"]]
)
def test_repeated_name_with_two_values_is_refused(args):
    line = assert_one_line(run("q3", *args), 2)
    assert args[0] in line and "duplicate" in line


# Overflow and absurd sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "overflowed"),
    [
        (["--lr", "1e150", "--activation", "identity", "--steps", "3"], "the loss"),
        (["--lr", "1e50", "--activation", "identity", "--steps", "3"], "step 2"),
        (["--x", "1e300,1e300", "--activation", "identity"], "dL/dw13"),
        (["--y", "1e200"], "the loss"),
        (["--biases", "b3=1e308,b4=1e308,b5=1e308", "--activation", "identity"], "output 1"),
    ],
)
def test_q3_overflow_is_said_as_overflow(args, overflowed):
    line = assert_one_line(run("q3", *args), 1)
    assert line.startswith("Error: overflow") and overflowed in line and "disagree" not in line, line


def test_q3_large_finite_values_are_checked_relative_to_their_size():
    # A loss near 1e18 carries float64's ~16 digits: autograd agrees to about 100 in absolute terms,
    # which is agreement, not the "disagree by 128" an absolute 1e-10 reported.
    completed = run("q3", "--y", "1e9", "--activation", "identity", "--lr", "1e-3", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    output = 0.3 * (0.35 * 0.1 + 0.9 * 0.8) + 0.9 * (0.35 * 0.4 + 0.9 * 0.6)
    assert json.loads(completed.stdout)["loss"] == pytest.approx((1e9 - output) ** 2, rel=1e-14)


def test_python_overflow_error_is_one_line(monkeypatch, capsys):
    # Python's float ** 2 raises where torch gives inf; anywhere it escapes, it is one line, exit 1.
    import hwsolve.solutions.q3 as q3

    def overflowing(*args, **kwargs):
        return (1e200) ** 2

    monkeypatch.setattr(q3, "solve_q3", overflowing)
    with pytest.raises(SystemExit) as done:
        main(["q3"])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: overflow") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["q1", "--part", "c", "--widths", "2,100000000"], "--widths"),
        (["q3", "--layers", "1000,1000,1"], "--layers"),
        (["q3", "--layers", f"2,{HUGE_INTEGER},1"], "--layers"),
        (["q1", "--part", "d", "--depth", "100000"], "--depth"),
    ],
)
def test_sizes_that_cannot_fit_are_refused_before_allocating(args, option):
    assert_one_line_refusal(CliRunner().invoke(cli, args, catch_exceptions=False), option)


@pytest.mark.parametrize("noise", [1e150, 1e160])
def test_q2_computed_nan_never_reaches_a_verdict(noise):
    from hwsolve.errors import HwsolveError
    from hwsolve.problem.q2 import RegularisationProblem
    from hwsolve.solutions.q2 import solve_q2

    # Finite noise (beyond what the CLI accepts) so large that the errors overflow: an error, never TRUE/FALSE.
    with pytest.raises(HwsolveError, match="no verdict"):
        solve_q2(problem=RegularisationProblem(noise=noise), seeds_checked=2)


# Dropout p close to 1 ----------------------------------------------------------------------------------------


def test_q1_dropout_rate_close_to_one_is_accepted_and_right():
    x, mask, rate = (-4.5, -0.75, 3.0, 6.0, 1.5), (1, 0, 1, 0, 1), "0.999999"
    completed = run("q1", "--part", "b", "--p", rate, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    p = Fraction(float(rate))  # the float64 p that the float computation uses
    for value, kept, output in zip(x, mask, data["train"][rate]):
        exact = Fraction(value) * kept / (1 - p)
        assert abs(Fraction(output) - exact) <= Fraction(1, 10**15) * abs(exact)
    # The exact rationals are those of the decimals typed: -4.5 / (1 - 0.999999) = -4500000.
    decimal = Fraction(rate)
    assert data["train_exact"][rate] == [str(Fraction(str(v)) * m / (1 - decimal)) for v, m in zip(x, mask)]


@pytest.mark.parametrize("mask", ["1,1", "0,1"])
def test_q1_dropout_overflow_is_said_as_overflow(mask):
    # 1e308 / (1 - 0.5) is beyond float64, whether the given mask keeps it or torch's own draw might.
    line = assert_one_line(run("q1", "--part", "b", "--x", "1e308,1", "--mask", mask, "--p", "0.5"), 1)
    assert line.startswith("Error: overflow") and "x1" in line, line


def test_q1_dropout_of_a_subnormal_input_is_accepted():
    # Subnormal numbers have an absolute, not relative, precision: 1e-320 / 1e-6 is right to that spacing.
    completed = run("q1", "--part", "b", "--x", "1e-320,1", "--mask", "1,1", "--p", "0.999999", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)["train"]["0.999999"][0]
    exact = Fraction(1e-320) / (1 - Fraction(0.999999))
    assert abs(Fraction(output) - exact) <= Fraction(2) ** -1074
