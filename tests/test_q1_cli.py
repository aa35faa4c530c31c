"""`hwsolve q1`: JSON keys and values, custom inputs, bad inputs, same seed same JSON, every format."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwsolve.cli import cli

HWSOLVE = Path(sys.executable).parent / "hwsolve"
SMALL_WIDTH_ARGS = ["--widths", "2,16", "--steps", "20", "--seeds", "2", "--long-steps", "20"]


def run(*args, env=None):
    result = CliRunner().invoke(cli, ["q1", *args], env=env, catch_exceptions=False)
    return result


def exact_dropout(x, mask, rate):
    return [float(Fraction(str(v)) * m / (1 - Fraction(rate))) for v, m in zip(x, mask)]


def test_part_b_json_has_the_homework_values():
    result = run("--part", "b", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    x, mask = [-4.5, -0.75, 3, 6, 1.5], [1, 0, 1, 0, 1]
    assert data["x"] == x and data["mask"] == mask and data["test"] == x
    assert set(data["train"]) == {"0.5", "0.4"}
    for rate in ("0.5", "0.4"):
        assert data["train"][rate] == exact_dropout(x, mask, rate)
    assert data["train"]["0.5"] == [-9, 0, 6, 0, 3]
    assert data["train"]["0.4"] == [-7.5, 0, 5, 0, 2.5]


def test_part_b_custom_inputs_and_rate_keys_as_typed():
    result = run("--part", "b", "--x", "1,-2,0.5", "--mask", "1,1,0", "--p", "0.2", "--p", "0.75", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data["train"]) == ["0.2", "0.75"]
    assert data["train"]["0.75"] == exact_dropout([1, -2, 0.5], [1, 1, 0], "0.75")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--mask", "1,0"], "mask has 2 entries but x has 5"),
        (["--x", "1,2", "--mask", "1,0,1"], "mask has 3 entries but x has 2"),
        (["--mask", "1,0,2,0,1"], "0 (dropped) or 1"),
        (["--mask", "1,-1,1,0,1"], "0 (dropped) or 1"),
        (["--mask", "1,0,x,0,1"], "--mask"),
        (["--p", "1"], "[0, 1)"),
        (["--p", "-0.1"], "[0, 1)"),
        (["--p", "nan"], "--p"),
        (["--x", "1,,2"], "--x"),
        (["--x", "a,b,c,d,e"], "--x"),
    ],
)
def test_bad_dropout_input_is_one_line_and_exit_2(args, fragment):
    completed = subprocess.run([str(HWSOLVE), "q1", "--part", "b", *args], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in completed.stderr


def test_part_d_json_keys():
    data = json.loads(run("--part", "d", "--format", "json").output)
    assert data["sigmoid_derivative_max"] == 0.25
    assert set(data["gradient_norms"]) == {"sigmoid", "tanh", "relu"}
    assert all(len(norms) == 10 for norms in data["gradient_norms"].values())
    factors = {(f["initialisation"], f["activation"]): f for f in data["layer_factors"]}
    assert factors["default", "sigmoid"]["fitted_factor"] < 0.25
    assert all(ratio <= bound for f in factors.values() for ratio, bound in zip(f["delta_ratios"], f["bounds"]))
    assert data["relu_derivative_at_zero"] == 0


@pytest.mark.parametrize("part", ["a", "b", "d"])
def test_same_seed_same_json(part):
    first = run("--part", part, "--format", "json", "--seed", "4").output
    assert first == run("--part", part, "--format", "json", "--seed", "4").output


def test_part_c_small_widths_cached_same_json(tmp_path):
    env = {"HWSOLVE_BUILD": str(tmp_path)}
    first = run("--part", "c", "--format", "json", *SMALL_WIDTH_ARGS, env=env)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["seeds"] == [0, 1]
    assert [s["width"] for s in data["summaries"]] == [2, 16]
    assert {"median", "low", "high", "values"} <= set(data["summaries"][0]["test"])
    assert [s["width"] for s in data["long_summaries"]] == [256] and data["long_summaries"][0]["steps"] == 20
    assert {"parameters", "train_accuracy", "test_accuracy", "gap"} <= set(data["runs_by_seed"][0]["runs"][0])
    second = run("--part", "c", "--format", "json", *SMALL_WIDTH_ARGS, env=env)
    assert second.output == first.output
    assert list((tmp_path / "q1").glob("width-seed0-*.json")) and list((tmp_path / "q1").glob("width-seed1-*.json"))


@pytest.mark.parametrize("fmt", ["text", "md", "tex"])
def test_every_format_renders_all_parts(fmt, tmp_path):
    result = run("--format", fmt, *SMALL_WIDTH_ARGS, env={"HWSOLVE_BUILD": str(tmp_path)})
    assert result.exit_code == 0, result.output
    for marker in ("(a)", "(b)", "(c)", "(d)"):
        assert marker in result.output
    if fmt == "md":
        assert result.output.startswith("## Question 1")
        assert "| 16 |" in result.output
    if fmt == "tex":
        assert result.output.startswith("\\section{Question 1")
        assert "\\VAR" not in result.output and "\\BLOCK" not in result.output


def test_json_part_a_is_proven():
    data = json.loads(run("--part", "a", "--format", "json").output)
    assert data["proven"] is True and data["max_relative_difference"] < 1e-12


def test_json_without_part_has_all_four(tmp_path, monkeypatch):
    monkeypatch.setenv("HWSOLVE_BUILD", str(tmp_path))
    result = run("--format", "json", *SMALL_WIDTH_ARGS)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"a", "b", "c", "d"} <= set(data)
    assert data["a"]["proven"] is True


def test_help_explains_the_parts():
    result = run("--help")
    assert result.exit_code == 0
    for text in ("--part", "--mask", "--p", "--widths", "--seeds", "--force", "Examples"):
        assert text in result.output


def test_unknown_part_is_a_usage_error():
    completed = subprocess.run([str(HWSOLVE), "q1", "--part", "e"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
