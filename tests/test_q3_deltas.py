"""Q3 by deltas: delta_j = dL/dnet_j, output layer first, then dL/dw_ij = delta_j y_i.

The deltas are checked against a hand closed form for the homework and
against scalar torch autograd on the net inputs (tests/q3_reference.py, no
hwsolve code) for other networks; the delta route is checked against the
full chain rule symbolically; the CLI's JSON carries `deltas` and the loss
after the step; the write-ups show the delta route first and typeset every
piece of mathematics as mathematics.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner
from q3_reference import reference, reference_deltas

from hwsolve.check.backprop_routes import compare_routes, symbolic_route_mismatches
from hwsolve.cli import cli
from hwsolve.derive.backprop import derive_gradients, forward_pass
from hwsolve.derive.backprop_compiled import compile_network
from hwsolve.derive.backprop_deltas import derive_deltas, evaluate_deltas
from hwsolve.errors import VerificationError
from hwsolve.render.environment import render_template
from hwsolve.solutions.q3 import solve_q3

HOMEWORK = {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6, "w35": 0.3, "w45": 0.9}


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def homework_by_hand():
    """Forward pass, deltas, loss before and after the step, written out with floats."""
    x1, x2, y = 0.35, 0.9, 0.5
    w = dict(HOMEWORK)

    def forward(w):
        y3, y4 = sigmoid(x1 * w["w13"] + x2 * w["w23"]), sigmoid(x1 * w["w14"] + x2 * w["w24"])
        y5 = sigmoid(y3 * w["w35"] + y4 * w["w45"])
        return y3, y4, y5

    y3, y4, y5 = forward(w)
    delta5 = -2 * (y - y5) * y5 * (1 - y5)
    delta3 = y3 * (1 - y3) * w["w35"] * delta5  # the OLD w35
    delta4 = y4 * (1 - y4) * w["w45"] * delta5
    gradients = {
        "w13": delta3 * x1,
        "w23": delta3 * x2,
        "w14": delta4 * x1,
        "w24": delta4 * x2,
        "w35": delta5 * y3,
        "w45": delta5 * y4,
    }
    after = {name: value - gradients[name] for name, value in w.items()}
    return {3: delta3, 4: delta4, 5: delta5}, gradients, (y - y5) ** 2, (y - forward(after)[2]) ** 2


def run(*args: str):
    result = CliRunner().invoke(cli, ["q3", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_homework_deltas_match_the_hand_closed_form():
    deltas, gradients, loss, loss_after = homework_by_hand()
    solution = solve_q3()
    assert list(solution.deltas) == [3, 4, 5]
    for neuron, value in deltas.items():
        assert solution.deltas[neuron] == pytest.approx(value, abs=1e-16), neuron
    assert [step.neuron for step in solution.delta_steps] == [5, 3, 4]  # output layer first
    assert [g.name for g in solution.gradient_steps] == ["w35", "w45", "w13", "w23", "w14", "w24"]
    for step in solution.gradient_steps:
        assert step.value == pytest.approx(gradients[step.name], abs=1e-16)
        assert step.value == solution.gradients[step.name]
    assert solution.loss == pytest.approx(loss, abs=1e-16)
    assert solution.loss_after_step == pytest.approx(loss_after, abs=1e-16)
    # The numbers, to the digits it gives: the loss falls.
    assert round(solution.loss, 6) == 0.036208 and round(solution.loss_after_step, 6) == 0.030159
    assert solution.loss_change < 0


def test_hidden_deltas_use_the_old_outgoing_weights():
    solution = solve_q3()
    assert [(w.name, w.value) for w in solution.old_outgoing_weights] == [("w35", 0.3), ("w45", 0.9)]
    delta5 = solution.deltas[5]
    y3 = next(n.output for n in solution.neurons if n.neuron == 3)
    # With the updated w35 the delta would differ: the old one is the one used.
    assert solution.deltas[3] == pytest.approx(y3 * (1 - y3) * 0.3 * delta5, abs=1e-17)
    assert solution.deltas[3] != pytest.approx(y3 * (1 - y3) * solution.updated["w35"] * delta5, abs=1e-6)


NETWORKS = [
    ((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), HOMEWORK, {}),
    (
        (2, 2, 2),
        "tanh",
        "half_mse",
        (0.35, 0.9),
        (0.5, -0.1),
        {**HOMEWORK, "w36": -0.2, "w46": 0.5},
        {"b3": 0.1, "b4": -0.3, "b5": 0.2, "b6": 0.0},
    ),
    (
        (3, 2, 2, 1),
        "relu",
        "mse",
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
        "identity",
        "half_mse",
        (2.0,),
        (1.0, 0.0),
        {"w12": 0.5, "w13": -1.0, "w14": 1.5, "w25": 0.3, "w35": 0.2, "w45": -0.1, "w26": 0.9, "w36": -0.8, "w46": 0.7},
        {"b2": 0.0, "b3": 0.1, "b4": -0.1, "b5": 0.05, "b6": -0.05},
    ),
]


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: f"{','.join(map(str, n[0]))}-{n[1]}-{n[2]}")
def test_deltas_equal_autograd_on_the_net_inputs(network):
    layers, activation, loss, x, y, weights, biases = network
    derivation = derive_gradients(layers, activation, loss, bool(biases))
    values = evaluate_deltas(derive_deltas(derivation), forward_pass(derivation, x, y, {**weights, **biases}))
    expected = reference_deltas(layers, activation, loss, x, y, weights, biases)
    assert set(values.deltas) == set(expected)
    for neuron, value in expected.items():
        assert values.deltas[neuron] == pytest.approx(value, rel=1e-12, abs=1e-14), neuron
    # Every gradient by delta equals autograd's gradient of the parameter.
    for name, value in reference(layers, activation, loss, x, y, weights, biases)[2].items():
        assert values.gradients[name] == pytest.approx(value, rel=1e-12, abs=1e-14), name
    # The compiled float64 deltas (for --steps) give the same numbers.
    step = compile_network(derivation).step(x, y, {**weights, **biases})
    assert step.deltas == pytest.approx(expected, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(
    "shape",
    [
        ((2, 2, 1), "sigmoid", "mse", False),
        ((2, 2, 2), "tanh", "half_mse", True),
        ((2, 3, 2, 1), "relu", "mse", True),
        ((1, 2, 2), "identity", "half_mse", False),
    ],
)
def test_delta_route_equals_the_chain_rule_symbolically(shape):
    route = derive_deltas(derive_gradients(*shape))
    assert symbolic_route_mismatches(route) == []


def test_a_wrong_delta_route_is_an_error():
    with pytest.raises(VerificationError, match="dL/dw13"):
        compare_routes({"w13": 0.1, "w23": 0.2}, {"w13": 0.1 + 1e-12, "w23": 0.2})


def test_cli_json_has_deltas_and_the_loss_after_the_step():
    data = json.loads(run("--format", "json"))
    expected = reference_deltas((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), HOMEWORK)
    assert set(data["deltas"]) == {"3", "4", "5"} == set(data["autograd_deltas"])
    for neuron, value in expected.items():
        assert abs(data["deltas"][str(neuron)] - value) <= 1e-15
        assert abs(data["autograd_deltas"][str(neuron)] - value) <= 1e-15
    after = {
        name: value - reference((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), HOMEWORK)[2][name]
        for name, value in HOMEWORK.items()
    }
    loss_after = reference((2, 2, 1), "sigmoid", "mse", (0.35, 0.9), (0.5,), after)[0]
    assert abs(data["loss_after_step"] - loss_after) <= 1e-15
    assert abs(data["autograd_loss_after_step"] - loss_after) <= 1e-15
    assert data["loss_after_step"] < data["loss"] and data["loss_history"][1] == data["loss_after_step"]
    assert [step["neuron"] for step in data["delta_steps"]] == [5, 3, 4]


def test_cli_json_deltas_for_a_variant_with_biases():
    layers, activation, loss, x, y, weights, biases = NETWORKS[1]
    args = [
        "--format",
        "json",
        "--layers",
        "2,2,2",
        "--activation",
        activation,
        "--loss",
        loss,
        "--x",
        "0.35,0.9",
        "--y",
        "0.5,-0.1",
        "--weights",
        ",".join(f"{k}={v!r}" for k, v in weights.items()),
        "--biases",
        ",".join(f"{k}={v!r}" for k, v in biases.items()),
        "--lr",
        "0.5",
    ]
    data = json.loads(run(*args))
    expected = reference_deltas(layers, activation, loss, x, y, weights, biases)
    assert {int(k): v for k, v in data["deltas"].items()} == pytest.approx(expected, rel=1e-12, abs=1e-14)
    # dL/db_j is delta_j.
    for neuron in (3, 4, 5, 6):
        assert data["gradients"][f"b{neuron}"] == pytest.approx(expected[neuron], rel=1e-12, abs=1e-14)


def _between(text: str, start: str, end: str) -> str:
    first = text.index(start)
    return text[first : text.index(end, first)]


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_fragment_shows_the_delta_route_first(fmt):
    text = run("--format", fmt)
    order = [
        r"\delta_{5} = \frac{\partial L}{\partial O_{5}}",
        r"\delta_{3} = \frac{\partial L}{\partial H_{3}}",
        r"\delta_{4} = \frac{\partial L}{\partial H_{4}}",
        "old",
        r"\frac{\partial L}{\partial w_{35}} &= \delta_{5} y_{3}",
        r"\frac{\partial L}{\partial w_{24}} &= \delta_{4} x_{2}",
        "Cross-reference: the full chain rule",
        r"\tfrac{\partial L}{\partial y_{5}}",
        "Final answer",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions), fmt
    # All six gradients in ONE aligned display, in the deltas' order.
    gradients = _between(text, r"\frac{\partial L}{\partial w_{35}} &= \delta_{5}", r"\end{aligned}")
    assert list(re.findall(r"\\partial (w_\{\d\d\})\}", gradients)) == [
        "w_{35}",
        "w_{45}",
        "w_{13}",
        "w_{23}",
        "w_{14}",
        "w_{24}",
    ]
    # The old weights are named where the hidden deltas are.
    assert re.search(r"old\S* weights \$w_\{35\} = 0\.3\$ and \$w_\{45\} = 0\.9\$", text)
    # The loss before and after, computed here by hand.
    _, _, loss, loss_after = homework_by_hand()
    assert f"L = {loss:#.6g}" in text and f"L = {loss_after:#.6g}" in text


def test_tex_derivations_are_unbreakable_displays():
    tex = run("--format", "tex")
    assert "align*" not in tex and "[H]" not in tex and "allowdisplaybreaks" not in tex
    displays = re.findall(r"\\\[\n\\begin\{aligned\}.*?\\end\{aligned\}\n\\\]", tex, flags=re.S)
    # forward pass, deltas, all gradients in one block; then the chain-rule cross-reference one display per weight
    assert len(displays) == 3 + 6
    assert r"\begin{answerbox}{Final answer --- Question 3}" in tex and tex.rstrip().endswith(r"\end{answerbox}")
    # The update table: siunitx S columns, every computed column with six significant figures.
    table = _between(tex, r"\begin{tabular}{@{}l S[", r"\end{tabular}")
    assert "$w_{24}$ & 0.6 & 0.0147090 & 0.585291" in table and "$w_{14}$ & 0.4 & 0.00572015 & 0.394280" in table


PLAIN_MATH = [
    r"\bx\d\s*=",
    r"\by\d*\s*=",
    r"\(y - y5\)",
    r"\^2",
    r"\bdL/d",
    r"\bsigma'",
    r"->",
    r"\bw\d\d\s*=",
    r"\d(\.\d+)?e-\d",
    r"\blambda\b",
]


def _outside_math(text: str) -> str:
    """The text with math (fenced blocks, \\[..\\], $..$) and code spans removed."""
    text = re.sub(r"```math.*?```", " ", text, flags=re.S)
    text = re.sub(r"\\\[.*?\\\]", " ", text, flags=re.S)
    text = re.sub(r"\\begin\{tabular\}.*?\\end\{tabular\}", " ", text, flags=re.S)  # S columns hold plain numbers
    text = re.sub(r"\$[^$]*\$", " ", text)
    return re.sub(r"`[^`]*`", " ", text)


@pytest.mark.parametrize("fmt", ["md", "tex"])
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
def test_no_plain_text_math_in_the_fragment(fmt, args):
    text = run("--format", fmt, *args)
    prose = _outside_math(text)
    for pattern in PLAIN_MATH:
        assert not re.search(pattern, prose), (pattern, re.search(pattern, prose).group(0))
    if fmt == "md":
        math_text = " ".join(re.findall(r"```math(.*?)```", text, flags=re.S) + re.findall(r"\$([^$]*)\$", text))
        for escape in (r"\,", r"\;", r"\{", r"\}"):
            assert escape not in math_text, escape  # GitHub eats these


def test_answer_fragments_hold_the_loss_and_every_updated_weight():
    solution = solve_q3()
    _, gradients, loss, loss_after = homework_by_hand()
    for fmt in ("md", "tex"):
        answer = render_template(fmt, "q3_answer", solution=solution, digits=6, figures={})
        assert "Forward pass" not in answer and "\\section" not in answer and "##" not in answer
        for value in [loss, loss_after] + [HOMEWORK[name] - g for name, g in gradients.items()]:
            assert f"{value:#.6g}" in answer, (fmt, value)
        assert "falls" in answer
