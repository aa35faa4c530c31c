"""What one configuration's run produced: one entry of results.json, as a typed value.

A diverged run's NaN is None here, as in the JSON (strict JSON has no NaN).
to_json writes the keys in the order results.json has always had them, so
files written before this type existed are read back and rewritten byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TypeVar

from hwsolve.experiments.mnist.configs import CONFIGS_BY_NAME, Config
from hwsolve.experiments.mnist.overfitting import as_written_overfit_epochs, overfitting_onset, rising_epochs

JsonEntry = dict[str, object]
T = TypeVar("T")


def finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _curve(values: Sequence[float]) -> tuple[float | None, ...]:
    return tuple(finite_or_none(float(value)) for value in values)


@dataclass(frozen=True)
class ConfigResult:
    name: str
    activation: str
    loss: str
    optimizer: str
    homework_index: int
    epochs_trained: int
    test_error: float | None  # of the weights that count (best-validation or last epoch's); None: NaN
    best_epoch: int | None
    overfitting_onset: int | None
    rising_epochs: tuple[int, ...]
    as_written_overfit_epochs: tuple[int, ...]
    train_loss: tuple[float | None, ...]
    val_loss: tuple[float | None, ...]  # mean per validation sample
    val_loss_sum: tuple[float | None, ...]  # the homework's sum of loss * batch size
    val_accuracy: tuple[float | None, ...]
    wall_time_s: float
    n_train: int
    n_val: int
    n_test: int
    # Only with test_every_epoch (a check of the trainer). to_json writes it when recorded; to_jsonable never does,
    # so a subclass's fields (solutions.q4_findings.MarkedResult) follow n_test as they always have.
    test_error_history: tuple[float | None, ...] | None = field(default=None, metadata={"json": False})

    @property
    def config(self) -> Config:
        return CONFIGS_BY_NAME[self.name]

    @classmethod
    def from_curves(
        cls,
        config: Config,
        curves: Mapping[str, Sequence[float]],
        test_error: float,
        best_epoch: int | None,
        wall_time_s: float,
        sizes: tuple[int, int, int],
        test_error_history: Sequence[float] | None = None,
    ) -> ConfigResult:
        """From a run's raw curves (train_loss, val_loss, val_loss_sum, val_accuracy; NaN allowed)."""
        val_loss, val_loss_sum = list(curves["val_loss"]), list(curves["val_loss_sum"])
        return cls(
            name=config.name,
            activation=config.activation,
            loss=config.loss,
            optimizer=config.optimizer,
            homework_index=config.index,
            epochs_trained=len(curves["train_loss"]),
            test_error=finite_or_none(test_error),
            best_epoch=best_epoch,
            overfitting_onset=overfitting_onset(val_loss),
            rising_epochs=tuple(rising_epochs(val_loss_sum)),
            as_written_overfit_epochs=tuple(as_written_overfit_epochs(val_loss_sum)),
            train_loss=_curve(curves["train_loss"]),
            val_loss=_curve(val_loss),
            val_loss_sum=_curve(val_loss_sum),
            val_accuracy=_curve(curves["val_accuracy"]),
            wall_time_s=wall_time_s,
            n_train=sizes[0],
            n_val=sizes[1],
            n_test=sizes[2],
            test_error_history=None if test_error_history is None else _curve(test_error_history),
        )

    def to_json(self) -> JsonEntry:
        """The results.json entry: tuples as lists, test_error_history only when recorded."""
        entry: JsonEntry = {}
        for name in [f.name for f in fields(ConfigResult)]:  # a subclass's own fields are not results.json's
            value = getattr(self, name)
            if name == "test_error_history" and value is None:
                continue
            entry[name] = list(value) if isinstance(value, tuple) else value
        return entry

    @classmethod
    def from_json(cls, entry: Mapping[str, object]) -> ConfigResult:
        """An entry as results.json holds it (results.check_entry validates one before it is trusted)."""
        history = entry.get("test_error_history")
        return cls(
            name=_as(str, entry["name"]),
            activation=_as(str, entry["activation"]),
            loss=_as(str, entry["loss"]),
            optimizer=_as(str, entry["optimizer"]),
            homework_index=_as(int, entry["homework_index"]),
            epochs_trained=_as(int, entry["epochs_trained"]),
            test_error=_number_or_none(entry["test_error"]),
            best_epoch=None if entry["best_epoch"] is None else _as(int, entry["best_epoch"]),
            overfitting_onset=None if entry["overfitting_onset"] is None else _as(int, entry["overfitting_onset"]),
            rising_epochs=tuple(_as(int, v) for v in _as(list, entry["rising_epochs"])),
            as_written_overfit_epochs=tuple(_as(int, v) for v in _as(list, entry["as_written_overfit_epochs"])),
            train_loss=_numbers(entry["train_loss"]),
            val_loss=_numbers(entry["val_loss"]),
            val_loss_sum=_numbers(entry["val_loss_sum"]),
            val_accuracy=_numbers(entry["val_accuracy"]),
            wall_time_s=_number(entry["wall_time_s"]),
            n_train=_as(int, entry["n_train"]),
            n_val=_as(int, entry["n_val"]),
            n_test=_as(int, entry["n_test"]),
            test_error_history=None if history is None else _numbers(history),
        )


def _as(kind: type[T], value: object) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{value!r} is not a {kind.__name__}")
    return value


def _number(value: object) -> float:
    """A JSON number as written: an int stays an int (json writes 0, not 0.0), so to_json gives the same text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    return value


def _number_or_none(value: object) -> float | None:
    return None if value is None else _number(value)


def _numbers(values: object) -> tuple[float | None, ...]:
    return tuple(_number_or_none(value) for value in _as(list, values))
