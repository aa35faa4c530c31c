"""Issue 11, results: nothing finished is lost, and nothing read back is trusted unchecked.

Driven through the CLI as a user would, with tiny runs (--limit-train 1280,
1-2 epochs, one or two configs). Each case asserts the exit code, that a
failure is one line on stderr without a traceback, and compares the files
that were finished before with what is there after.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwsolve.cli import main
from hwsolve.errors import HwsolveError

pytestmark = pytest.mark.mnist
ONE = "relu/cross_entropy/sgd"
TWO = "relu/cross_entropy/sgd,sigmoid/cross_entropy/adam"
TINY = ["--limit-train", "1280", "--no-progress"]


@dataclass
class Done:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def hwsolve(*args: str, env: dict | None = None) -> Done:
    """The console script's entry point (main, which turns failures into one line), with stdout and stderr apart.

    An exception main does not handle propagates: it would have been a traceback for the user.
    """
    with CliRunner().isolation(env=env) as (stdout, stderr, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
    return Done(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def q4(out: Path, *args: str, epochs: str = "1", configs: str = ONE, env: dict | None = None):
    # A --limit-train in args replaces TINY's (an option given twice is refused).
    tiny = [a for a in TINY if a not in ("--limit-train", "1280")] if "--limit-train" in args else TINY
    return hwsolve(
        "q4", "--out", str(out), "--epochs", epochs, "--configs", configs, *tiny, "--format", "json", *args, env=env
    )


def assert_ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr


def assert_one_line_failure(result, exit_code: int, *words: str):
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path: what 'nothing finished was lost' compares."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kept(before: dict[str, bytes], after: dict[str, bytes]) -> bool:
    return all(after.get(name) == content for name, content in before.items())


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """One finished tiny run (2 configs, 1 epoch) to copy into each test's folder."""
    out = tmp_path_factory.mktemp("finished")
    assert_ok(q4(out, configs=TWO))
    return out


def copy_of(finished: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in snapshot(finished).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


# --- 1. Settings never overwrite each other -------------------------------------------------------


@pytest.mark.parametrize(
    "change", [["--epochs", "2"], ["--seed", "3"], ["--mode", "homework"], ["--limit-train", "1536"]]
)
def test_a_run_of_other_settings_keeps_the_finished_results_and_resumes_in_its_own_folder(finished, tmp_path, change):
    out = copy_of(finished, tmp_path / "out")
    before = snapshot(out)
    args = list(change)
    epochs = "1"
    if args[0] == "--epochs":
        epochs, args = args[1], []
    first = q4(out, *args, epochs=epochs)
    assert_ok(first)
    after = snapshot(out)
    assert kept(before, after)  # the 2-config run is untouched, byte for byte
    (own,) = [p.parent for p in out.glob("*/results.json")]
    assert str(own) in first.stderr  # the user is told where this run went
    stored = json.loads((own / "results.json").read_text())
    assert [e["name"] for e in stored["configs"]] == [ONE] and stored["retrained"] == [ONE]
    saved = (own / "results.json").read_bytes()
    again = q4(out, *args, epochs=epochs)  # the same settings again: found and reused, nothing retrained or saved
    assert_ok(again)
    assert (own / "results.json").read_bytes() == saved
    assert json.loads(again.stdout)["configs"] == json.loads(first.stdout)["configs"]
    assert kept(before, snapshot(out))


def test_the_readme_quick_run_from_the_repo_root_never_touches_the_full_sweep(finished, tmp_path):
    """`hwsolve q4 --epochs 2 --limit-train ...` without --out goes to build/q4/epochs-2-train-<N>/<mode>/."""
    build = tmp_path / "build"
    full = copy_of(finished, build / "q4" / "corrected")  # stands for the 12 x 30 sweep the report reuses
    before = snapshot(build)
    result = hwsolve(
        "q4", "--configs", ONE, "--epochs", "2", *TINY, "--format", "json", env={"HWSOLVE_BUILD": str(build)}
    )
    assert_ok(result)
    assert kept(before, snapshot(build)) and snapshot(full)
    quick = build / "q4" / "epochs-2-train-1280" / "corrected" / "results.json"
    assert json.loads(quick.read_text())["key"]["epochs"] == 2
    assert json.loads(result.stdout)["results_path"] == str(quick)


# --- 2. Hand-edited results ------------------------------------------------------------------------


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _set(field, value):
    return lambda d: d["configs"][0].__setitem__(field, value)


EDITS = {
    "negative test error": ("test_error", _set("test_error", -5.0)),
    "test error as text": ("test_error", _set("test_error", "0.1")),
    "test error above 1": ("test_error", _set("test_error", 1.5)),
    "missing curve": ("val_loss", lambda d: d["configs"][0].pop("val_loss")),
    "curve too short": ("train_loss", _set("train_loss", [])),
    "accuracy above 1": ("val_accuracy", _set("val_accuracy", [7.0])),
    "NaN loss": ("train_loss", _set("train_loss", [math.nan])),
    "epochs_trained wrong": ("epochs_trained", _set("epochs_trained", 30)),
    "unknown name": ("name", _set("name", "tanh/cross_entropy/sgd")),
    "duplicate config": ("configs", lambda d: d["configs"].append(dict(d["configs"][0]))),
    "seed as text": ("key.seed", lambda d: d["key"].__setitem__("seed", "0")),
    "configs not a list": ("configs", lambda d: d.__setitem__("configs", {"a": 1})),
    "settings edited": ("settings", lambda d: d["settings"].__setitem__("adam_lr", 10.0)),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_hand_edited_results_file_is_retrained_by_the_sweep_never_shown(finished, tmp_path, edit):
    field, change = EDITS[edit]
    out = copy_of(finished, tmp_path / "out")
    _edit(out / "results.json", change)
    result = q4(out, configs=TWO)
    assert_ok(result)
    assert str(out / "results.json") in result.stderr and field in result.stderr and "retrained" in result.stderr
    shown = json.loads(result.stdout)["configs"]
    stored = json.loads((out / "results.json").read_text())
    assert sorted(stored["retrained"]) == sorted(TWO.split(","))
    for entry in shown:  # real values again: errors in [0, 1], one loss per epoch
        assert 0 <= entry["test_error"] <= 1 and len(entry["train_loss"]) == entry["epochs_trained"] == 1
    original = {e["name"]: e["test_error"] for e in json.loads((finished / "results.json").read_text())["configs"]}
    assert {e["name"]: e["test_error"] for e in shown} == original  # the same seed trains the same numbers


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_hand_edited_results_file_is_refused_by_the_readers(finished, tmp_path, edit):
    from hwsolve.render.questions import q4 as report_q4
    from hwsolve.solutions.q4 import load_q4_results

    field, change = EDITS[edit]
    out = copy_of(finished, tmp_path / "out")
    _edit(out / "results.json", change)
    before = snapshot(out)
    for read in (
        lambda: load_q4_results("corrected", out),
        lambda: report_q4.finished_solution("corrected", out, 1, [0]),
    ):
        with pytest.raises(HwsolveError) as refused:
            read()
        message = str(refused.value)
        assert str(out / "results.json") in message and field in message and "\n" not in message
    assert snapshot(out) == before


def test_a_torn_results_file_is_retrained_and_refused_by_readers(finished, tmp_path):
    from hwsolve.solutions.q4 import load_q4_results

    out = copy_of(finished, tmp_path / "out")
    text = (out / "results.json").read_text()
    (out / "results.json").write_text(text[: len(text) // 2])
    with pytest.raises(HwsolveError, match="not valid JSON"):
        load_q4_results("corrected", out)
    assert_ok(q4(out, configs=TWO))
    assert len(json.loads((out / "results.json").read_text())["configs"]) == 2


@pytest.mark.parametrize("name", ["results.json", "results.csv"])
def test_a_folder_where_a_results_file_goes_is_refused_before_training(tmp_path, name):
    out = tmp_path / "out"
    (out / name / "inner").mkdir(parents=True)
    (out / name / "inner" / "keep.txt").write_text("mine")
    before = snapshot(out)
    result = q4(out)
    assert_one_line_failure(result, 1, str(out / name), "not a file")
    assert snapshot(out) == before


def test_a_folder_where_seeds_json_goes_is_refused_before_training(tmp_path):
    out = tmp_path / "out"
    (out / "seeds.json").mkdir(parents=True)
    result = q4(out, "--seeds", "0,1")
    assert_one_line_failure(result, 1, str(out / "seeds.json"), "not a file")
    assert not list(out.rglob("results.json"))  # refused before anything trained


def test_a_hand_edited_seeds_file_is_refused_by_the_reader(finished, tmp_path):
    from hwsolve.solutions.q4 import load_q4_results

    out = copy_of(finished, tmp_path / "out")
    key = json.loads((out / "results.json").read_text())["key"]
    (out / "seeds.json").write_text(json.dumps({"seeds": [0, -1], "key": key, "summary": []}))
    with pytest.raises(HwsolveError, match="seeds.json: seeds"):
        load_q4_results("corrected", out)


# --- 3. Empty --configs ----------------------------------------------------------------------------


@pytest.mark.parametrize("configs", ["", "  ", ",", f"{ONE},", f",{ONE}"])
def test_an_empty_config_list_or_item_is_a_usage_error(tmp_path, configs):
    result = q4(tmp_path / "out", configs=configs)
    assert_one_line_failure(result, 2, "--configs")
    assert not (tmp_path / "out").exists()


# --- Leftover temporaries and csv/json consistency -------------------------------------------------


def test_leftover_temporary_files_are_removed_by_the_next_run(finished, tmp_path):
    out = copy_of(finished, tmp_path / "out")
    leftovers = [out / ".results.json.k1l2m3.tmp", out / ".results.csv.x9y8.tmp"]
    for leftover in leftovers:
        leftover.write_text('{"half": ')
    other = out / ".notes.txt.tmp"  # not a temporary of a file this command writes: left alone
    other.write_text("mine")
    before = snapshot(out)
    assert_ok(q4(out, configs=TWO))  # everything finished: nothing trains, yet the leftovers go
    assert not any(leftover.exists() for leftover in leftovers) and other.read_text() == "mine"
    assert (out / "results.json").read_bytes() == before["results.json"]


def _csv_rows(path: Path) -> list[tuple[str, float]]:
    return [(row["name"], float(row["test_error"])) for row in csv.DictReader(io.StringIO(path.read_text()))]


def _json_rows(path: Path) -> list[tuple[str, float]]:
    return [(e["name"], e["test_error"]) for e in json.loads(path.read_text())["configs"]]


def test_csv_holds_what_json_holds_and_a_stale_csv_is_repaired(finished, tmp_path):
    out = copy_of(finished, tmp_path / "out")
    assert (
        _csv_rows(out / "results.csv") == _json_rows(out / "results.json") and len(_csv_rows(out / "results.csv")) == 2
    )
    # A run killed between the two renames: results.json has both configs, results.csv still only the first.
    lines = (out / "results.csv").read_text().splitlines(keepends=True)
    (out / "results.csv").write_text("".join(lines[:2]))
    json_before = (out / "results.json").read_bytes()
    assert_ok(q4(out, configs=TWO))
    assert _csv_rows(out / "results.csv") == _json_rows(out / "results.json")
    assert (out / "results.json").read_bytes() == json_before  # nothing retrained, nothing lost


def test_a_growing_run_keeps_csv_and_json_in_step(finished, tmp_path):
    out = copy_of(finished, tmp_path / "out")
    assert_ok(q4(out, configs=f"{TWO},relu/nll/sgd"))
    rows = _json_rows(out / "results.json")
    assert len(rows) == 3 and _csv_rows(out / "results.csv") == rows


# --- Q1(c)'s cache ---------------------------------------------------------------------------------

Q1C = ["q1", "--part", "c", "--widths", "2,4", "--steps", "5", "--long-steps", "5", "--seeds", "1", "--format", "json"]


def _q1_cache_files(build: Path) -> list[Path]:
    return sorted(p for p in (build / "q1").glob("width-seed*.json"))


def test_a_hand_edited_q1_cache_is_recomputed_not_shown(tmp_path):
    env = {"HWSOLVE_BUILD": str(tmp_path)}
    assert_ok(hwsolve(*Q1C, env=env))
    (cache,) = _q1_cache_files(tmp_path)
    original = json.loads(cache.read_text())
    edited = json.loads(cache.read_text())
    edited["runs"][0]["test_accuracy"] = 5.0
    edited["runs"][0]["gap"] = edited["runs"][0]["train_accuracy"] - 5.0  # consistent, still impossible
    cache.write_text(json.dumps(edited))
    again = hwsolve(*Q1C, env=env)
    assert_ok(again)
    assert all(0 <= value <= 1 for value in _accuracies(json.loads(again.stdout)))  # 5.0 never shown
    repaired = json.loads(cache.read_text())["runs"][0]
    # retrained from the same seed: the accuracies of the first run again (only the seconds differ)
    assert (repaired["train_accuracy"], repaired["test_accuracy"]) == (
        original["runs"][0]["train_accuracy"],
        original["runs"][0]["test_accuracy"],
    )


def _accuracies(value, inside: bool = False):
    """Every number under a key that names an accuracy, anywhere in the JSON output."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _accuracies(item, "accuracy" in key)
    elif isinstance(value, list):
        for item in value:
            yield from _accuracies(item, inside)
    elif inside and isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def test_a_folder_where_the_q1_cache_goes_is_refused_in_one_line(tmp_path):
    env = {"HWSOLVE_BUILD": str(tmp_path)}
    assert_ok(hwsolve(*Q1C, env=env))
    (cache,) = _q1_cache_files(tmp_path)
    cache.unlink()
    cache.mkdir()
    result = hwsolve(*Q1C, env=env)
    assert_one_line_failure(result, 1, str(cache), "not a file")


# --- Figure cache keys -----------------------------------------------------------------------------


def test_a_folder_where_a_figure_key_goes_is_refused_and_a_garbled_key_redraws(tmp_path):
    from hwsolve.render.figures import cache

    base = tmp_path / "q4_curves"
    for suffix in cache.FIGURE_SUFFIXES:
        base.with_suffix(f".{suffix}").write_bytes(b"drawn")
    key_path = base.with_name("q4_curves.key")
    key_path.write_bytes(b"\xff\xfe not text")
    assert cache.is_current(base, "abc") is False  # unreadable as a key: redrawn, no traceback
    key_path.unlink()
    key_path.mkdir()
    with pytest.raises(HwsolveError, match="not a file") as refused:
        cache.is_current(base, "abc")
    assert str(key_path) in str(refused.value) and "\n" not in str(refused.value)
