"""Exceptions the CLI turns into one clear line and a non-zero exit.

Usage errors (bad flags or values) are click's UsageError/BadParameter and
exit 2. Everything below exits 1: the input was well formed but the work
could not be done, or a cross-check failed.
"""


class HwsolveError(Exception):
    """A failure worth one line to the user, never a traceback."""


class VerificationError(HwsolveError):
    """Two independent computations of the same number disagree."""


class DataNotFoundError(HwsolveError):
    """Input data (MNIST) is missing; the message says where we looked."""


class CorruptDataError(HwsolveError):
    """A data file exists but is truncated or does not match its checksum."""
