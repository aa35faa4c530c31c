"""`hwsolve variants`, `grade` and `check` end to end, as a teaching assistant and a student use them."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from course_oracle import q1b_by_hand, q3_by_hand
from test_course_grading import sheet_text

from hwsolve.cli import cli, main
from hwsolve.course.files import read_keys


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    """Through the console script's main: its one-line errors and exit codes, as a user sees them."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_roster(path: Path, ids, extra=True) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "Section"] if extra else ["id"])
        for index, student in enumerate(ids):
            writer.writerow([student, f"دانشجو {index}", f"{student}@uni.example", "A"] if extra else [student])
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    roster = write_roster(folder / "roster.csv", [f"s{i:03d}" for i in range(1, 7)])
    result = run("variants", "--roster", str(roster), "--salt", "secret", "--out", str(folder / "v"), "--format", "md")
    assert result.exit_code == 0, result.output
    return folder


def test_variants_writes_every_student_s_files_and_an_index(course):
    v = course / "v"
    for student in [f"s{i:03d}" for i in range(1, 7)]:
        assert {p.name for p in (v / student).iterdir()} >= {"problem.md", "sheet.toml", "key.json"}
        key = json.loads((v / student / "key.json").read_text())
        assert key["student"] == student and isinstance(key["seed"], int)
        problem = (v / student / "problem.md").read_text()
        assert f"p = {key['q1b']['p']}" in problem and "Inverted dropout" in problem
    with (v / "index.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == [f"s{i:03d}" for i in range(1, 7)]
    assert all(row["key"] == f"{row['id']}/key.json" for row in rows)


def test_a_rerun_is_byte_identical_and_skips_everyone(course, tmp_path):
    before = {p: p.read_bytes() for p in (course / "v").glob("*/key.json")}
    roster = write_roster(tmp_path / "reordered.csv", [f"s{i:03d}" for i in range(6, 0, -1)])
    result = run("variants", "--roster", str(roster), "--salt", "secret", "--out", str(course / "v"), "--format", "md")
    assert result.exit_code == 0 and "0 written, 6 unchanged" in result.output, result.output
    assert {p: p.read_bytes() for p in (course / "v").glob("*/key.json")} == before


def test_bad_roster_and_options_are_one_line(tmp_path, capsys):
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text("id,name\ns1,a\ns1,b\n", encoding="utf-8")
    code, _, err = run_main(capsys, "variants", "--roster", str(duplicate), "--salt", "x", "--out", str(tmp_path / "o"))
    assert code == 1 and "s1" in err and len(err.strip().splitlines()) == 1, err
    good = write_roster(tmp_path / "r.csv", ["a1"])
    for args in (["--salt", ""], ["--salt", "x", "--q3-lrs", "0"], ["--salt", "x", "--format", "docx"]):
        result = run("variants", "--roster", str(good), "--out", str(tmp_path / "o"), *args)
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output


def by_hand(key, mistake=None):
    variant = key.variant
    q3 = variant.q3
    values = q3_by_hand(q3.x[0], q3.x[1], q3.y[0], q3.lr, q3.weight_map, mistake)
    return values | q1b_by_hand(variant.q1b_x, variant.q1b_mask, float(variant.q1b_p))


def test_grade_diagnoses_planted_mistakes_and_rejects_bad_sheets(course, tmp_path):
    keys = read_keys(course / "v")
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "s001.toml").write_text(sheet_text("s001", by_hand(keys["s001"])), encoding="utf-8")
    # no_output_derivative shows on every variant: the gradients grow by 1 / (y5 (1 - y5)) >= 4.
    (sheets / "s002.toml").write_text(
        sheet_text("s002", by_hand(keys["s002"], "no_output_derivative")), encoding="utf-8"
    )
    (sheets / "broken.toml").write_text('student = "s003"\n[q3\n', encoding="utf-8")
    (sheets / "stranger.toml").write_text('student = "nobody"\n', encoding="utf-8")
    (sheets / "again.toml").write_text('student = "s001"\n', encoding="utf-8")
    (sheets / "path.toml").write_text('student = "s004"\n[q3.forward]\nH9 = 1\n', encoding="utf-8")
    (sheets / "text.toml").write_text('student = "s005"\n[q3]\nloss = "about a half"\n', encoding="utf-8")
    (sheets / "persian.toml").write_text('student = "s006"\n[q3.forward]\nH3 = "۰٫۷۵"\n', encoding="utf-8")
    out = tmp_path / "grades"
    result = CliRunner().invoke(
        cli, ["grade", "--variants", str(course / "v"), str(sheets), "--out", str(out), "--lms", "canvas"]
    )
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 6 and all(line.startswith("Error: ") for line in errors), result.stderr
    for fragment in ("broken.toml", "nobody", "one of 2 sheets for 's001'", "H9", "about a half"):
        assert any(fragment in line for line in errors), fragment
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW2"]
    assert rows[1][0] == "    Points Possible" and rows[1][-1] == "21"
    graded = {row[2]: row for row in rows[2:]}
    assert set(graded) == {f"s{i:03d}" for i in range(1, 7)}  # everyone in the variants has a row
    assert {student for student, row in graded.items() if row[-1]} == {"s002", "s006"}  # s001 sent two sheets
    assert graded["s006"][0].startswith("دانشجو ")
    with (out / "rejected.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 6
    feedback = (out / "feedback" / "s002.md").read_text(encoding="utf-8")
    assert "no_output_derivative" in feedback and "without the sigmoid's derivative y5(1 − y5)" in feedback
    assert "no_output_derivative" in (out / "summary.md").read_text(encoding="utf-8")


def test_grade_json_is_a_list_of_students(course, tmp_path):
    keys = read_keys(course / "v")
    sheet = tmp_path / "s003.toml"
    sheet.write_text(sheet_text("s003", by_hand(keys["s003"], "half_mse")), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["grade", "--variants", str(course / "v"), str(sheet), "--out", str(tmp_path / "g"), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [student["student"] for student in data] == ["s003"]
    diagnoses = {a["diagnosis"] for a in data[0]["answers"] if not a["correct"]}
    assert "half_mse" in diagnoses and data[0]["total"] < data[0]["max"] == 21


def test_check_grades_a_student_s_own_sheet(course, tmp_path):
    submitted = tmp_path / "mine.toml"
    submitted.write_text(
        'student = "me"\n[q3.updated]\nw35 = 0.24\nw45 = 0.84\nw13 = 0.09\nw23 = 0.79\nw14 = 0.39\nw24 = 0.58\n',
        encoding="utf-8",
    )
    result = run("check", str(submitted))
    assert result.exit_code == 0, result.output
    assert result.output.count("truncated") >= 4 and "0.0981419" not in result.output  # no key without --reveal
    revealed = run("check", str(submitted), "--reveal")
    assert "0.0981419" in revealed.output and "rounded, it is 0.10" in revealed.output
    keys = read_keys(course / "v")
    own = tmp_path / "own.toml"
    own.write_text(sheet_text("s004", by_hand(keys["s004"])), encoding="utf-8")
    result = run("check", str(own), "--variant", str(course / "v" / "s004"))
    assert result.exit_code == 0 and "s004: 21 of 21 points" in result.output, result.output


def test_check_refuses_another_student_s_variant(course, tmp_path, capsys):
    keys = read_keys(course / "v")
    own = tmp_path / "own.toml"
    own.write_text(sheet_text("s004", by_hand(keys["s004"])), encoding="utf-8")
    code, _, err = run_main(capsys, "check", str(own), "--variant", str(course / "v" / "s005"))
    assert code == 1 and "s004" in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.latex
def test_the_printable_pdf_has_a_page_per_student(tmp_path):
    if shutil.which("pdflatex") is None or shutil.which("latexmk") is None:
        pytest.skip("latexmk and pdflatex are not installed")
    roster = write_roster(tmp_path / "roster.csv", [f"p{i}" for i in range(4)])
    result = run("variants", "--roster", str(roster), "--salt", "s", "--out", str(tmp_path / "v"))
    assert result.exit_code == 0, result.output
    info = subprocess.run(["pdfinfo", str(tmp_path / "v" / "problems.pdf")], capture_output=True, text=True)
    assert "Pages:           4" in info.stdout
    text = subprocess.run(["pdftotext", str(tmp_path / "v" / "problems.pdf"), "-"], capture_output=True, text=True)
    assert text.stdout.count("your variant") == 4 and "p3" in text.stdout


def test_a_custom_id_column_reaches_the_gradebook(tmp_path):
    """The roster's row travels with each student's folder: grade needs no roster and no --id-column."""
    roster = tmp_path / "canvas.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"
        "Ada,1001,c1,ada,S1\nAlan,1002,c2,alan,S2\n",
        encoding="utf-8",
    )
    result = run("variants", "--roster", str(roster), "--salt", "k", "--out", str(tmp_path / "v"), "--format", "md")
    assert result.exit_code == 0, result.output
    keys = read_keys(tmp_path / "v")
    assert set(keys) == {"c1", "c2"}
    sheet = tmp_path / "c1.toml"
    sheet.write_text(sheet_text("c1", by_hand(keys["c1"])), encoding="utf-8")
    result = run(
        "grade", "--variants", str(tmp_path / "v"), str(sheet), "--out", str(tmp_path / "g"), "--lms", "canvas"
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "g" / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[2] == ["Ada", "1001", "c1", "ada", "S1", "21"]


def test_sheets_named_twice_missing_or_for_edited_keys(course, tmp_path, capsys):
    keys = read_keys(course / "v")
    sheet = tmp_path / "s001.toml"
    sheet.write_text(sheet_text("s001", by_hand(keys["s001"])), encoding="utf-8")
    code, out, err = run_main(
        capsys,
        "grade",
        "--variants",
        str(course / "v"),
        str(sheet),
        str(tmp_path),
        str(tmp_path / "gone.toml"),
        "--out",
        str(tmp_path / "g"),
    )
    assert code == 1 and "gone.toml" in err and len(err.strip().splitlines()) == 1, err  # s001 counted once
    assert "1 sheet graded" in out and "5 students in the variants with no graded sheet" in out
    edited = tmp_path / "edited"
    shutil.copytree(course / "v", edited)
    key = json.loads((edited / "s002" / "key.json").read_text())
    key["q3"]["gradients"]["w35"] *= 2
    (edited / "s002" / "key.json").write_text(json.dumps(key))
    code, _, err = run_main(capsys, "grade", "--variants", str(edited), str(sheet), "--out", str(tmp_path / "g2"))
    assert code == 1 and "s002/key.json does not match its own variant" in err and len(err.strip().splitlines()) == 1


def test_check_reads_one_student_s_key_alone(course, tmp_path):
    copy = tmp_path / "v"
    shutil.copytree(course / "v", copy)
    (copy / "s005" / "key.json").write_text("not json")  # a broken neighbour
    keys = read_keys(course / "v")
    own = tmp_path / "own.toml"
    own.write_text(sheet_text("s004", by_hand(keys["s004"])), encoding="utf-8")
    result = run("check", str(own), "--variant", str(copy / "s004"))
    assert result.exit_code == 0 and "s004: 21 of 21 points" in result.output, result.output


def test_a_rerun_leaves_every_file_as_it_was(tmp_path):
    """Keys, sheets, problems, index and (with TeX) the PDF: byte for byte."""
    roster = write_roster(tmp_path / "roster.csv", [f"r{i}" for i in range(3)])
    documents = "md,pdf" if shutil.which("latexmk") and shutil.which("pdflatex") else "md"
    args = ("variants", "--roster", str(roster), "--salt", "s", "--out", str(tmp_path / "v"), "--format", documents)
    assert run(*args).exit_code == 0
    before = {p: p.read_bytes() for p in (tmp_path / "v").rglob("*") if p.is_file()}
    result = run(*args)
    assert result.exit_code == 0 and "0 written, 3 unchanged" in result.output, result.output
    after = {p: p.read_bytes() for p in (tmp_path / "v").rglob("*") if p.is_file()}
    assert [p.name for p in after if before.get(p) != after[p]] == []
