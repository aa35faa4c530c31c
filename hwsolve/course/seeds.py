"""Each student's variant seed, derived from the course's secret salt and the student's id alone.

The seed is the first 8 bytes (big-endian, unsigned) of SHA-256 over the
UTF-8 bytes of ``"hwsolve variant\\x00" + assignment + "\\x00" + salt +
"\\x00" + student_id``. It depends on nothing else: not the roster's order
or length, not the machine, not the run, so a rerun (or a roster with a
late student added) gives every student the same variant. The salt is the
secret: without it a student could compute a classmate's variant.

Public API: ``ASSIGNMENT`` ("hw2") and ``variant_seed(salt, assignment,
student_id)``.
"""

from __future__ import annotations

import hashlib

ASSIGNMENT = "hw2"
DOMAIN = "hwsolve variant"  # sets these seeds apart from any other SHA-256 of the same strings
SEPARATOR = "\x00"


def variant_seed(salt: str, assignment: str, student_id: str) -> int:
    """The student's seed, an integer in [0, 2**64)."""
    if not salt:
        raise ValueError(
            "--salt must not be empty: anyone who knows a student's id could then compute that student's variant"
        )
    for label, part in (("--salt", salt), ("the assignment", assignment), ("the student id", student_id)):
        # A NUL inside a part would make two different (salt, id) pairs hash the same text.
        if SEPARATOR in part:
            raise ValueError(f"{label} must not contain a NUL character")
        try:
            part.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: bytes that were not UTF-8 on the command line
            raise ValueError(f"{label} is not valid UTF-8 text") from None
    text = SEPARATOR.join((DOMAIN, assignment, salt, student_id))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
