"""Q1's torch cross-checks: collapse, counterexample, torch's own dropout, derivative maxima."""

from __future__ import annotations

import pytest
import torch

import hwsolve.check.q1_linear_collapse as collapse_module
from hwsolve.check.q1_activation_bounds import check_derivative_max
from hwsolve.check.q1_dropout import check_torch_dropout, dropout_output_float
from hwsolve.check.q1_linear_collapse import check_collapse, check_linear_collapse
from hwsolve.errors import VerificationError


def test_collapse_agrees_to_1e12_for_every_shape():
    checks, _ = check_linear_collapse()
    assert len(checks) >= 3
    assert all(check.max_relative_difference < 1e-12 for check in checks)


def test_collapse_check_fails_on_a_wrong_formula(monkeypatch):
    # Drop every bias except the last: the check must raise, not warn.
    monkeypatch.setattr(
        collapse_module, "collapse", lambda weights, biases: (torch.linalg.multi_dot(weights), biases[-1])
    )
    with pytest.raises(VerificationError):
        check_collapse((3, 4, 2), 5, torch.Generator().manual_seed(0))


def test_no_affine_map_fits_a_network_with_an_activation():
    _, residuals = check_linear_collapse()
    by_name = {r.activation: r for r in residuals}
    assert by_name["none"].relative_residual < 1e-12
    assert by_name["relu"].relative_residual > 0.05
    assert by_name["sigmoid"].relative_residual > 0.05


def test_affine_residual_against_numpy_least_squares():
    # Independent recomputation of the best affine fit for the ReLU case.
    import numpy as np

    generator = torch.Generator().manual_seed(7)
    residual = collapse_module.best_affine_fit_residual("relu", (3, 16, 2), 200, generator)
    generator = torch.Generator().manual_seed(7)
    x, weights, biases = collapse_module._random_stack((3, 16, 2), 200, generator)
    y = (torch.relu(3.0 * (x @ weights[0] + biases[0])) @ weights[1] + biases[1]).numpy()
    design = np.hstack([x.numpy(), np.ones((200, 1))])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    rms = np.sqrt(np.mean((y - design @ coefficients) ** 2))
    assert residual.rms_residual == pytest.approx(rms, rel=1e-10)


@pytest.mark.parametrize("rate", ["0.5", "0.4", "0.1", "0"])
def test_torch_dropout_keeps_x_over_one_minus_p(rate):
    check = check_torch_dropout((-4.5, -0.75, 3.0, 6.0, 1.5), rate, seed=3)
    assert check.max_kept_value_error <= 1e-14
    assert check.dropped_are_zero and check.eval_is_identity
    assert abs(check.mean_scaled_mask - 1.0) <= 5 * check.mean_standard_error + 1e-15


def test_torch_dropout_mask_recovery_independently():
    # Our own recovery: where torch's output is non-zero it must be x/(1-p); eval mode returns x unchanged.
    x = torch.tensor([-4.5, -0.75, 3.0, 6.0, 1.5] * 20, dtype=torch.float64)
    torch.manual_seed(11)
    out = torch.nn.functional.dropout(x, p=0.4, training=True)
    kept = out != 0
    assert 0 < kept.sum() < len(x)
    torch.testing.assert_close(out[kept], x[kept] / 0.6, rtol=1e-15, atol=0)
    # hwsolve's own dropout, given the recovered mask, must give torch's output (kept and dropped).
    ours = torch.tensor(
        dropout_output_float(tuple(x.tolist()), tuple(int(bit) for bit in kept.tolist()), "0.4"), dtype=torch.float64
    )
    torch.testing.assert_close(out, ours, rtol=1e-15, atol=0)
    assert torch.equal(torch.nn.Dropout(0.4).eval()(x), x)


def test_dropout_output_float_has_no_negative_zero():
    values = dropout_output_float((-4.5, -0.75), (1, 0), "0.5")
    assert values == [-9.0, 0.0] and str(values[1]) == "0.0"


@pytest.mark.parametrize("name, maximum", [("sigmoid", 0.25), ("tanh", 1.0), ("relu", 1.0)])
def test_autograd_maximum_matches(name, maximum):
    assert check_derivative_max(name, maximum).difference <= 1e-12


def test_autograd_maximum_rejects_a_wrong_bound():
    with pytest.raises(VerificationError):
        check_derivative_max("sigmoid", 0.3)
