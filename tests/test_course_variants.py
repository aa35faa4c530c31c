"""Per-student variants: drawn from the seed alone, within the ranges, separable, with keys checked by hand.

Every key value is compared with tests/course_oracle.py (plain Python floats,
no hwsolve code) and, for a few variants, with `hwsolve q3`'s own solver.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from course_oracle import q1b_by_hand, q3_by_hand

from hwsolve.course.files import make_variants
from hwsolve.course.keys import key_from_json, key_json, solve_keys
from hwsolve.course.roster import Roster, Student
from hwsolve.course.separability import collisions, separable_variants, sigfig_band
from hwsolve.course.tolerance import SEPARATION_TOLERANCE
from hwsolve.course.variant import VariantRanges, draw_variant, homework_variant
from hwsolve.io import to_json
from hwsolve.solutions.q3 import solve_q3


def roster(ids):
    return Roster("roster.csv", "id", ("id",), tuple(Student(i, {"id": i}) for i in ids))


def close(a, b, tolerance=1e-12):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def test_a_draw_is_a_function_of_seed_and_attempt_alone():
    first = draw_variant("s1", 123456789, 0)
    assert draw_variant("someone else", 123456789, 0).q3 == first.q3  # the id is a label, not an input
    assert draw_variant("s1", 123456789, 0) == first
    assert draw_variant("s1", 123456789, 1).q3 != first.q3


def test_drawn_values_lie_in_the_issue_s_ranges():
    for seed in range(200):
        variant = draw_variant("s", seed)
        assert len(variant.q1b_x) == 5 and all(v != 0 and -6 <= v <= 6 and (v * 4) == int(v * 4) for v in variant.q1b_x)
        assert 0 < sum(variant.q1b_mask) < 5 and set(variant.q1b_mask) <= {0, 1}
        assert variant.q1b_p in ("0.2", "0.25", "0.4", "0.5")
        weights = dict(variant.q3.weights)
        assert all(v != 0 and -0.9 <= v <= 0.9 and round(v, 1) == v for v in weights.values())
        assert all(0 < x < 1 and round(x, 1) == x for x in variant.q3.x)
        assert variant.q3.y[0] in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
        assert variant.q3.lr in (0.1, 0.5, 1.0)
        assert variant.q3.layers == (2, 2, 1) and variant.q3.activation == "sigmoid" and variant.q3.loss == "mse"


def test_ranges_are_options_and_are_checked():
    narrow = VariantRanges(q1b_low=-1, q1b_high=1, q1b_rates=("0.5",), q3_learning_rates=(0.5,))
    for seed in range(50):
        variant = draw_variant("s", seed, 0, narrow)
        assert all(-1 <= v <= 1 for v in variant.q1b_x) and variant.q1b_p == "0.5" and variant.q3.lr == 0.5
    for bad in ({"q1b_rates": ("1.5",)}, {"q1b_low": 2.0, "q1b_high": 1.0}, {"q3_learning_rates": (0.0,)}):
        with pytest.raises(ValueError):
            VariantRanges(**bad)


def test_roster_order_and_new_students_change_nobody_s_variant():
    ids = [f"s{i:02d}" for i in range(12)]
    first = {key.variant.student: key_json(key) for key in make_variants(roster(ids), "salt").keys}
    reordered = {key.variant.student: key_json(key) for key in make_variants(roster(ids[::-1] + ["late"]), "salt").keys}
    assert all(to_json(first[i]) == to_json(reordered[i]) for i in ids)
    other_salt = {key.variant.student: key_json(key) for key in make_variants(roster(ids), "pepper").keys}
    assert all(other_salt[i]["seed"] != first[i]["seed"] for i in ids)


def test_thirty_students_get_thirty_distinct_separable_variants():
    made = make_variants(roster([f"s{i:03d}" for i in range(30)]), "course-secret")
    assert len({(key.variant.q1b_x, key.variant.q1b_mask, key.variant.q3) for key in made.keys}) == 30
    assert all(problems == [] for problems in collisions([key.variant for key in made.keys]))
    assert made.redraws == sum(key.variant.attempt for key in made.keys) and made.redraws >= 0


def test_a_rejected_draw_is_one_that_collides():
    """Each attempt before the chosen one had two misconceptions within 3 significant figures of each other."""
    drawn = separable_variants([(f"s{i}", 1000 + i) for i in range(40)])
    for variant in drawn.variants:
        earlier = [draw_variant(variant.student, variant.seed, attempt) for attempt in range(variant.attempt)]
        assert all(problems for problems in collisions(earlier)) if earlier else True


def test_the_separation_band_is_the_sigfig_tolerance():
    values = np.array([0.0981419, -0.585291, 123.456, 0.000123456, 7.0])
    bands = sigfig_band(values, 3)
    for value, band in zip(values, bands):
        assert SEPARATION_TOLERANCE.accepts(value + 0.99 * band, value, 10)
        assert not SEPARATION_TOLERANCE.accepts(value + 1.01 * band, value, 10)


def test_keys_match_the_oracle_for_many_variants():
    variants = [draw_variant(f"s{i}", 7919 * i + 1) for i in range(60)] + [homework_variant()]
    for key in solve_keys(variants):
        v = key.variant
        expected = q3_by_hand(v.q3.x[0], v.q3.x[1], v.q3.y[0], v.q3.lr, v.q3.weight_map)
        for path, value in expected.items():
            assert close(key.values[path], value), (v.student, path, key.values[path], value)
        dropout = q1b_by_hand(v.q1b_x, v.q1b_mask, float(v.q1b_p))
        assert key.values["q1b.train"] == pytest.approx(dropout["q1b.train"], abs=1e-15)
        assert key.values["q1b.test"] == tuple(dropout["q1b.test"])
        assert 0 <= key.max_abs_diff <= 1e-10


def test_keys_are_what_hwsolve_q3_solves():
    """The batch evaluation is the same derivation as `hwsolve q3`: equal to float64 rounding."""
    variants = [draw_variant(f"s{i}", 31 * i + 5) for i in range(5)]
    for key in solve_keys(variants):
        solution = solve_q3(key.variant.q3)
        assert close(key.values["q3.loss"], solution.loss, 1e-15)
        for name, value in solution.gradients.items():
            assert close(key.values[f"q3.gradients.{name}"], value, 1e-15)
            assert close(key.values[f"q3.updated.{name}"], solution.updated[name], 1e-15)


def test_key_json_round_trips_and_holds_the_contract():
    key = solve_keys([draw_variant("s001", 42)])[0]
    data = json.loads(to_json(key_json(key)))
    assert data["seed"] == 42 and data["student"] == "s001"
    assert set(data["q1b"]) >= {"x", "mask", "p", "train", "test"}
    assert data["q3"]["problem"]["weights"] and data["q3"]["problem"]["samples"]
    assert set(data["q3"]["forward"]) == {"H3", "y3", "H4", "y4", "O5", "y5"}
    back = key_from_json(data)
    assert back.values == key.values and back.variant == key.variant


def test_every_choice_comes_from_sha256_of_seed_and_attempt():
    """The first choice, x1 of Q1(b), recomputed here from the published scheme: no Python random involved."""
    import hashlib

    grid = VariantRanges().q1b_grid
    for seed, attempt in ((0, 0), (2**63 + 5, 3)):
        limit = (2**64 // len(grid)) * len(grid)
        counter = 0
        while True:
            word = int.from_bytes(
                hashlib.sha256(f"hwsolve variant draw/{seed}/{attempt}/{counter}".encode()).digest()[:8], "big"
            )
            counter += 1
            if word < limit:
                break
        assert draw_variant("s", seed, attempt).q1b_x[0] == grid[word % len(grid)]


def test_range_edges_are_on_the_grid():
    assert VariantRanges(q3_weight_low=-0.95, q3_weight_high=0.95).q3_weights[0] == -0.9
    assert VariantRanges(q1b_low=-1.1, q1b_high=1.0).q1b_grid == (-1.0, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0)


def test_a_64_bit_seed_survives_key_json():
    key = solve_keys([draw_variant("s001", 2**64 - 59)])[0]
    assert key_from_json(json.loads(to_json(key_json(key)))).variant.seed == 2**64 - 59
