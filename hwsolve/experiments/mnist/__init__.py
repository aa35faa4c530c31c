"""Q4's MNIST sweep: 12 MLPs trained in lockstep as one stack, in homework or corrected mode.

One idea per module, lowest first: modes (what each mode does), configs (the
12 configurations), streams (one seed, many random streams), layout (where
the non-zero pixels are), data (the splits and batches), kernels (the
activations), stack (the stacked parameters), step (forward, backward,
evaluation), optim (SGD/Adam on the stack), dropout (the shared masks),
overfitting (the analysis of a validation curve), config_result (one
config's typed result), trainer (the lockstep loop), results (validation of
a results file read back), progress (the callback a caller draws with), sweep
(resume, atomic files, seeds) and parallel (several sweeps side by side).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hwsolve.experiments.mnist.config_result import ConfigResult
from hwsolve.experiments.mnist.configs import ALL_CONFIGS, Config, parse_configs
from hwsolve.experiments.mnist.modes import MODE_NAMES, MODES, ModeSpec
from hwsolve.experiments.mnist.results import read_results

if TYPE_CHECKING:
    from hwsolve.experiments.mnist.sweep import run_sweep


def __getattr__(name: str) -> object:
    """run_sweep loads torch: imported on first use, so `hwsolve --help` and the CLI's options stay fast."""
    if name == "run_sweep":
        from hwsolve.experiments.mnist.sweep import run_sweep

        return run_sweep
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALL_CONFIGS",
    "MODES",
    "MODE_NAMES",
    "Config",
    "ConfigResult",
    "ModeSpec",
    "parse_configs",
    "read_results",
    "run_sweep",
]
