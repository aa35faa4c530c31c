"""`hwsolve q3` generalised: every bad activation, loss/target pairing and mini-batch is one line and exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hwsolve.cli import cli

HOMEWORK_222 = "w13=0.1,w23=0.8,w14=0.4,w24=0.6,w35=0.3,w45=0.9,w36=-0.2,w46=0.5"
NETWORK_222 = ["--layers", "2,2,2", "--weights", HOMEWORK_222]
NETWORK_232 = [
    "--layers",
    "2,3,2",
    "--weights",
    "w13=0.1,w23=0.8,w14=0.4,w24=0.6,w15=-0.3,w25=0.5,w36=0.3,w46=0.9,w56=-0.2,w37=-0.6,w47=0.25,w57=0.7",
    "--y",
    "1,0",
]
SOFTMAX_CE = [*NETWORK_222, "--activation", "sigmoid,softmax", "--loss", "cross_entropy"]
BATCH_X = ["--x", "0.35,0.9;0.1,0.2"]

# (args, the options the line may name, fragments it must contain besides)
BAD_INPUTS = [
    # softmax only on an output layer of 2 or more neurons
    (["--activation", "softmax,sigmoid"], ("--activation",), ["softmax"]),
    ([*NETWORK_222, "--y", "1,0", "--activation", "softmax"], ("--activation",), ["softmax"]),
    ([*NETWORK_232, "--activation", "softmax,softmax"], ("--activation",), ["softmax"]),
    (["--activation", "sigmoid,softmax"], ("--activation",), ["softmax"]),
    # unknown names, a wrong count per layer, a slope that is not a number
    (["--activation", "swish"], ("--activation",), ["swish"]),
    (["--activation", "sigmoid,swish"], ("--activation",), ["swish"]),
    (["--activation", "sigmoid,sigmoid,sigmoid"], ("--activation",), []),
    ([*NETWORK_232, "--activation", "tanh,tanh,softmax"], ("--activation",), []),
    (["--activation", "leaky_relu:abc"], ("--activation",), ["abc"]),
    (["--activation", "sigmoid,leaky_relu:slope"], ("--activation",), ["slope"]),
    # cross_entropy targets must be a distribution
    ([*SOFTMAX_CE, "--y", "-0.5,1.5"], ("--y",), []),
    ([*SOFTMAX_CE, "--y", "0.5,0.6"], ("--y",), []),
    ([*SOFTMAX_CE, "--y", "0.3,0.3"], ("--y",), []),
    ([*SOFTMAX_CE, *BATCH_X, "--y", "1,0;0.5,0.6"], ("--y",), []),
    # bce targets must lie in [0, 1]
    (["--loss", "bce", "--y", "1.5"], ("--y",), []),
    (["--loss", "bce", "--y", "-0.1"], ("--y",), []),
    (["--loss", "bce", *BATCH_X, "--y", "0.5;1.2"], ("--y",), []),
    # cross_entropy and bce need outputs strictly in (0, 1): sigmoid or softmax
    (["--activation", "relu", "--loss", "bce"], ("--activation", "--loss"), ["sigmoid", "softmax"]),
    (["--activation", "sigmoid,identity", "--loss", "bce"], ("--activation", "--loss"), ["sigmoid", "softmax"]),
    (["--activation", "tanh", "--loss", "bce"], ("--activation", "--loss"), ["sigmoid", "softmax"]),
    (
        ["--activation", "tanh", "--loss", "cross_entropy", "--y", "1"],
        ("--activation", "--loss"),
        ["sigmoid", "softmax"],
    ),
    (
        [*NETWORK_222, "--activation", "sigmoid,relu", "--loss", "cross_entropy", "--y", "1,0"],
        ("--activation", "--loss"),
        ["sigmoid", "softmax"],
    ),
    (
        [*NETWORK_222, "--activation", "identity", "--loss", "cross_entropy", "--y", "1,0"],
        ("--activation", "--loss"),
        ["sigmoid", "softmax"],
    ),
    # mini-batches: samples of one length, as many targets as inputs, no empty sample
    (["--x", "0.1,0.2;0.3", "--y", "0.5;0.5"], ("--x",), []),
    (["--x", "0.1;0.2,0.3", "--y", "0.5;0.5"], ("--x",), []),
    (["--x", "0.1,0.2;0.3,0.4", "--y", "0.5"], ("--x", "--y"), []),
    (["--x", "0.1,0.2", "--y", "0.5;0.4"], ("--x", "--y"), []),
    (["--x", "0.1,0.2;0.3,0.4;0.5,0.6", "--y", "0.5;0.4"], ("--x", "--y"), []),
    (["--x", "0.1,0.2;", "--y", "0.5;0.5"], ("--x",), []),
    (["--x", "0.1,0.2;;0.3,0.4", "--y", "0.5;0.5;0.5"], ("--x",), []),
    (["--x", "0.1,0.2;0.3,0.4", "--y", "0.5;"], ("--y",), []),
    ([*NETWORK_222, "--x", "0.1,0.2;0.3,0.4", "--y", "0.5,0.1;0.2"], ("--y",), []),
]


@pytest.mark.parametrize(
    ("args", "options", "fragments"),
    BAD_INPUTS,
    ids=[" ".join(arg for arg in args if not arg.startswith("w13=")) for args, _, _ in BAD_INPUTS],
)
def test_bad_input_is_one_line_and_exit_2(args, options, fragments):
    result = CliRunner().invoke(cli, ["q3", *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert lines[0].startswith("Error: "), lines[0]
    assert any(option in lines[0] for option in options), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
