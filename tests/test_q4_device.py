"""The device path without a GPU: no tensor in the training path is created on the CPU by default.

CI has no GPU, so `--device cuda` only runs in benchmarks/device_check.sh. What
would break it is a tensor made by a factory (torch.zeros, torch.tensor, ...)
without `device=`: it lands on the CPU, and the first op that mixes it with a
CUDA tensor fails (or, for a scalar, silently syncs). The oracle is the
source: every factory call in the modules a training step runs through, read
with ast, must name its device. Factories that copy their device from a
tensor (zeros_like, x.new_empty) are fine by construction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

MNIST = Path(__file__).resolve().parents[1] / "hwsolve" / "experiments" / "mnist"
# The modules a training step runs through once the data is on the device (data.py builds index
# tensors on the CPU on purpose: they sort rows before anything is moved to the device).
TRAINING_PATH = ("stack.py", "kernels.py", "layout.py", "step.py", "optim.py", "dropout.py", "trainer.py")
FACTORIES = {
    "tensor",
    "as_tensor",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "randperm",
}


def factory_calls_without_device(source: str) -> list[str]:
    """`torch.<factory>(...)` calls with no device= keyword, as 'line: torch.name'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target = node.func
        is_factory = isinstance(target.value, ast.Name) and target.value.id == "torch" and target.attr in FACTORIES
        if is_factory and not any(keyword.arg == "device" for keyword in node.keywords):
            found.append(f"{node.lineno}: torch.{target.attr}")
    return found


@pytest.mark.parametrize("module", TRAINING_PATH)
def test_every_tensor_of_the_training_path_names_its_device(module):
    assert factory_calls_without_device((MNIST / module).read_text(encoding="utf-8")) == []


def test_the_check_finds_a_stray_cpu_tensor():
    planted = "import torch\n\ndef f(x):\n    a = torch.zeros(3, device=x.device)\n    return a + torch.tensor([1.0])\n"
    assert factory_calls_without_device(planted) == ["5: torch.tensor"]


def factory_devices(source: str) -> list[str]:
    """The device= expression of every torch factory call, as source text."""
    return [
        ast.unparse(keyword.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in FACTORIES
        for keyword in node.keywords
        if keyword.arg == "device"
    ]


def test_the_step_takes_every_device_from_the_stack_or_its_inputs():
    """Once the stack is built (ModelStack.initialise(device=...), the one place the device is chosen),
    the step, optimizer and trainer put new tensors where the stack or the batch already is."""
    for module in ("step.py", "optim.py", "trainer.py"):
        devices = factory_devices((MNIST / module).read_text(encoding="utf-8"))
        assert devices, module
        assert all(text.endswith(".device") for text in devices), (module, devices)


@pytest.mark.mnist
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here (benchmarks/device_check.sh runs this)")
@pytest.mark.parametrize("mode_name", ["homework", "corrected"])
def test_a_cuda_run_matches_the_cpu_run(mode_name):
    """The same sweep in float64 on the GPU and on the CPU: same batches, masks and weights, so the same numbers.

    The batch order, the split and the dropout masks are drawn on the host for every device; only the order of
    float64 sums differs, so the curves agree to ~1e-9 and the test errors (counts of wrong answers) exactly.
    """
    from hwsolve.data.mnist import load_mnist
    from hwsolve.experiments.mnist import MODES, parse_configs
    from hwsolve.experiments.mnist.trainer import train_lockstep

    mnist, mode = load_mnist(), MODES[mode_name]
    configs = parse_configs("relu/cross_entropy/adam,sigmoid/nll/sgd,leaky_relu/cross_entropy/sgd")
    runs = {
        device: train_lockstep(configs, mnist, mode, 3, 0, 1280, device=device, dtype=torch.float64)
        for device in ("cpu", "cuda")
    }
    for on_cpu, on_gpu in zip(runs["cpu"], runs["cuda"], strict=True):
        assert on_gpu.name == on_cpu.name and on_gpu.epochs_trained == on_cpu.epochs_trained
        assert on_gpu.val_loss_sum == pytest.approx(on_cpu.val_loss_sum, rel=1e-9, abs=1e-9), on_cpu.name
        assert on_gpu.train_loss == pytest.approx(on_cpu.train_loss, rel=1e-9, abs=1e-9), on_cpu.name
        assert (on_gpu.test_error, on_gpu.best_epoch) == (on_cpu.test_error, on_cpu.best_epoch), on_cpu.name
