"""Q4 findings built by hand for the tests of what reads them (the audit, the measured effects).

Only the fields a test names carry meaning; the rest hold neutral values.
"""

from __future__ import annotations

from hwsolve.solutions.q4_findings import ConfigFinding


def fake_finding(
    name: str,
    median: float | None,
    low: float | None = None,
    high: float | None = None,
    seeds_below: int = 0,
    n_seeds: int = 1,
    test_errors: list[float | None] | None = None,
) -> ConfigFinding:
    activation, loss, optimizer = name.split("/")
    return ConfigFinding(
        name=name,
        activation=activation,
        loss=loss,
        optimizer=optimizer,
        homework_index=0,
        epochs_trained=1,
        test_errors=[median] * n_seeds if test_errors is None else test_errors,
        test_error=median,
        median=median,
        low=low,
        high=high,
        seeds_below=seeds_below,
        n_seeds=n_seeds,
        cause="trains",
        diverged_seeds=0,
        first_nan_epoch=None,
        final_train_loss=None,
        lowest_train_loss=None,
        constant_digits=[],
        submitted_below=False,
    )
