"""Q4 speed: hwsolve's lockstep trainer against a homework-style loop, timed in the same run.

The baseline is the submitted code's shape: a Dataset that repeats, step for
step, what torchvision.datasets.MNIST.__getitem__ and transforms.ToTensor do
per sample (index the uint8 tensor, PIL image, back to a tensor, HWC view,
CHW permute, scale to [0, 1]; torchvision itself cannot be installed next to
the CPU torch here), a DataLoader with batch 128 and no shuffle, and one
nn.Module + torch.optim per config, trained one after another; like the
submitted loop it enumerates all 469 batches per training pass and trains on
i < 375.

The baseline costs seconds per model-epoch, so it is timed on a few
model-epochs (at 1 and at 2 torch threads; the faster counts, so a shared
machine cannot inflate the ratio) and compared per model-epoch: ratio = baseline s/model-epoch
divided by lockstep s/model-epoch. --full times the lockstep trainer on the
whole 12 x 30 sweep (homework mode: 294 model-epochs, since the k-th model
trains 30-k); the default times a shorter corrected-mode lockstep run.

    python benchmarks/q4_sweep.py [--full] [--baseline-model-epochs 3] [--repeats 3] [--compare-backward]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

from hwsolve.data.mnist import Mnist, load_mnist
from hwsolve.experiments.mnist import ALL_CONFIGS, MODES
from hwsolve.experiments.mnist.modes import epochs_for
from hwsolve.experiments.mnist.trainer import train_lockstep
from hwsolve.problem.q4 import HOMEWORK_EPOCHS

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "sigmoid": nn.Sigmoid}


class PerSampleMnist(torch.utils.data.Dataset):
    """torchvision.datasets.MNIST's __getitem__ with transforms.ToTensor(), without torchvision.

    The same per-sample steps as torchvision: the images are a uint8 torch
    tensor and the labels an int64 one; each item indexes both, makes a PIL
    image from the numpy view, and ToTensor (functional.to_tensor) copies it
    back to a tensor, views it HWC, permutes to CHW, and scales to [0, 1].
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        self.data, self.targets = images, labels

    @classmethod
    def from_mnist(cls, mnist) -> PerSampleMnist:
        """The training set as torchvision holds it: uint8 images (60000, 28, 28), int64 labels."""
        return cls((mnist.train_images * 255).round().to(torch.uint8).view(-1, 28, 28), mnist.train_labels.clone())

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy())  # mode "L" (uint8, 2-D), as torchvision passes it
        return to_tensor(img), target


def to_tensor(pic: Image.Image) -> torch.Tensor:
    """torchvision.transforms.functional.to_tensor for an 8-bit PIL image."""
    img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
    img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
    img = img.permute((2, 0, 1)).contiguous()
    return img.to(dtype=torch.get_default_dtype()).div(255)


class Net(nn.Module):
    def __init__(self, activation_function):
        super().__init__()
        self.linear1 = nn.Linear(28 * 28, 100)
        self.linear2 = nn.Linear(100, 50)
        self.dropout = nn.Dropout(p=0.2)
        self.final = nn.Linear(50, 10)
        self.activation_function = activation_function()

    def forward(self, image):
        a = image.view(-1, 28 * 28)
        a = self.activation_function(self.linear1(a))
        a = self.activation_function(self.linear2(a))
        return self.final(a)


def baseline_model_epoch(train_loader, config) -> float:
    """One homework-style epoch (train pass + validation pass) of one config; returns seconds."""
    criterion = nn.CrossEntropyLoss() if config.loss == "cross_entropy" else nn.NLLLoss()
    model = Net(ACTIVATIONS[config.activation])
    optimizer = (torch.optim.SGD if config.optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=0.1)
    started = time.perf_counter()
    valid_loss = 0.0
    model.train()
    for i, (data, target) in enumerate(train_loader):
        if i < int(0.8 * len(train_loader)):
            optimizer.zero_grad()
            loss = criterion(model(data), target)
            loss.backward()
            optimizer.step()
    model.eval()
    for i, (data, target) in enumerate(train_loader):
        if i > int(0.8 * len(train_loader)):
            loss = criterion(model(data), target)
            valid_loss += loss.item() * data.size(0)
    return time.perf_counter() - started


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--full", action="store_true", help=f"lockstep: the whole 12 x {HOMEWORK_EPOCHS} sweep (homework and corrected)"
    )
    parser.add_argument("--epochs", type=int, default=3, help="lockstep epochs without --full")
    parser.add_argument("--baseline-model-epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="lockstep repeats without --full (median)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("HWSOLVE_THREADS", 2)))
    parser.add_argument(
        "--baseline-threads",
        default="1,2",
        help="torch thread counts to time the baseline at; the fastest is the one compared",
    )
    parser.add_argument(
        "--compare-backward",
        action="store_true",
        help="also time 1 corrected epoch with the hand-written backward and with autograd",
    )
    return parser.parse_args()


def time_baseline(mnist: Mnist, args: argparse.Namespace) -> tuple[float, int, dict[int, float]]:
    """The median per-model-epoch time of the per-sample baseline at its fastest thread count."""
    loader = torch.utils.data.DataLoader(PerSampleMnist.from_mnist(mnist), batch_size=128, num_workers=0)
    baseline_by_threads = {}
    for threads in (int(t) for t in args.baseline_threads.split(",")):
        torch.set_num_threads(threads)
        times = []
        for n in range(args.baseline_model_epochs):
            config = ALL_CONFIGS[n % len(ALL_CONFIGS)]
            times.append(baseline_model_epoch(loader, config))
            print(f"baseline  {threads} thread(s) {config.name:30s} 1 model-epoch  {times[-1]:7.2f} s")
        baseline_by_threads[threads] = statistics.median(times)
    best_threads = min(baseline_by_threads, key=baseline_by_threads.__getitem__)
    torch.set_num_threads(args.threads)
    return baseline_by_threads[best_threads], best_threads, baseline_by_threads


def time_lockstep(mnist: Mnist, args: argparse.Namespace) -> float:
    """The median per-model-epoch time of the lockstep trainer over the runs asked for."""
    full = HOMEWORK_EPOCHS
    runs = [("homework", full), ("corrected", full)] if args.full else [("corrected", args.epochs)] * args.repeats
    per_model_epoch = []
    for mode, epochs in runs:
        model_epochs = sum(epochs_for(MODES[mode], epochs, c.index) for c in ALL_CONFIGS)
        started = time.perf_counter()
        train_lockstep(list(ALL_CONFIGS), mnist, MODES[mode], epochs, seed=0)
        seconds = time.perf_counter() - started
        per_model_epoch.append(seconds / model_epochs)
        print(
            f"lockstep  {mode:9s} 12 configs x {epochs} epochs = {model_epochs} model-epochs  {seconds:7.2f} s"
            f"  ({per_model_epoch[-1] * 1e3:.1f} ms/model-epoch)"
        )
        if epochs == full:
            print(f"          12 x {full} {mode} sweep on 60,000 images: {seconds:.1f} s (target <= 75 s)")
    return statistics.median(per_model_epoch)


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, {os.cpu_count()} CPUs, load average {os.getloadavg()}")

    mnist = load_mnist()  # read and sha256-verified once; the baseline gets the uint8 pixels back from it
    baseline_per, best_threads, baseline_by_threads = time_baseline(mnist, args)
    lockstep_per = time_lockstep(mnist, args)
    if args.compare_backward:
        for backward in ("manual", "autograd"):
            started = time.perf_counter()
            train_lockstep(list(ALL_CONFIGS), mnist, MODES["corrected"], 1, seed=0, backward=backward)
            print(f"backward  {backward:8s} 1 corrected epoch, 12 models: {time.perf_counter() - started:6.2f} s")
    print(
        f"median baseline {baseline_per:.3f} s/model-epoch (fastest of threads {baseline_by_threads}: {best_threads}),"
        f" median lockstep {lockstep_per * 1e3:.1f} ms/model-epoch"
    )
    print(
        f"ratio {baseline_per / lockstep_per:.1f}x per model-epoch (target >= 30x); load average now {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
