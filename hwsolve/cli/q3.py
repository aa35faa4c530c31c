"""`hwsolve q3`: one step of backpropagation, derived in SymPy and checked by autograd.

Click types (hwsolve.cli.common) parse each number; the values are then
built into a Q3Problem, whose Q3InputError becomes click.BadParameter: one
line, exit 2. A failed autograd cross-check is a VerificationError and an
overflow an OverflowDetected: exit 1.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from hwsolve.cli.common import (
    Assignments,
    Command,
    FiniteFloat,
    IntList,
    SampleList,
    digits_option,
    emit,
    format_option,
    lang_option,
    merge_assignments,
    use_language,
)
from hwsolve.problem.q3 import (
    ACTIVATIONS,
    HOMEWORK_LAYERS,
    HOMEWORK_WEIGHTS,
    LOSSES,
    MAX_SAMPLES,
    Q3InputError,
    Q3Problem,
    check_layers,
    parse_weight_name,
)

MAX_STEPS = 1000

# The help text shows Q3Problem's own defaults, so the two cannot drift apart.
DEFAULTS = Q3Problem()


def _shown(values: Iterable[float]) -> str:
    """Defaults as the user would type them: 1, not 1.0; every digit of 0.35."""
    return ",".join(str(int(value)) if float(value).is_integer() else repr(float(value)) for value in values)


def _override_homework_weights(given: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """On the homework's layers, unnamed weights keep the homework's values."""
    seen: dict[tuple[int, int], str] = {}
    for name, _ in given:
        key = parse_weight_name(name)
        if key is not None and key in seen:
            raise Q3InputError(f"duplicate weight {name!r} (also given as {seen[key]!r})", "--weights")
        if key is not None:
            seen[key] = name
    kept = [(name, value) for name, value in HOMEWORK_WEIGHTS if parse_weight_name(name) not in seen]
    return kept + given


Samples = tuple[tuple[float, ...], ...]


def _samples(x: Samples | None, y: Samples | None) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
    """Pair the samples of --x and --y; one left out keeps the homework's value (a single sample only)."""
    xs = x if x is not None else (DEFAULTS.x,)
    ys = y if y is not None else (DEFAULTS.y,)
    if len(xs) != len(ys):
        missing = "--y" if y is None else "--x" if x is None else None
        if missing is not None:
            raise Q3InputError(f"a mini-batch of {max(len(xs), len(ys))} samples needs {missing} for each", missing)
        raise Q3InputError(
            f"--x has {len(xs)} sample{'s' if len(xs) != 1 else ''} and --y {len(ys)}: separate the samples "
            "with ';' in both, one target per sample",
            "--y",
        )
    return tuple(zip(xs, ys))


def _build_problem(
    lr: float | None,
    x: Samples | None,
    y: Samples | None,
    layers: tuple[int, ...] | None,
    activation: str | None,
    loss: str | None,
    weights: tuple[tuple[str, float], ...] | None,
    biases: tuple[tuple[str, float], ...] | None,
) -> Q3Problem:
    """The Q3Problem the options describe; an option left out keeps Q3Problem's default."""
    layer_sizes = check_layers(layers) if layers is not None else HOMEWORK_LAYERS
    given_weights = list(weights) if weights is not None else []
    if layer_sizes == HOMEWORK_LAYERS:
        weight_pairs = _override_homework_weights(given_weights)
    elif weights is None:
        raise Q3InputError(
            f"every weight is required for layers {','.join(map(str, layer_sizes))} (see --help for the names)",
            "--weights",
        )
    else:
        weight_pairs = given_weights
    defaults = DEFAULTS
    return Q3Problem(
        layers=layer_sizes,
        activation=activation.strip().lower() if activation is not None else defaults.activation,
        loss=loss.strip().lower() if loss is not None else defaults.loss,
        samples=_samples(x, y),
        lr=lr if lr is not None else defaults.lr,
        weights=tuple(weight_pairs),
        biases=biases if biases is not None else (),
    )


@click.command(
    "q3",
    cls=Command,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  hwsolve q3 --lr 1                        the homework, step by step
  hwsolve q3 --format json                 every number in full float64
  hwsolve q3 --weights w35=0.5             the homework with one weight changed
  hwsolve q3 --layers 2,2,2 --y 0.5,0.1 --activation tanh --loss half_mse \\
      --weights w13=0.1,w23=0.8,w14=0.4,w24=0.6,w35=0.3,w45=0.9,w36=-0.2,w46=0.5
  hwsolve q3 --biases b3=0.1,b4=-0.1,b5=0.2 --steps 10
  hwsolve q3 --layers 2,3,2 --activation tanh,softmax --loss cross_entropy --y 1,0 \\
      --weights w13=0.1,w23=0.8,w14=0.4,w24=0.6,w15=-0.3,w25=0.2,w36=0.3,w46=0.9,w56=-0.5,w37=-0.2,w47=0.5,w57=0.7
  hwsolve q3 --activation leaky_relu,sigmoid --loss bce --x "0.35,0.9;-0.7,0.2" --y "1;0"
""",
)
@click.option(
    "--lr",
    type=FiniteFloat(min=0, min_open=True),
    metavar="FLOAT",
    help=f"Learning rate (> 0).  [default: {_shown([DEFAULTS.lr])}]",
)
@click.option(
    "--x",
    "x",
    type=SampleList(),
    metavar="X1,X2,...[;...]",
    help="Input values, one per input neuron. A mini-batch separates its samples with ';' "
    f'(quote it: "0.35,0.9;-0.7,0.2"), at most {MAX_SAMPLES}.  [default: {_shown(DEFAULTS.x)}]',
)
@click.option(
    "--y",
    "y",
    type=SampleList(),
    metavar="Y1,...[;...]",
    help="Target values, one per output neuron, and one group per sample of --x. cross_entropy takes "
    f"one-hot or probability targets (summing to 1), bce targets between 0 and 1.  [default: {_shown(DEFAULTS.y)}]",
)
@click.option(
    "--layers",
    type=IntList(minimum=1),
    metavar="N1,N2,...",
    help=f"Layer sizes, inputs first, each a positive integer.  [default: {_shown(DEFAULTS.layers)}]",
)
@click.option(
    "--activation",
    metavar="NAME",
    help=f"Activation of every non-input layer ({', '.join(ACTIVATIONS)}), or one per layer after the inputs, "
    "comma-separated (tanh,softmax). leaky_relu has slope 0.01 (torch's); leaky_relu:0.2 sets it. softmax only "
    f"on an output layer of 2 or more neurons.  [default: {DEFAULTS.activation}]",
)
@click.option(
    "--loss",
    metavar="NAME",
    help=f"{', '.join(LOSSES)}, with targets t_k and outputs y_k. mse = sum_k (t_k - y_k)^2 as in the homework; "
    "half_mse = half of that; cross_entropy = -sum_k t_k log y_k; bce = -sum_k (t_k log y_k + (1 - t_k) "
    "log(1 - y_k)) (both need a sigmoid or softmax output layer). A mini-batch's loss is the mean over its samples."
    f"  [default: {DEFAULTS.loss}]",
)
@click.option(
    "--weights",
    type=Assignments(),
    multiple=True,
    metavar="w13=0.1,...",
    help="Weights as name=value; repeat it or separate with commas. With the homework's layers, "
    "unnamed weights keep the homework's values; with other layers every weight is required.",
)
@click.option(
    "--biases",
    type=Assignments(),
    multiple=True,
    metavar="b3=0.1,...",
    help="Biases (repeatable), one per non-input neuron (all or none)."
    f"  [default: {_shown(value for _, value in DEFAULTS.biases) or 'none'}]",
)
@click.option(
    "--steps",
    type=click.IntRange(1, MAX_STEPS),
    default=1,
    show_default=True,
    metavar="N",
    help=f"Gradient-descent steps; the loss is shown after each (at most {MAX_STEPS}).",
)
@digits_option()
@format_option()
@lang_option()
def q3(
    lr: float | None,
    x: Samples | None,
    y: Samples | None,
    layers: tuple[int, ...] | None,
    activation: str | None,
    loss: str | None,
    weights: tuple[tuple[tuple[str, float], ...], ...],
    biases: tuple[tuple[tuple[str, float], ...], ...],
    steps: int,
    digits: int,
    fmt: str,
    lang: str,
) -> None:
    """Q3: one step of backpropagation by hand, derived in SymPy and checked by torch autograd.

    Prints the forward pass (net input and output of every neuron, and the
    loss); the backward pass by deltas, output layer first (delta_j =
    dL/dnet_j, each hidden delta from the old weights of the layer above;
    a softmax output's delta through its Jacobian, and y_hat - t where
    SymPy proves softmax + cross_entropy or sigmoid + bce simplify to it);
    every gradient as delta_j * y_i; the full chain rule per weight as a
    cross-reference (written out for small networks); for a mini-batch,
    each sample's passes and gradients, then their mean; the agreement with torch autograd in float64 (a
    difference above 1e-10, relative for values above 1, is an error); the weights after
    w <- w - lr * dL/dw; and the loss after the step. JSON has every number
    in full float64, including `deltas` (neuron -> delta) and
    `loss_after_step`; a mini-batch adds `per_sample_gradients` and
    `deltas_per_sample`.

    \b
    Neurons are numbered 1..N layer by layer, inputs first: for 2,2,1 the
    inputs are 1 and 2, the hidden neurons 3 and 4, the output neuron 5.
    Weight w{i}{j} joins neuron i to neuron j (w13: neuron 1 -> neuron 3).
    When i or j is 10 or more write w{i}_{j} (w9_10); w{i}_{j} is always
    accepted (w1_3 = w13). Bias b{j} is added to neuron j's net input.
    Inputs are x_i; neuron j's net input is H_j (hidden) or O_j (output)
    and its output y_j. With no options this is the homework's network.
    """
    use_language(lang, fmt)
    try:
        given_weights = merge_assignments(weights, "--weights", "weight")  # repeated options merge
        given_biases = merge_assignments(biases, "--biases", "bias")
        problem = _build_problem(lr, x, y, layers, activation, loss, given_weights, given_biases)
    except Q3InputError as error:
        raise click.BadParameter(str(error), param_hint=error.option) from None
    from hwsolve.solutions.q3 import solve_q3  # after validation: SymPy and torch load slowly

    emit(solve_q3(problem, steps=steps), fmt.lower(), "q3", digits)
