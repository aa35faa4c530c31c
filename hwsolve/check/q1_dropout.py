"""Cross-check of inverted dropout (Q1b) against torch's own dropout, float64.

- Our formula x m / (1 - p) with the given mask, against the exact value for
  the same float64 inputs (check_float_dropout), relative to each value's size.
- torch.nn.functional.dropout in training mode: its mask is recovered by
  running the same random draw on a tensor of ones, and every kept value must
  equal x / (1 - p) and every dropped one 0.
- Eval mode (training=False, and nn.Dropout after .eval()) is the identity.
- A Monte Carlo mean of torch's scaled mask, E[m/(1-p)], is within 5 standard
  errors of 1, the symbolic result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp
import torch

from hwsolve.check.finite import require_finite
from hwsolve.errors import VerificationError

VALUE_TOLERANCE = 1e-14  # relative; x/(1-p) vs torch's x * (1/(1-p)) may differ by an ulp
# x * m / (1 - p) in float64 rounds at most twice (1 - p, then the division): 4 ulps is ample,
# plus the spacing of subnormal numbers, whose precision is absolute.
FLOAT_RELATIVE_TOLERANCE = 4 * 2.0**-52
SMALLEST_SUBNORMAL = sp.Rational(2) ** -1074
MONTE_CARLO_SAMPLES = 1_000_000


@dataclass(frozen=True)
class TorchDropoutCheck:
    rate: str
    kept: int  # units torch kept in its own random draw
    max_kept_value_error: float  # max |torch kept value - x/(1-p)| / max|x/(1-p)|
    dropped_are_zero: bool
    eval_is_identity: bool
    mean_scaled_mask: float  # Monte Carlo E[m/(1-p)] over MONTE_CARLO_SAMPLES units
    mean_standard_error: float  # sqrt(p/(1-p)/N), the expected spread of that mean


def _draw_with_seed(tensor: torch.Tensor, rate: float, seed: int) -> torch.Tensor:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.functional.dropout(tensor, p=rate, training=True)


def check_torch_dropout(x: tuple[float, ...], rate_text: str, seed: int = 0) -> TorchDropoutCheck:
    rate = float(rate_text)
    inputs = torch.tensor(x, dtype=torch.float64)
    # The same seed and shape draw the same mask, so dropout(ones) reveals it even where x is 0.
    mask = _draw_with_seed(torch.ones_like(inputs), rate, seed) != 0
    output = _draw_with_seed(inputs, rate, seed)
    expected = inputs / (1.0 - rate)
    # Any unit may be kept by torch's own draw: each x / (1 - p) must be a float64,
    # or the comparisons below mean nothing.
    require_finite(
        {f"x{index + 1} / (1 - p)": value for index, value in enumerate(expected.tolist())},
        f"in torch's dropout at p={rate_text}",
    )
    scale = expected.abs().max().item() or 1.0
    kept_error = ((output - expected)[mask].abs().max().item() / scale) if mask.any() else 0.0
    dropped_are_zero = bool((output[~mask] == 0).all())

    module = torch.nn.Dropout(rate).eval()
    eval_identity = torch.equal(torch.nn.functional.dropout(inputs, p=rate, training=False), inputs) and torch.equal(
        module(inputs), inputs
    )

    samples = _draw_with_seed(torch.ones(MONTE_CARLO_SAMPLES, dtype=torch.float64), rate, seed + 1)
    mean = samples.mean().item()
    standard_error = math.sqrt(rate / (1.0 - rate) / MONTE_CARLO_SAMPLES)

    if not kept_error <= VALUE_TOLERANCE or not dropped_are_zero:  # `not <=` also catches NaN
        raise VerificationError(
            f"torch dropout at p={rate_text} does not match x*m/(1-p) (relative error {kept_error:.3g})"
        )
    if not eval_identity:
        raise VerificationError("torch dropout in eval mode changed its input")
    if abs(mean - 1.0) > 5 * standard_error + 1e-15:
        raise VerificationError(f"torch's mean scaled mask {mean} is not within 5 standard errors of 1")
    return TorchDropoutCheck(
        rate_text, int(mask.sum()), kept_error, dropped_are_zero, eval_identity, mean, standard_error
    )


def dropout_output_float(x: tuple[float, ...], mask: tuple[int, ...], rate_text: str) -> list[float]:
    """x m / (1 - p) in torch float64 (the value the report prints)."""
    inputs = torch.tensor(x, dtype=torch.float64)
    keep = torch.tensor(mask, dtype=torch.float64)
    # + 0.0 turns the -0.0 of a dropped negative input into 0.0
    return [value + 0.0 for value in (inputs * keep / (1.0 - float(rate_text))).tolist()]


def check_float_dropout(x: tuple[float, ...], mask: tuple[int, ...], rate_text: str, outputs: list[float]) -> None:
    """Each float64 output against x m / (1 - p) computed exactly from the same float64 x and p.

    Not against the decimals typed: 0.999999 is not a float64, and 1 - p
    magnifies its representation error by 1/(1 - p) (to 1e-4 there), which
    says nothing about the float arithmetic checked here.
    """
    require_finite(
        {f"x{index + 1} m{index + 1} / (1 - p)": output for index, output in enumerate(outputs)},
        f"in the dropout output at p={rate_text}",
    )
    rate = sp.Rational(float(rate_text))
    for value, kept, output in zip(x, mask, outputs):
        expected = sp.Rational(float(value)) * int(kept) / (1 - rate)
        if abs(sp.Rational(output) - expected) > FLOAT_RELATIVE_TOLERANCE * abs(expected) + SMALLEST_SUBNORMAL:
            raise VerificationError(
                f"float64 dropout output {output!r} at p={rate_text} differs from the exact {float(expected)!r} "
                f"by more than {FLOAT_RELATIVE_TOLERANCE:.1g} relative"
            )
