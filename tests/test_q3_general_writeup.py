"""The general Q3's write-up: the delta = y_hat - t simplification proved in SymPy, each sample then the mean.

The proofs here derive the output delta from scratch in SymPy (the softmax of
the net inputs, the loss of the outputs, differentiated with respect to a net
input), with no hwsolve code, and then check that hwsolve's derivation marks
exactly those pairings as simplifying. The write-up tests read numbers out of
the text, Markdown and LaTeX and compare them with the independent oracle
(tests/q3_general_oracle.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from q3_general_oracle import close, reference, updated, weight_names
from test_q3_general import (
    BATCH_3,
    HOMEWORK_WEIGHTS,
    LEAKY_BCE,
    SIGMOID_BCE,
    SOFTMAX_BATCH,
    SOFTMAX_CE,
    TANH_IDENTITY,
    Case,
    six_wide,
)

from hwsolve.cli import cli
from hwsolve.derive.backprop import derive_gradients
from hwsolve.derive.backprop_deltas import _proven_simplification, derive_deltas

SOFTMAX_CE_3 = Case(
    "2,2,3-sigmoid,softmax-ce-batch3",
    (2, 2, 3),
    "sigmoid,softmax",
    "cross_entropy",
    (((0.35, 0.9), (1.0, 0.0, 0.0)), ((-0.7, 0.2), (0.0, 0.5, 0.5)), ((0.1, -0.4), (0.0, 0.0, 1.0))),
    {"w13": 0.1, "w23": 0.8, "w14": 0.4, "w24": 0.6}
    | {"w35": 0.3, "w45": 0.9, "w36": -0.2, "w46": 0.5, "w37": 0.7, "w47": -0.6},
    {"b3": 0.1, "b4": -0.1, "b5": 0.2, "b6": 0.0, "b7": -0.2},
)
TANH_IDENTITY_HALF = Case(
    "2,2,2-tanh,identity-half_mse",
    (2, 2, 2),
    "tanh,identity",
    "half_mse",
    TANH_IDENTITY.samples,
    TANH_IDENTITY.weights,
)
EIGHT_OUTPUTS = Case(
    "2,2,8-sigmoid,softmax-ce",
    (2, 2, 8),
    "sigmoid,softmax",
    "cross_entropy",
    (((0.35, 0.9), (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),),
    {
        name: round(0.1 + 0.05 * (index % 7) - 0.2 * (index % 3), 2)
        for index, name in enumerate(weight_names((2, 2, 8)))
    },
)


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["q3", *args])
    assert result.exit_code == 0, result.output
    return result.output


# --- SymPy proves delta = y_hat - t, from scratch ----------------------------------------------------------


@pytest.mark.parametrize("size", [2, 3, 4])
def test_sympy_proves_softmax_cross_entropy_delta_is_output_minus_target(size):
    nets = sp.symbols(f"O1:{size + 1}", real=True)
    targets = sp.symbols(f"t1:{size + 1}", nonnegative=True)
    exps = [sp.exp(net) for net in nets]
    outputs = [e / sp.Add(*exps) for e in exps]
    loss = -sp.Add(*[t * sp.log(y) for t, y in zip(targets, outputs)])
    distribution = {targets[-1]: 1 - sp.Add(*targets[:-1])}  # the targets sum to 1
    for k in range(size):
        delta = sp.diff(loss, nets[k])
        assert sp.simplify((delta - (outputs[k] - targets[k])).subs(distribution)) == 0, k
    # Without the targets summing to 1 it is not y - t: the condition is needed, not decoration.
    assert sp.simplify(sp.diff(loss, nets[0]) - (outputs[0] - targets[0])) != 0


def test_sympy_proves_sigmoid_binary_cross_entropy_delta_is_output_minus_target():
    net, target = sp.symbols("O t", real=True)
    output = 1 / (1 + sp.exp(-net))
    loss = -(target * sp.log(output) + (1 - target) * sp.log(1 - output))
    assert sp.simplify(sp.diff(loss, net) - (output - target)) == 0


@pytest.mark.parametrize(
    ("layers", "activations", "loss", "simplifies"),
    [
        ((2, 2, 2), "sigmoid,softmax", "cross_entropy", True),
        ((2, 3, 3), "tanh,softmax", "cross_entropy", True),
        ((2, 2, 1), "sigmoid", "bce", True),
        ((2, 2, 2), "tanh,sigmoid", "bce", True),
        ((2, 2, 2), "sigmoid,softmax", "mse", False),
        ((2, 2, 2), "sigmoid,softmax", "bce", False),
        ((2, 2, 1), "sigmoid", "mse", False),
        ((2, 2, 2), "sigmoid", "cross_entropy", False),
    ],
)
def test_hwsolve_marks_exactly_the_simplifying_pairings(layers, activations, loss, simplifies):
    route = derive_deltas(derive_gradients(layers, activations, loss))
    d = route.derivation
    outputs = [delta for delta in route.deltas if delta.role == "output"]
    assert len(outputs) == layers[-1]
    for delta in outputs:
        k = d.neuron_layers[-1].index(delta.neuron)
        if simplifies:
            assert delta.simplified == d.output_symbols[delta.neuron] - d.targets[k]
        else:
            assert delta.simplified is None


def test_every_edge_factor_is_sympy_s_derivative():
    """The edge factors dnet_k/dy_j and dnet_j/dparameter are read as coefficients: the same as sp.diff."""
    derivation = derive_gradients((3, 4, 2), "tanh,softmax", "cross_entropy", with_biases=True)
    checked = 0
    for parameter in derivation.parameters:
        for factor in (*parameter.local, *[f for path in parameter.paths for f in path]):
            if factor.numerator in derivation.net_symbols.values():  # a net input's factor: dnet/d(something)
                net = next(j for j, symbol in derivation.net_symbols.items() if symbol == factor.numerator)
                expected = sp.diff(derivation.net_expressions[net], factor.denominator)
                assert sp.simplify(factor.expression - expected) == 0, (factor, expected)
                checked += 1
    assert checked >= 12 + 8 + 6  # every weight, every bias and every edge between layers at least once


# --- the write-up: each sample, then the mean ------------------------------------------------------------


def _number_after(text: str, label: str) -> float:
    """The last number on the line that starts with `label` (the value it equals)."""
    line = next(line for line in text.splitlines() if line.strip().startswith(label))
    return float(re.findall(r"-?\d+\.\d+(?:e-?\d+)?", line)[-1])


@pytest.mark.parametrize("case", [SOFTMAX_BATCH, LEAKY_BCE, BATCH_3, SOFTMAX_CE_3], ids=lambda case: case.id)
def test_text_shows_each_sample_then_the_mean(case):
    oracle = case.oracle()
    text = run(*case.args("text"))
    count = len(case.samples)
    for index in range(1, count + 1):
        assert f"Forward pass of sample {index}" in text and f"Backward pass of sample {index}" in text
    mean = text[text.index(f"Mean over the {count} samples") :]
    assert abs(_number_after(mean, "L =") - oracle.loss) <= 5e-6 * max(1.0, oracle.loss)
    for name, value in oracle.gradients.items():
        shown = _number_after(mean, f"dL/d{name} ")
        assert abs(shown - value) <= 5e-6 * max(1.0, abs(value)), (name, shown, value)
    # The update uses the mean: every updated value shown is the oracle's w - lr * mean gradient.
    update = text[text.index("Update: w <- w - lr") :]
    for name, value in {**case.weights, **case.biases}.items():
        expected = value - case.lr * oracle.gradients[name]
        assert abs(_number_after(update, f"{name} =") - expected) <= 5e-6 * max(1.0, abs(expected)), name


@pytest.mark.parametrize("case", [SOFTMAX_CE, SIGMOID_BCE, SOFTMAX_BATCH, SOFTMAX_CE_3], ids=lambda case: case.id)
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_fragments_show_the_simplified_output_delta(case, fmt):
    text = run(*case.args(fmt))
    assert "SymPy cancels each output delta to the output minus the target" in text
    first = case.layers[0] + sum(case.layers[1:-1]) + 1  # the first output neuron
    for k in range(first, first + case.layers[-1]):
        target = "y" if case.layers[-1] == 1 else f"t_{{{k}}}"
        assert f"&= y_{{{k}}} - {target} = " in text, (k, target)


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_a_softmax_output_shows_its_jacobian_and_the_sum_over_the_outputs(fmt):
    text = run(*SOFTMAX_CE_3.args(fmt))
    assert r"\frac{\partial y_m}{\partial O_k} = y_m \left(\mathbf{1}[m = k] - y_k\right)" in text
    # delta_5 sums over the three outputs 5, 6, 7.
    chain = (
        r"\frac{\partial L}{\partial y_{5}} \frac{\partial y_{5}}{\partial O_{5}} + \frac{\partial L}{\partial y_{6}}"
    )
    assert chain in text


@pytest.mark.parametrize("case", [SOFTMAX_BATCH, BATCH_3], ids=lambda case: case.id)
def test_markdown_has_a_heading_per_sample_and_the_mean_survives_a_gfm_render(case):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    text = run(*case.args("md"))
    tokens = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, allow_space=False).parse(text)
    headings = [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]
    samples = [heading for heading in headings if heading.startswith("Sample ")]
    assert len(samples) == len(case.samples)
    assert f"Mean over the {len(case.samples)} samples" in headings
    fences = [token for token in tokens if token.type == "fence"]
    assert fences and all(token.info == "math" for token in fences)
    mean = next(token.content for token in fences if r"\sum_{s=1}" in token.content)
    oracle = case.oracle()
    assert f"{oracle.loss:#.6g}" in mean
    for escape in (r"\,", r"\;", r"\{", r"\}"):  # GitHub's renderer eats these
        assert all(escape not in token.content for token in fences), escape


def test_a_six_wide_network_is_written_by_deltas_without_the_path_sums():
    """4 layers of 6: 36 paths into a first-layer neuron; the chain rule is checked, not written out."""
    case = six_wide()
    text = run(*case.args("md"))
    assert "too long to write on a line, so the sums are not written out" in text
    assert r"\tfrac{\partial L}" not in text
    assert text.count(r"\delta_{") >= 18


def report_preamble() -> str:
    """The report's own English preamble (fonts, siunitx, the answer box), without its Jinja2 metadata line."""
    from hwsolve.render.environment import environment

    template = (Path(__file__).parent.parent / "templates" / "tex" / "report.tex.j2").read_text(encoding="utf-8")
    preamble = template[template.index(r"\documentclass") : template.index(r"\begin{document}")]
    lines = "\n".join(line for line in preamble.splitlines() if r"\VAR{" not in line) + "\n"
    return environment("tex", "en").from_string(lines).render()  # its \BLOCK{ if lang ... } as English has it


SIXTEEN_SAMPLES = Case(
    "2,2,1-sigmoid-mse-batch16",
    (2, 2, 1),
    "sigmoid",
    "mse",
    tuple(((round(0.1 * k - 0.8, 1), round(0.9 - 0.05 * k, 2)), (round(0.05 * k, 2),)) for k in range(16)),
    HOMEWORK_WEIGHTS,
)
EIGHT_OUTPUTS_BCE = Case(
    "2,2,8-sigmoid-bce",
    (2, 2, 8),
    "sigmoid",
    "bce",
    (((0.35, 0.9), (1.0, 0.0, 0.5, 0.25, 0.0, 1.0, 0.75, 0.0)),),
    EIGHT_OUTPUTS.weights,
)
TEN_INPUTS = Case(
    "10,2,1-tanh,sigmoid-mse",
    (10, 2, 1),
    "tanh,sigmoid",
    "mse",
    ((tuple(round(0.1 * k - 0.45, 2) for k in range(10)), (0.5,)),),
    {name: round(0.3 - 0.07 * (index % 9), 2) for index, name in enumerate(weight_names((10, 2, 1)))},
    {"b11": 0.1, "b12": -0.1, "b13": 0.2},
)


@pytest.mark.latex
@pytest.mark.parametrize(
    "case",
    [SOFTMAX_CE_3, LEAKY_BCE, six_wide(), SIXTEEN_SAMPLES, EIGHT_OUTPUTS, EIGHT_OUTPUTS_BCE, TEN_INPUTS],
    ids=lambda case: case.id,
)
def test_tex_of_a_general_network_compiles_without_overfull_lines(tmp_path, case):
    """Long sums are cut into rows and long blocks into displays: nothing runs off the page."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    document = f"{report_preamble()}\\begin{{document}}\n{run(*case.args('tex'))}\n\\end{{document}}\n"
    (tmp_path / "q3.tex").write_text(document, encoding="utf-8")
    completed = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "q3.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    log = (tmp_path / "q3.log").read_text(errors="replace")
    assert "Overfull" not in log, [line for line in log.splitlines() if "Overfull" in line]


# --- found in review: multi-step batches, saturation, the exact mean delta, output order, long displays ------


def descend(case: Case, steps: int):
    """The oracle's loss before each step and after the last, and the parameters after `steps` steps."""
    parameters = {**case.weights, **case.biases}
    losses = []
    for _ in range(steps):
        weights = {name: parameters[name] for name in case.weights}
        biases = {name: parameters[name] for name in case.biases}
        oracle = reference(case.layers, case.activation, case.loss, case.samples, weights, biases or None)
        losses.append(oracle.loss)
        parameters = updated(parameters, oracle.gradients, case.lr)
    weights = {name: parameters[name] for name in case.weights}
    biases = {name: parameters[name] for name in case.biases}
    losses.append(reference(case.layers, case.activation, case.loss, case.samples, weights, biases or None).loss)
    return losses, parameters


@pytest.mark.parametrize("case", [SOFTMAX_BATCH, LEAKY_BCE, BATCH_3], ids=lambda case: case.id)
def test_several_steps_on_a_mini_batch_match_the_oracle(case):
    data = json.loads(run(*case.args("json"), "--steps", "4"))
    losses, parameters = descend(case, 4)
    assert len(data["loss_history"]) == 5
    assert all(map(close, data["loss_history"], losses)), (data["loss_history"], losses)
    for name, value in parameters.items():
        assert close(data["final_parameters"][name], value), name


def test_a_mini_batch_s_deltas_are_its_bias_gradients_to_the_last_bit():
    """The mean of the samples' deltas is the gradient of the mean loss with respect to each bias."""
    data = json.loads(run(*BATCH_3.args("json")))
    assert data["deltas"] == {str(j): data["gradients"][f"b{j}"] for j in range(3, 10)}


SATURATED_BCE = Case(
    "bce-saturated",
    (2, 2, 1),
    "sigmoid",
    "bce",
    (((0.35, 0.9), (1.0,)),),
    HOMEWORK_WEIGHTS | {"w35": 30.0, "w45": 30.0},
    lr=1.0,
)
SATURATED_SOFTMAX_CE = Case(
    "softmax-ce-saturated",
    (2, 2),
    "softmax",
    "cross_entropy",
    (((1.0, 1.0), (1.0, 0.0)),),
    {"w13": 400.0, "w23": 400.0, "w14": -400.0, "w24": -400.0},
    lr=1.0,
)
LARGE_SOFTMAX_MSE = Case(
    "softmax-mse-large",
    (2, 2),
    "softmax",
    "mse",
    (((1.0, 1.0), (1.0, 0.0)),),
    {"w13": 400.0, "w23": 400.0, "w14": 300.0, "w24": 300.0},
    lr=1.0,
)


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("case", [SATURATED_BCE, SATURATED_SOFTMAX_CE, LARGE_SOFTMAX_MSE], ids=lambda case: case.id)
def test_a_saturated_output_is_solved_not_refused(case, steps):
    """float64 holds sigmoid(40.2) as 1.0: the losses are taken from the net inputs, as the oracle does."""
    data = json.loads(run(*case.args("json"), "--steps", str(steps)))
    losses, parameters = descend(case, steps)
    assert all(map(close, data["loss_history"], losses)), (data["loss_history"], losses)
    for name, value in parameters.items():
        assert close(data["final_parameters"][name], value), name


def test_a_perturbed_output_delta_is_not_called_y_minus_t():
    """The simplification is proved by SymPy for each expression: a delta that is not y - t gets none."""
    derivation = derive_gradients((2, 2, 1), "sigmoid", "bce")
    output = derivation.output_symbols[5]
    target = derivation.targets[0]
    assert _proven_simplification(derivation, 5, output - target) == output - target
    assert _proven_simplification(derivation, 5, output - target + output * (1 - output) / 100) is None
    assert _proven_simplification(derivation, 5, 2 * (output - target)) is None


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_an_identity_output_with_half_mse_is_written_as_output_minus_target(fmt):
    text = run(*TANH_IDENTITY_HALF.args(fmt))
    assert r"\left(y_{5} - t_{5}\right)" in text and "(-1)" not in text and "- 1 t_{5}" not in text
    assert "SymPy cancels each output delta to the output minus the target" in text


def test_outputs_past_neuron_9_are_written_in_neuron_order():
    text = run(*EIGHT_OUTPUTS.args("md"))
    loss_row = next(line for line in text.splitlines() if line.startswith("L &= "))
    assert [int(k) for k in re.findall(r"t_\{(\d+)\}", loss_row)] == [5, 6, 7]
    denominators = re.findall(r"\\frac\{e\^\{O_\{5\}\}\}\{([^}]*(?:\}[^}]*)*?)\} = ", text)
    assert denominators and [int(k) for k in re.findall(r"O_\{(\d+)\}", denominators[0])] == list(range(5, 13))
