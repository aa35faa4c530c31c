"""The course tool at a course's scale: a 1,000-student roster's variants, its printable PDF, and grading.

Three whole commands, timed as a teaching assistant runs them (fresh
processes, imports included), each over --repeats runs in fresh folders:
1. `hwsolve variants --format md`: every key (drawn, made separable, solved,
   cross-checked by autograd) and every problem.md, sheet.toml and key.json;
2. `hwsolve variants --format pdf` on that folder: the keys are unchanged, so
   this is the one LaTeX run of the printable PDF (skipped without TeX);
3. `hwsolve grade` of one filled sheet per student (10% of the numbers wrong).
Then, in this process, the batched keys against the per-student route
(`hwsolve q3`'s solve_q3 once per variant) on --baseline students,
alternating A B A B: the ratio is what batching buys.

    python benchmarks/course_scale.py [--students 1000] [--repeats 3] [--baseline 50]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HWSOLVE = Path(sys.executable).parent / "hwsolve"


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(HWSOLVE), *args], check=True, capture_output=True)
    return time.perf_counter() - started


def write_roster(path: Path, count: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email"])
        writer.writerows([f"u{i:04d}", f"Student {i}", f"u{i:04d}@uni.example"] for i in range(count))


def write_sheets(variants: Path, sheets: Path) -> None:
    """A filled sheet per key, four significant figures, one number in ten wrong by 30%."""
    rng = random.Random(0)
    sheets.mkdir()
    for path in sorted(variants.glob("*/key.json")):
        key = json.loads(path.read_text())
        lines = [f'student = "{key["student"]}"', "[q1b]"]
        lines += [f"{part} = [{', '.join(f'{v:.4g}' for v in key['q1b'][part])}]" for part in ("train", "test")]
        lines += ["[q3]", f"loss = {key['q3']['loss']:.4g}"]
        for group in ("forward", "gradients", "updated"):
            lines.append(f"[q3.{group}]")
            for name, value in key["q3"][group].items():
                lines.append(f"{name} = {value * (1.3 if rng.random() < 0.1 else 1.0):.4g}")
        (sheets / f"{key['student']}.toml").write_text("\n".join(lines) + "\n")


def one_run(students: int, pdf: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_roster(root / "roster.csv", students)
        common = ["variants", "--roster", str(root / "roster.csv"), "--salt", "bench", "--out", str(root / "v")]
        times = {"variants (keys, sheets)": timed(*common, "--format", "md")}
        if pdf:
            times["problems.pdf"] = timed(*common, "--format", "pdf")
        write_sheets(root / "v", root / "sheets")
        times["grade"] = timed("grade", "--variants", str(root / "v"), str(root / "sheets"), "--out", str(root / "g"))
        return times


def baseline(count: int, repeats: int) -> tuple[float, float]:
    """Median seconds of the batched keys and of solve_q3 per variant, for the same `count` variants."""
    from hwsolve.course.keys import solve_keys
    from hwsolve.course.variant import draw_variant
    from hwsolve.solutions.q3 import solve_q3

    variants = [draw_variant(f"s{i}", 7919 * i + 1) for i in range(count)]
    solve_keys(variants[:2]), solve_q3(variants[0].q3)  # warm-up: compile and import outside the timings
    batched, single = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        solve_keys(variants)
        batched.append(time.perf_counter() - started)
        started = time.perf_counter()
        for variant in variants:
            solve_q3(variant.q3)
        single.append(time.perf_counter() - started)
    return statistics.median(batched), statistics.median(single)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=50, help="students in the batched-vs-per-student comparison")
    args = parser.parse_args()
    pdf = shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None
    runs = []
    for repeat in range(args.repeats):
        runs.append(one_run(args.students, pdf))
        print(f"repeat {repeat + 1}: " + ", ".join(f"{k} {v:.1f} s" for k, v in runs[-1].items()), flush=True)
    for step in runs[0]:
        values = [run[step] for run in runs]
        print(f"{step}: median {statistics.median(values):.1f} s (min {min(values):.1f}, max {max(values):.1f})")
    if not pdf:
        print("problems.pdf: skipped (no latexmk/pdflatex)")
    batched, single = baseline(args.baseline, args.repeats)
    ratio = single / batched
    print(f"{args.baseline} keys: batched {batched:.2f} s, solve_q3 one by one {single:.2f} s, ratio {ratio:.1f}")


if __name__ == "__main__":
    main()
