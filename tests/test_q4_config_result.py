"""ConfigResult: one results.json entry as a typed value, read and written back byte for byte.

The oracle is the text of an entry as `hwsolve q4` has always written it
(key order, an integer 0 that json writes as 0, nulls for a diverged run),
typed here by hand, not produced by the code under test.
"""

from __future__ import annotations

import json
import math

from hwsolve.experiments.mnist import ConfigResult, parse_configs
from hwsolve.experiments.mnist.sweep import results_csv

WRITTEN = """{
  "name": "relu/nll/adam",
  "activation": "relu",
  "loss": "nll",
  "optimizer": "adam",
  "homework_index": 3,
  "epochs_trained": 3,
  "test_error": null,
  "best_epoch": 1,
  "overfitting_onset": null,
  "rising_epochs": [
    3
  ],
  "as_written_overfit_epochs": [],
  "train_loss": [
    -12.5,
    null,
    null
  ],
  "val_loss": [
    0.5,
    0.25,
    0.75
  ],
  "val_loss_sum": [
    128.0,
    64.0,
    192.0
  ],
  "val_accuracy": [
    0.1,
    0.1,
    0.1
  ],
  "wall_time_s": 0,
  "n_train": 384,
  "n_val": 256,
  "n_test": 10000
}"""


def test_an_entry_reads_and_writes_back_byte_for_byte():
    result = ConfigResult.from_json(json.loads(WRITTEN))
    assert result.config == parse_configs("relu/nll/adam")[0] and result.test_error is None
    assert result.train_loss == (-12.5, None, None) and result.rising_epochs == (3,)
    assert json.dumps(result.to_json(), indent=2, allow_nan=False) == WRITTEN


def test_a_run_becomes_strict_json_and_the_analysis_is_of_its_curves():
    config = parse_configs("sigmoid/cross_entropy/sgd")[0]
    curves = {
        "train_loss": [2.0, 1.0, math.nan],
        "val_loss": [0.5, 0.25, 0.375],  # lowest at epoch 2, then up: onset 2
        "val_loss_sum": [64.0, 32.0, 48.0],  # rises at epoch 3 (1-based), never above 999999999
        "val_accuracy": [0.5, 0.75, 0.625],
    }
    result = ConfigResult.from_curves(config, curves, math.nan, 2, 1.5, (384, 128, 10000), [0.5, 0.25, 0.375])
    entry = result.to_json()
    assert list(entry) == list(json.loads(WRITTEN)) + ["test_error_history"]  # results.json's order
    assert (entry["test_error"], entry["train_loss"]) == (None, [2.0, 1.0, None])
    assert (entry["overfitting_onset"], entry["rising_epochs"], entry["as_written_overfit_epochs"]) == (2, [3], [])
    assert (entry["homework_index"], entry["epochs_trained"], entry["n_val"]) == (config.index, 3, 128)
    without_history = ConfigResult.from_curves(config, curves, 0.25, 2, 1.5, (384, 128, 10000)).to_json()
    assert "test_error_history" not in without_history


def test_the_csv_row_holds_the_last_epoch_of_each_curve():
    result = ConfigResult.from_json(json.loads(WRITTEN))
    header, row = results_csv([result]).splitlines()
    assert header.split(",")[8:11] == ["final_train_loss", "final_val_loss", "final_val_accuracy"]
    assert row == "relu/nll/adam,relu,nll,adam,3,,1,,,0.75,0.1,0"
