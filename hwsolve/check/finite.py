"""Non-finite results are overflow, and are reported as such.

Every given value is finite (the CLI checks), so an infinity or NaN in a
computed value means some intermediate left float64's range (an infinity, or
inf - inf = NaN). Left alone it would surface as a misleading "values
disagree by nan", or silently decide a verdict; these checks name it instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from hwsolve.errors import HwsolveError

NAMES_SHOWN = 3  # the first few non-finite quantities are enough to say what overflowed


class OverflowDetected(HwsolveError):
    """A computed value is infinite or NaN: the inputs are too large for float64."""


def require_finite(values: Mapping[str, float], where: str) -> None:
    """Raise OverflowDetected naming the non-finite values, e.g. 'the loss = inf'."""
    bad = [f"{name} = {value!r}" for name, value in values.items() if not math.isfinite(value)]
    if bad:
        shown = ", ".join(bad[:NAMES_SHOWN]) + (f" and {len(bad) - NAMES_SHOWN} more" if len(bad) > NAMES_SHOWN else "")
        raise OverflowDetected(f"overflow {where}: {shown} (beyond float64; use smaller values)")


def overflow_error(where: str) -> OverflowDetected:
    """For Python's own OverflowError (a float ** 2 or math.exp too large): the same one-line error."""
    return OverflowDetected(f"overflow {where}: a value went beyond float64; use smaller values")
