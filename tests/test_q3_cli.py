"""`hwsolve q3`: JSON against independent autograd, every format, every bad input."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from q3_reference import reference

import hwsolve.solutions.q3 as q3_solution
from hwsolve.cli import cli, main
from hwsolve.problem.q3 import Q3Problem

HWSOLVE = Path(sys.executable).parent / "hwsolve"
HOMEWORK_WEIGHTS = {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}


def run(*args: str):
    return CliRunner().invoke(cli, ["q3", *args])


def as_option(values: dict) -> str:
    return ",".join(f"{name}={value!r}" for name, value in values.items())


# (layers, activation, loss, x, y, weights, biases)
NETWORKS = [
    ((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), HOMEWORK_WEIGHTS, {}),
    ((2, 2, 1), "tanh", "half_mse", (0.35, 0.9), (0.5,), HOMEWORK_WEIGHTS, {"b3": 0.1, "b4": -0.3, "b5": 0.2}),
    ((2, 2, 2), "relu", "mse", (0.35, 0.9), (0.5, -0.1), {**HOMEWORK_WEIGHTS, "w36": -0.2, "w46": 0.5}, {}),
    (
        (3, 2, 2, 1),
        "identity",
        "half_mse",
        (1.0, -2.0, 0.5),
        (0.25,),
        {
            "w14": 0.1,
            "w24": -0.2,
            "w34": 0.3,
            "w15": 0.4,
            "w25": 0.5,
            "w35": -0.6,
            "w46": 0.7,
            "w56": 0.8,
            "w47": -0.9,
            "w57": 1.0,
            "w68": 0.2,
            "w78": -0.4,
        },
        {},
    ),
    (
        (1, 3, 2),
        "sigmoid",
        "mse",
        (2.0,),
        (1.0, 0.0),
        {"w12": 0.5, "w13": -1.0, "w14": 1.5, "w25": 0.3, "w35": 0.2, "w45": -0.1, "w26": 0.9, "w36": -0.8, "w46": 0.7},
        {"b2": 0.0, "b3": 0.1, "b4": -0.1, "b5": 0.05, "b6": -0.05},
    ),
]


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: f"{','.join(map(str, n[0]))}-{n[1]}-{n[2]}")
def test_json_matches_independent_autograd(network):
    layers, activation, loss, x, y, weights, biases = network
    args = [
        "--format",
        "json",
        "--layers",
        ",".join(map(str, layers)),
        "--activation",
        activation,
        "--loss",
        loss,
        "--x",
        ",".join(map(repr, x)),
        "--y",
        ",".join(map(repr, y)),
        "--weights",
        as_option(weights),
        "--lr",
        "0.5",
    ]
    if biases:
        args += ["--biases", as_option(biases)]
    result = run(*args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    ref_loss, ref_outputs, ref_gradients = reference(layers, activation, loss, x, y, weights, biases)
    assert abs(data["loss"] - ref_loss) <= 1e-12
    assert max(abs(a - b) for a, b in zip(data["outputs"], ref_outputs)) <= 1e-12
    assert set(data["gradients"]) == set(ref_gradients) == set(data["autograd"]) == set(data["expressions"])
    for name, value in ref_gradients.items():
        assert abs(data["gradients"][name] - value) <= 1e-12, name
        assert abs(data["autograd"][name] - value) <= 1e-12, name
        start = {**weights, **biases}[name]
        assert abs(data["updated"][name] - (start - 0.5 * value)) <= 1e-12, name
        assert data["expressions"][name]
    assert 0 <= data["max_abs_diff"] <= 1e-10


def test_homework_json_through_the_console_script():
    completed = subprocess.run([str(HWSOLVE), "q3", "--format", "json"], capture_output=True, text=True, check=True)
    data = json.loads(completed.stdout)
    ref_loss, _, ref_gradients = reference((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), HOMEWORK_WEIGHTS)
    assert abs(data["loss"] - ref_loss) <= 1e-12
    assert all(abs(data["gradients"][k] - v) <= 1e-12 for k, v in ref_gradients.items())
    assert r"\frac" not in data["expressions"]["w35"] and "y_{3}" in data["expressions"]["w35"]


def test_steps_report_the_loss_at_every_step():
    data = json.loads(run("--format", "json", "--steps", "4", "--lr", "2").output)
    weights = dict(HOMEWORK_WEIGHTS)
    expected = []
    for _ in range(4):
        loss, _, gradients = reference((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), weights)
        expected.append(loss)
        weights = {k: v - 2 * gradients[k] for k, v in weights.items()}
    expected.append(reference((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), weights)[0])
    assert data["loss_history"] == pytest.approx(expected, abs=1e-12)
    assert all(abs(data["final_parameters"][k] - v) <= 1e-12 for k, v in weights.items())
    assert len(data["step_max_abs_diff"]) == 4


def test_partial_weights_override_the_homework():
    data = json.loads(run("--format", "json", "--weights", "w35=0.5").output)
    expected = reference((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), {**HOMEWORK_WEIGHTS, "w35": 0.5})
    assert data["loss"] == pytest.approx(expected[0], abs=1e-12)


def test_text_shows_the_whole_solution_in_order():
    """The delta route first, output layer first; the full chain rule after it, as the cross-reference."""
    result = run("--lr", "1")
    assert result.exit_code == 0, result.output
    text = result.output
    markers = [
        "1. Forward pass",
        "H3 = x1·w13 + x2·w23 = 0.35·0.1 + 0.9·0.8 = 0.755000",
        "L = (y - y5)^2 = (0.5 - ",
        "2. Backward pass: the deltas, output layer first",
        "δ5 = dL/dO5 = dL/dy5 · dy5/dO5",
        "= -2·(y - y5) · y5·(1 - y5)",
        "δ3 = dL/dH3 = dy3/dH3 · dO5/dy3·δ5",
        "δ4 = dL/dH4",
        "use the OLD weights w35 = 0.3, w45 = 0.9",
        "3. Gradients: dL/dwij = δj·yi",
        "dL/dw35  = δ5·y3 = ",
        "dL/dw13  = δ3·x1 = ",
        "4. Cross-reference: the full chain rule",
        "dL/dw13 = dL/dy5 · dy5/dO5 · dO5/dy3 · dy3/dH3 · dH3/dw13",
        "5. Cross-check with torch autograd",
        "largest absolute difference",
        "6. Update",
        "w35 = 0.3 - 1·",
        "7. Loss after the step",
        "falls by",
    ]
    positions = [text.index(marker) for marker in markers]
    assert positions == sorted(positions)


def test_digits_change_the_display_only():
    short, long = run("--digits", "3").output, run("--digits", "12").output
    assert "= 0.0553\n" in short and "= 0.0553480698774\n" in long
    assert json.loads(run("--format", "json", "--digits", "3").output)["gradients"]["w35"] == pytest.approx(
        0.0553480698774357, abs=1e-15
    )


def test_markdown_fragment():
    result = run("--format", "md")
    assert result.exit_code == 0, result.output
    md = result.output
    assert md.startswith("## Question 3 — ")
    assert "reconstructed" in md and "### Forward pass" in md and "**Verification:**" in md
    # Forward pass, deltas, gradients and the chain-rule cross-reference: one aligned block each.
    assert md.count("```math\n\\begin{aligned}") == 4 and "$$" not in md
    assert "| $w_{35}$ | $0.3$ | $0.0553481$ | $0.244652$ |" in md
    assert md.rstrip().endswith("| $0.0981419$ | $0.795222$ | $0.394280$ | $0.585291$ | $0.244652$ | $0.845997$ |")
    assert "![" not in md  # figures come only from the report


def test_fragments_include_the_network_figure_when_given():
    from hwsolve.render.environment import render_template

    solution = q3_solution.solve_q3()
    md = render_template("md", "q3", solution=solution, digits=6, figures={"q3_network": "figures/q3_network.png"})
    tex = render_template("tex", "q3", solution=solution, digits=6, figures={"q3_network": "figures/q3_network.pdf"})
    assert "](figures/q3_network.png)" in md
    assert r"\includegraphics[width=\linewidth]{figures/q3_network.pdf}" in tex
    assert r"\begin{figure}[tbp]" in tex and "[H]" not in tex
    caption = md[md.index("](figures/q3_network.png)") :].splitlines()
    assert caption[2].startswith("*Figure: ") and caption[2].endswith("*")


def _given_parameters(question: str) -> dict[str, list[tuple[str, float]]]:
    """The question's parameter lists by group: 'biases' (the biases b_j) and 'weights' (after "The weights are")."""
    biases = re.search(r"and biases (.*?)\. The weights are", question)
    weights = re.search(r"The weights are (.*?)\. With the loss", question)
    assert weights, question

    def pairs(text: str) -> list[tuple[str, float]]:
        return [(name, float(value)) for name, value in re.findall(r"\$([wb]_\{\d+\}) = (-?[\d.]+)\$", text)]

    return {"biases": pairs(biases.group(1)) if biases else [], "weights": pairs(weights.group(1))}


@pytest.mark.parametrize("biases", ["", "b3=0.1,b4=-0.1,b5=0.2"], ids=["no biases", "biases"])
def test_md_and_tex_list_the_given_parameters_the_same_way(biases):
    """Both fragments list the biases apart from the weights, each group in canonical order, with the given values."""
    args = ["--weights", "w13=0.2,w23=-0.4", *(["--biases", biases] if biases else [])]
    md = next(line for line in run(*args, "--format", "md").output.splitlines() if line.startswith("**Question**"))
    tex = next(
        line for line in run(*args, "--format", "tex").output.splitlines() if line.startswith(r"\textbf{Question}")
    )
    expected_weights = [("w_{13}", 0.2), ("w_{23}", -0.4), ("w_{14}", 0.4), ("w_{24}", 0.6), ("w_{35}", 0.3)]
    expected_weights.append(("w_{45}", 0.9))
    expected_biases = [
        (f"b_{{{name[1:]}}}", float(value)) for name, value in (b.split("=") for b in biases.split(",") if b)
    ]
    assert _given_parameters(md) == {"biases": expected_biases, "weights": expected_weights}
    assert _given_parameters(tex) == _given_parameters(md)
    assert ("and no biases" in md) == ("and no biases" in tex) == (not biases)


def test_tex_fragment_escapes_plain_text():
    result = run("--format", "tex", "--loss", "half_mse", "--steps", "2")
    assert result.exit_code == 0, result.output
    tex = result.output
    assert tex.startswith("\\section{Question 3")
    assert "half the sum of squared errors" in tex and "half_mse" not in tex  # the loss as math, not as an option name
    assert "a variant of the homework's network" in tex and "reconstructed" not in tex
    homework = run("--format", "tex").output
    assert r"$L = \left(y - y_{5}\right)^{2}$" in homework and r"$x_{1} = 0.35$" in homework
    assert "(y - y5)" not in homework and "textasciicircum" not in homework
    assert "\\[\n\\begin{aligned}" in homework and "align*" not in homework
    assert "\\toprule" in homework and "Verification" in homework


def test_large_indices_render_with_underscored_names():
    weights = {f"w{i}_10": 0.1 * i for i in range(1, 10)} | {"w10_11": 0.5}
    result = run("--format", "tex", "--layers", "9,1,1", "--x", ",".join(["0.1"] * 9), "--weights", as_option(weights))
    assert result.exit_code == 0, result.output
    assert "w_{9,10}" in result.output and "w_{10,11}" in result.output


BAD_INPUTS = [
    (["--x", "1"], "--x", "expected 2 input values"),
    (["--y", "0.5,0.5"], "--y", "expected 1 target values"),
    (["--layers", "2,3,1"], "--weights", "every weight is required"),
    (["--layers", "2,3,1", "--weights", "w13=1"], "--weights", "missing weights"),
    (["--weights", "w13=0.1,w16=1"], "--weights", "unknown weight 'w16'"),
    (["--weights", "w13=0.1,w1_3=0.2"], "--weights", "duplicate weight"),
    (["--weights", "w13=0.1,w13=0.2"], "--weights", "duplicate weight"),
    (["--weights", "q13=1"], "--weights", "not a weight name"),
    (["--weights", "w13"], "--weights", "expected name=value"),
    (["--weights", "w13=abc"], "--weights", "'abc' is not a number"),
    (["--x", "0.35,abc"], "--x", "'abc' is not a number"),
    (["--lr", "fast"], "--lr", "'fast' is not a valid float"),
    (["--activation", "softmax"], "--activation", "only on the output layer"),
    (["--activation", "swish"], "--activation", "unknown activation 'swish'"),
    (["--loss", "hinge"], "--loss", "unknown loss 'hinge'"),
    (["--layers", "2,0,1"], "--layers", "at least 1"),
    (["--layers", "2,-1,1"], "--layers", "at least 1"),
    (["--layers", "2,two,1"], "--layers", "not an integer"),
    (["--layers", "2,1.5,1"], "--layers", "not an integer"),
    (["--layers", "2"], "--layers", "at least an input and an output layer"),
    (["--x", "nan,0.9"], "--x", "not finite"),
    (["--y", "inf"], "--y", "not finite"),
    (["--lr", "-inf"], "--lr", "not finite"),
    (["--weights", "w13=nan"], "--weights", "not finite"),
    (["--biases", "b3=inf,b4=0,b5=0"], "--biases", "not finite"),
    (["--biases", "b3=0.1"], "--biases", "missing biases"),
    (["--steps", "0"], "--steps", "not in the range 1<=x<=1000"),
    (["--steps", "many"], "--steps", "not a valid integer"),
]


@pytest.mark.parametrize(
    ("args", "option", "fragment"), BAD_INPUTS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_bad_input_is_one_line_and_exit_2(args, option, fragment):
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert option in lines[0] and fragment in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["--weights", "w13=0.1,w99=1"], ["--x", "nan,1"], ["--activation", "swish"]])
def test_console_script_bad_input_has_no_traceback(args):
    completed = subprocess.run([str(HWSOLVE), "q3", *args], capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert len(completed.stderr.strip().splitlines()) == 1 and completed.stderr.startswith("Error: ")


def test_failed_cross_check_exits_non_zero(monkeypatch, capsys):
    real = q3_solution.autograd_gradients

    def skewed(problem):
        result = real(problem)
        return dataclasses.replace(result, gradients={**result.gradients, "w13": result.gradients["w13"] + 1e-6})

    monkeypatch.setattr(q3_solution, "autograd_gradients", skewed)
    with pytest.raises(SystemExit) as exited:
        main(["q3"])
    assert exited.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("Error: ") and "dL/dw13" in error and len(error.splitlines()) == 1


def test_help_explains_numbering_and_naming():
    text = " ".join(run("--help").output.split())
    for fragment in [
        "numbered 1..N layer by layer, inputs first",
        "w{i}{j} joins neuron i to neuron j",
        "w{i}_{j}",
        "--biases",
        "half_mse",
        "sigmoid, tanh, relu, leaky_relu, identity, softmax",
        "cross_entropy",
        "bce",
        "leaky_relu:0.2",
        "separates its samples with ';'",
    ]:
        assert fragment in text, fragment


def _help_default(text: str, option: str) -> str:
    """The [default: ...] written after `option` and its metavar in the help."""
    match = re.search(rf"{option} \S+ [^\[]*?\[default: ([^\]]+)\]", text)
    assert match, option
    return match.group(1)


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(float(value) for value in text.split(","))


def test_help_defaults_are_the_problem_s_defaults():
    """Each [default: ...] in the help, read back as a value, is the field of Q3Problem() it names."""
    text = " ".join(run("--help").output.split())
    problem = Q3Problem()
    assert _numbers(_help_default(text, "--lr")) == (problem.lr,)
    assert _numbers(_help_default(text, "--x")) == problem.x
    assert _numbers(_help_default(text, "--y")) == problem.y
    assert tuple(int(size) for size in _help_default(text, "--layers").split(",")) == problem.layers
    assert _help_default(text, "--activation") == problem.activation
    assert _help_default(text, "--loss") == problem.loss
    assert _help_default(text, "--biases") == "none" and problem.biases == ()
    assert _help_default(text, "--steps") == "1; 1<=x<=1000"  # click.IntRange shows the range itself


@pytest.mark.latex
@pytest.mark.parametrize(
    "args",
    [
        [],
        [
            "--layers",
            "2,2,2",
            "--y",
            "0.5,0.1",
            "--activation",
            "relu",
            "--loss",
            "half_mse",
            "--weights",
            "w13=0.1,w23=0.8,w14=0.4,w24=0.6,w35=0.3,w45=0.9,w36=-0.2,w46=0.5",
            "--biases",
            "b3=0.1,b4=-0.1,b5=0.2,b6=0",
            "--steps",
            "3",
        ],
    ],
)
def test_tex_fragment_compiles(tmp_path, args):
    import shutil

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    fragment = run("--format", "tex", *args).output
    document = "\n".join(
        [
            r"\documentclass[11pt,a4paper]{article}",
            r"\usepackage{amsmath,amssymb,booktabs,graphicx,siunitx,tcolorbox}",
            r"\newtcolorbox{answerbox}[1]{title={#1}}",
            r"\usepackage{hyperref}",
            r"\usepackage[margin=2.2cm]{geometry}",
            r"\begin{document}",
            fragment,
            r"\end{document}",
        ]
    )
    (tmp_path / "q3.tex").write_text(document, encoding="utf-8")
    completed = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "q3.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert "Overfull" not in (tmp_path / "q3.log").read_text(errors="replace")
