"""Validation of a Q4 results.json read back: a hand-edited or foreign file is never trusted.

The schema string alone proves nothing: a file can carry it and still hold a
test error of -5, a curve one epoch short, or a config twice. read_results
returns a document only when every field the program reads has the type,
range and length that `hwsolve q4` itself writes; otherwise it raises
InvalidResults naming the file and the first field that is wrong. The caller
decides: the sweep retrains (training is its job), readers refuse.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import NotRequired, TypedDict, TypeGuard, cast

from hwsolve.errors import HwsolveError
from hwsolve.experiments.mnist.config_result import JsonEntry
from hwsolve.experiments.mnist.configs import CONFIGS_BY_NAME
from hwsolve.experiments.mnist.modes import MODES, epochs_for

SCHEMA = "hwsolve.q4.results/1"


class RunKey(TypedDict):
    """What a results file belongs to: results of another key are never mixed in or reused."""

    mode: str
    seed: int
    epochs: int
    limit_train: int | None
    data_sha256: str
    trainer_version: int


class ResultsDocument(TypedDict):
    """results.json, in the order its keys are written; the not-required ones are not validated on reading."""

    schema: str
    key: RunKey
    mode: str
    settings: dict[str, object]  # dataclasses.asdict of the ModeSpec
    device: str
    threads: NotRequired[int]
    torch_version: NotRequired[str]
    data_folder: NotRequired[str]
    configs: list[JsonEntry]  # ConfigResult.to_json entries, homework order
    retrained: NotRequired[list[str]]
    last_run_wall_time_s: NotRequired[float]


CURVES = ("train_loss", "val_loss", "val_loss_sum", "val_accuracy")  # one value per epoch trained


class InvalidResults(HwsolveError):
    """A results file that exists but must not be used."""


class NotAFile(InvalidResults):
    """Something else (a folder, a broken link) where a results file should be: it cannot be replaced either."""


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _fraction(value: object) -> bool:
    """An error or accuracy: null (a diverged run) or a number in [0, 1]."""
    return value is None or (_is_number(value) and 0 <= value <= 1)


def _finite_or_null(value: object) -> bool:
    return value is None or _is_number(value)


def _epoch_in(value: object, epochs: int, nullable: bool = True) -> bool:
    return (nullable and value is None) or (_is_int(value) and 1 <= value <= epochs)


def _require(condition: bool, field: str, problem: str) -> None:
    if not condition:
        raise ValueError(f"{field}: {problem}")


def check_key(key: object) -> None:
    if not isinstance(key, dict):
        raise ValueError("key: not an object")
    _require(key.get("mode") in MODES, "key.mode", f"not one of {', '.join(MODES)}")
    _require(_is_int(key.get("seed")) and key["seed"] >= 0, "key.seed", "not a non-negative integer")
    _require(_is_int(key.get("epochs")) and key["epochs"] >= 1, "key.epochs", "not a positive integer")
    _require(
        key.get("limit_train", 0) is None or (_is_int(key.get("limit_train")) and key["limit_train"] >= 1),
        "key.limit_train",
        "not null or a positive integer",
    )
    _require(isinstance(key.get("data_sha256"), str), "key.data_sha256", "missing or not a string")
    _require(_is_int(key.get("trainer_version")), "key.trainer_version", "missing or not an integer")


def check_entry(entry: object, mode: str, epochs: int, where: str) -> None:
    """One config's entry, as ConfigResult.to_json writes it, for a sweep of `mode` over `epochs`."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: not an object")
    config = CONFIGS_BY_NAME.get(str(entry.get("name")))
    if config is None or not isinstance(entry.get("name"), str):
        raise ValueError(f"{where}.name: {entry.get('name')!r} is not a known configuration")
    where = f"{where} ({config.name})"
    for field, expected in (
        ("activation", config.activation),
        ("loss", config.loss),
        ("optimizer", config.optimizer),
        ("homework_index", config.index),
    ):
        _require(
            entry.get(field) == expected and type(entry.get(field)) is type(expected),
            f"{where}.{field}",
            f"should be {expected!r}",
        )
    trained = epochs_for(MODES[mode], epochs, config.index)
    _require(
        entry.get("epochs_trained") == trained and _is_int(entry.get("epochs_trained")),
        f"{where}.epochs_trained",
        f"should be {trained} in {mode} mode over {epochs} epochs",
    )
    _require("test_error" in entry and _fraction(entry["test_error"]), f"{where}.test_error", "not null or in [0, 1]")
    _require(_epoch_in(entry.get("best_epoch"), trained), f"{where}.best_epoch", f"not null or in 1..{trained}")
    _require(
        _epoch_in(entry.get("overfitting_onset"), trained), f"{where}.overfitting_onset", f"not null or in 1..{trained}"
    )
    for curve in CURVES:
        values = entry.get(curve)
        if not (isinstance(values, list) and len(values) == trained):
            raise ValueError(f"{where}.{curve}: not a list of {trained} values (one per epoch trained)")
        valid = _fraction if curve == "val_accuracy" else _finite_or_null
        _require(
            all(valid(value) for value in values),
            f"{where}.{curve}",
            "holds a value that is not null or " + ("in [0, 1]" if curve == "val_accuracy" else "a finite number"),
        )
    for field in ("rising_epochs", "as_written_overfit_epochs"):
        values = entry.get(field)
        _require(
            isinstance(values, list) and all(_is_int(value) and 0 <= value <= trained for value in values),
            f"{where}.{field}",
            f"not a list of epochs in 0..{trained}",
        )
    _require(
        _is_number(entry.get("wall_time_s")) and entry["wall_time_s"] >= 0,
        f"{where}.wall_time_s",
        "not a non-negative number",
    )
    for field in ("n_train", "n_val", "n_test"):
        _require(_is_int(entry.get(field)) and entry[field] >= 0, f"{where}.{field}", "not a non-negative integer")


def check_document(document: object) -> None:
    """Raise ValueError('field: problem') unless `document` is a results document as `hwsolve q4` writes it."""
    if not isinstance(document, dict):
        raise ValueError("document: not a JSON object")
    _require(document.get("schema") == SCHEMA, "schema", f"not {SCHEMA!r}")
    check_key(document.get("key"))
    key = document["key"]
    _require(document.get("mode") == key["mode"], "mode", "differs from key.mode")
    _require(document.get("settings") == asdict(MODES[key["mode"]]), "settings", f"not those of {key['mode']} mode")
    _require(isinstance(document.get("device"), str), "device", "missing or not a string")
    configs = document.get("configs")
    if not isinstance(configs, list):
        raise ValueError("configs: not a list")
    for position, entry in enumerate(configs):
        check_entry(entry, key["mode"], key["epochs"], f"configs[{position}]")
    names = [entry["name"] for entry in configs]
    _require(len(set(names)) == len(names), "configs", "a configuration appears twice")


def read_results(path: Path | str) -> ResultsDocument | None:
    """The validated document at `path`; None when there is none; InvalidResults when it must not be used."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        raise NotAFile(f"{path} is not a file (a folder or a broken link?); remove it or use another --out")
    try:
        document: object = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidResults(f"{path} cannot be read ({error.strerror or error})") from None
    except ValueError:  # invalid JSON, or not UTF-8: a torn or foreign file
        raise InvalidResults(f"{path} is not valid JSON (torn, or edited by hand)") from None
    try:
        check_document(document)
    except ValueError as error:
        raise InvalidResults(f"{path}: {error}") from None
    return cast(ResultsDocument, document)  # check_document has just checked every field that is read
