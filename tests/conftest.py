"""Shared test setup.

- MNIST: tests read the offline copy through HWSOLVE_DATA; when it is unset
  and ../shared/data/mnist exists beside the checkout, point it there.
- matplotlib always uses Agg (no screen on CI).
- hypothesis: no per-example deadline, since CI machines are shared and slow;
  the example counts are set per test.
"""

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist"

if "HWSOLVE_DATA" not in os.environ and SHARED_MNIST.is_dir():
    os.environ["HWSOLVE_DATA"] = str(SHARED_MNIST)

try:
    from hypothesis import settings

    settings.register_profile("hwsolve", deadline=None, print_blob=True)
    settings.load_profile("hwsolve")
except ImportError:  # hypothesis is a test extra; conftest must still import
    pass
