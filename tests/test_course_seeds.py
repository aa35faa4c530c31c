"""hwsolve.course.seeds: the seed is SHA-256 of the domain, assignment, salt and id, and nothing else."""

from __future__ import annotations

import hashlib

import pytest

from hwsolve.course.seeds import ASSIGNMENT, variant_seed


def _expected(message: bytes) -> int:
    return int.from_bytes(hashlib.sha256(message).digest()[:8], "big")


def test_assignment():
    assert ASSIGNMENT == "hw2"


def test_a_fixed_seed():
    # `printf 'hwsolve variant\0hw2\0pepper\0s1' | sha256sum` starts 381235ee052fe35d.
    assert variant_seed("pepper", "hw2", "s1") == 0x381235EE052FE35D == 4040351112110269277
    assert variant_seed("pepper", "hw2", "s1") == _expected(b"hwsolve variant\x00hw2\x00pepper\x00s1")


def test_a_persian_id_is_hashed_as_utf8():
    # `printf 'hwsolve variant\0hw2\0pepper\0علی' | sha256sum` starts a1a730dd47dfe9e8.
    assert variant_seed("pepper", "hw2", "علی") == 0xA1A730DD47DFE9E8
    assert variant_seed("pepper", "hw2", "علی") == _expected(
        b"hwsolve variant\x00hw2\x00pepper\x00\xd8\xb9\xd9\x84\xdb\x8c"
    )


def test_independent_of_the_roster_order_and_length():
    ids = ["s1", "s2", "s3", "علی", "ada@example.com"]
    forwards = {student: variant_seed("pepper", ASSIGNMENT, student) for student in ids}
    backwards = {student: variant_seed("pepper", ASSIGNMENT, student) for student in reversed(ids)}
    alone = {student: variant_seed("pepper", ASSIGNMENT, student) for student in ids[2:3]}
    assert forwards == backwards
    assert alone == {"s3": forwards["s3"]}
    assert forwards["s3"] == _expected(b"hwsolve variant\x00hw2\x00pepper\x00s3")
    assert len(set(forwards.values())) == len(ids)
    assert all(0 <= seed < 2**64 for seed in forwards.values())


def test_salt_and_assignment_change_the_seed():
    seeds = {variant_seed(salt, "hw2", "s1") for salt in ("pepper", "Pepper", "pepper ", "salt")}
    assert len(seeds) == 4
    assert variant_seed("pepper", "hw3", "s1") == _expected(b"hwsolve variant\x00hw3\x00pepper\x00s1")
    assert variant_seed("pepper", "hw3", "s1") != variant_seed("pepper", "hw2", "s1")


def test_the_parts_are_not_swappable():
    # Salt and id in each other's place hash different text.
    assert variant_seed("s1", "hw2", "pepper") != variant_seed("pepper", "hw2", "s1")


def test_an_empty_salt_is_refused():
    with pytest.raises(ValueError, match=r"^--salt must not be empty: "):
        variant_seed("", "hw2", "s1")


@pytest.mark.parametrize(
    ("salt", "assignment", "student_id", "fragment"),
    [
        ("pep\x00per", "hw2", "s1", "--salt must not contain a NUL"),
        ("pepper", "hw\x002", "s1", "the assignment must not contain a NUL"),
        ("pepper", "hw2", "s\x001", "the student id must not contain a NUL"),
        ("pep\udce9", "hw2", "s1", "--salt is not valid UTF-8"),
    ],
)
def test_ambiguous_or_unencodable_parts_are_refused(salt, assignment, student_id, fragment):
    with pytest.raises(ValueError, match=fragment):
        variant_seed(salt, assignment, student_id)
