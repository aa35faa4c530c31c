"""Q4 in the report: where results are read and written, and the measured effects."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from q4_fakes import fake_finding

from hwsolve.render.options import ReportOptions
from hwsolve.render.questions import q4 as report_q4
from hwsolve.solutions.q4_differences import DIFFERENCES


def test_a_non_default_sweep_never_overwrites_the_full_run(tmp_path):
    assert report_q4.results_folders(tmp_path, "homework", 30) == (tmp_path / "q4" / "homework",) * 2
    assert report_q4.results_folders(tmp_path, "homework", 3) == (
        tmp_path / "q4" / "homework",
        tmp_path / "q4" / "epochs-3" / "homework",
    )


def test_quick_trains_3_epochs_into_its_own_folder_when_nothing_is_finished(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(report_q4, "finished_solution", lambda mode, folder, epochs, seeds, data_dir=None: None)

    def solver(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(mode=kwargs["mode"], epochs=kwargs["epochs"], configs=[])

    modes = report_q4.solve_q4_for_report(
        solver, ReportOptions(out_dir=tmp_path, quick=True, seed=4, data_dir=Path("d"))
    )
    # Homework mode (the answer) over 3 seeds from --seed on; corrected mode over one.
    assert [(c["mode"], c["epochs"], c["out"], c["seed"], c["seeds"], c["data_dir"]) for c in calls] == [
        ("homework", 3, tmp_path / "q4" / "epochs-3" / "homework", 4, [4, 5, 6], Path("d")),
        ("corrected", 3, tmp_path / "q4" / "epochs-3" / "corrected", 4, [4], Path("d")),
    ]
    # The first call trains corrected mode's seed too, in the same worker pool; the second only reads it.
    assert [(job.mode, job.seed, job.out) for job in calls[0]["train_also"]] == [
        ("corrected", 4, tmp_path / "q4" / "epochs-3" / "corrected")
    ]
    assert calls[1]["train_also"] == []
    assert modes.reused == {"homework": False, "corrected": False}


def test_finished_results_are_reused_without_training(monkeypatch, tmp_path):
    finished = {"homework": SimpleNamespace(epochs=30), "corrected": SimpleNamespace(epochs=30)}
    monkeypatch.setattr(
        report_q4,
        "finished_solution",
        lambda mode, folder, epochs, seeds, data_dir=None: finished[mode] if folder == tmp_path / "q4" / mode else None,
    )
    modes = report_q4.solve_q4_for_report(lambda **_: pytest.fail("must not train"), ReportOptions(out_dir=tmp_path))
    assert modes.homework is finished["homework"] and modes.reused == {"homework": True, "corrected": True}


def _entry(activation, loss, optimizer, error, test_errors=None):
    """A finding of one run (test_errors [error]) or of several seeds."""
    return fake_finding(f"{activation}/{loss}/{optimizer}", error, test_errors=test_errors)


def _difference(what):
    return next(d for d in DIFFERENCES if d.what == what)


def test_measured_effects_are_medians_of_the_touched_groups():
    homework = [
        _entry("relu", "nll", "sgd", 0.9),
        _entry("relu", "nll", "adam", 0.7),
        _entry("relu", "cross_entropy", "sgd", 0.05),
        _entry("relu", "cross_entropy", "adam", None),
    ]
    corrected = [
        _entry("relu", "nll", "sgd", 0.03),
        _entry("relu", "nll", "adam", 0.02),
        _entry("relu", "cross_entropy", "sgd", 0.04),
        _entry("relu", "cross_entropy", "adam", 0.01),
    ]
    effects = {row.group: row for row in report_q4.measured_effects(homework, corrected)}
    # By hand: all = median(0.9, 0.7, 0.05) = 0.7 vs median(0.03, 0.02, 0.04, 0.01) = 0.025; NLL: 0.8 vs 0.025;
    # Adam: 0.7 (the NaN run has no error) vs 0.015; CE+SGD: 0.05 vs 0.04.
    expected = {"all": (0.7, 0.025), "nll": (0.8, 0.025), "adam": (0.7, 0.015), "cross_entropy_sgd": (0.05, 0.04)}
    assert set(effects) == set(expected)
    for group, (homework_median, corrected_median) in expected.items():
        assert (effects[group].homework, effects[group].corrected) == pytest.approx(
            (homework_median, corrected_median)
        ), group
    assert (effects["all"].homework_runs, effects["all"].corrected_runs) == (3, 4)
    # The row shown beside a listed difference: the group that isolates it, else none.
    modes = report_q4.Q4Modes(SimpleNamespace(findings=homework), SimpleNamespace(findings=corrected), reused={})
    nll = modes.effect_of(_difference("NLLLoss input"))
    assert (nll.group, nll.homework, nll.corrected) == ("nll", pytest.approx(0.8), pytest.approx(0.025))
    assert modes.effect_of(_difference("Adam's learning rate")).group == "adam"
    assert modes.effect_of(_difference("Dropout")) is None


def test_effects_pool_every_seed_of_a_finding():
    """A finding stands for all its seeds: the group median pools configurations x seeds."""
    finding = _entry("relu", "nll", "sgd", None, test_errors=[0.9, 0.1, 0.5])
    other = _entry("sigmoid", "nll", "sgd", None, test_errors=[0.3, 0.2, 0.4])
    row = report_q4.measured_effects([finding, other], [])[1]
    assert row.group == "nll" and row.homework == pytest.approx(0.35) and row.homework_runs == 6  # median of 6 values
    assert row.corrected is None and row.corrected_runs == 0


def _write_results(folder: Path, mode: str, seed: int, epochs: int, n_configs: int) -> None:
    """A results.json as `hwsolve q4` writes it (only the fields the reader uses)."""
    from dataclasses import asdict

    from hwsolve.experiments.mnist import ALL_CONFIGS, MODES
    from hwsolve.experiments.mnist.modes import epochs_for
    from hwsolve.experiments.mnist.results import SCHEMA
    from hwsolve.io import write_json_atomic

    def entry(c):
        trained = epochs_for(MODES[mode], epochs, c.index)
        return {
            "name": c.name,
            "activation": c.activation,
            "loss": c.loss,
            "optimizer": c.optimizer,
            "test_error": 0.05,
            "homework_index": c.index,
            "epochs_trained": trained,
            "best_epoch": trained,
            "overfitting_onset": None,
            "rising_epochs": [],
            "as_written_overfit_epochs": [],
            "train_loss": [0.1] * trained,
            "val_loss": [0.1] * trained,
            "val_loss_sum": [1.0] * trained,
            "val_accuracy": [0.9] * trained,
            "wall_time_s": 0.0,
            "n_train": 48000,
            "n_val": 12000,
            "n_test": 10000,
        }

    configs = [entry(c) for c in ALL_CONFIGS[:n_configs]]
    document = {
        "schema": SCHEMA,
        "key": {
            "mode": mode,
            "seed": seed,
            "epochs": epochs,
            "limit_train": None,
            "data_sha256": "fake",
            "trainer_version": 0,
        },
        "mode": mode,
        "settings": asdict(MODES[mode]),
        "device": "cpu",
        "configs": configs,
    }
    write_json_atomic(folder / "results.json", document)


@pytest.mark.parametrize(
    ("seed", "epochs", "n_configs", "reused"),
    [(4, 30, 12, True), (0, 30, 12, False), (4, 3, 12, False), (4, 30, 11, False)],
)
def test_only_a_whole_sweep_of_the_same_seed_and_epochs_is_reused(tmp_path, seed, epochs, n_configs, reused):
    folder = tmp_path / "q4" / "corrected"
    _write_results(folder, "corrected", seed, epochs, n_configs)
    found = report_q4.finished_solution("corrected", folder, 30, [4])
    assert (found is not None) == reused
    if reused:
        assert found.seed == 4 and found.epochs == 30


def test_several_seeds_are_reused_only_when_every_seed_is_finished(tmp_path):
    folder = tmp_path / "q4" / "homework"
    _write_results(folder, "homework", 0, 30, 12)
    _write_results(folder / "seed-1", "homework", 1, 30, 12)
    assert report_q4.finished_solution("homework", folder, 30, [0, 1, 2]) is None  # seed 2 missing: train it
    _write_results(folder / "seed-2", "homework", 2, 30, 12)
    found = report_q4.finished_solution("homework", folder, 30, [0, 1, 2])
    assert found.seeds == [0, 1, 2] and [f.n_seeds for f in found.findings] == [3] * 12
