"""The homework's 12 MLPs (784-100-50-10) as one stack of parameters.

All models see the same batch at every step, so the first layer of all of
them (about 93% of the FLOPs) is ONE matrix product W1cat(M*100 x 784) @ X^T,
and its weight gradient is one more, dZ1cat @ X (no input gradient is needed).
Layers 2 and 3 are torch.bmm over stacked (M, out, in) weights.

Activations are kept feature-major, shape (M, features, batch): every
per-model slice along dim 0 is contiguous, so a group of models sharing an
activation is one contiguous block. Models are stored sorted by
(activation, optimizer, homework index): three activation blocks, and the
optimizer steps take lists of contiguous per-optimizer blocks (fused kernels).
"""

from __future__ import annotations

import torch

from hwsolve.experiments.mnist.configs import Config, storage_order
from hwsolve.experiments.mnist.kernels import Run
from hwsolve.experiments.mnist.streams import stream_seed

LAYER_SIZES = (784, 100, 50, 10)
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")

Tensors = dict[str, torch.Tensor]  # parameter name -> a stacked tensor (parameters, gradients, optimizer state)


def init_seed(seed: int, config: Config) -> int:
    """Per-config seed from the run seed and the config's homework index: subsets reproduce the full sweep."""
    return stream_seed(seed, config.index)


def initial_module_parameters(seed: int, config: Config, dtype: torch.dtype = torch.float32) -> list[torch.Tensor]:
    """The default nn.Linear initialisation of one model, drawn under its own seed, in nn.Linear's (out, in) layout."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed(seed, config))
        layers = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:])]
    tensors = []
    for layer in layers:
        tensors += [layer.weight.detach().to(dtype), layer.bias.detach().to(dtype)]
    return tensors


def contiguous_runs(labels: list[str]) -> list[Run]:
    """Contiguous runs of equal labels: [(label, start, stop), ...]."""
    out: list[Run] = []
    for i, label in enumerate(labels):
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1], i + 1)
        else:
            out.append((label, i, i + 1))
    return out


class ModelStack:
    """Parameters of M models, stacked; configs[m] is model m (in storage order)."""

    def __init__(self, configs: list[Config], params: Tensors, pixel_order: torch.Tensor | None = None):
        self.configs = list(configs)
        self.params = params
        # W1's columns follow the data's pixel order (see layout.pixel_order_by_use); None = natural.
        self.pixel_order = pixel_order
        self.w1_grad: torch.Tensor | None = None  # reused buffer; columns past the batch's width stay 0
        self.w1_grad_width = 0
        self.activation_runs = contiguous_runs([c.activation for c in configs])
        self.optimizer_runs = contiguous_runs([c.optimizer for c in configs])

    @classmethod
    def initialise(
        cls,
        configs: list[Config],
        seed: int,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
        pixel_order: torch.Tensor | None = None,
    ) -> ModelStack:
        ordered = storage_order(configs)
        per_model = [initial_module_parameters(seed, c, dtype) for c in ordered]
        if pixel_order is not None:
            per_model = [[p[0][:, pixel_order.cpu()], *p[1:]] for p in per_model]
        W1, b1, W2, b2, W3, b3 = (torch.stack([p[i] for p in per_model]) for i in range(6))
        params = {
            "W1": W1.reshape(-1, LAYER_SIZES[0]),  # (M*100, 784): one GEMM for all first layers
            "b1": b1,  # (M, 100)
            "W2": W2,  # (M, 50, 100)
            "b2": b2,  # (M, 50)
            "W3": W3,  # (M, 10, 50)
            "b3": b3,  # (M, 10)
        }
        return cls(ordered, {k: v.contiguous().to(device) for k, v in params.items()}, pixel_order)

    @property
    def size(self) -> int:
        return len(self.configs)

    @property
    def device(self) -> torch.device:
        """Where every tensor of a step on this stack lives: the one source of the device."""
        return self.params["b1"].device

    def model_view(self, name: str, tensor: torch.Tensor | None = None) -> torch.Tensor:
        """A parameter (or a same-shaped tensor) viewed with the model index first."""
        tensor = self.params[name] if tensor is None else tensor
        return tensor.view(self.size, -1, LAYER_SIZES[0]) if name == "W1" else tensor

    def module_parameters(self, m: int) -> list[torch.Tensor]:
        """Model m's parameters in nn.Linear layout (copies), for checks against nn.Module."""
        tensors = [self.model_view(name)[m].clone() for name in PARAMETER_NAMES]
        if self.pixel_order is not None:
            restored = torch.empty_like(tensors[0])
            restored[:, self.pixel_order] = tensors[0]
            tensors[0] = restored
        return tensors

    def _take(self, tensors: Tensors, index: torch.Tensor) -> Tensors:
        out = {}
        for name, tensor in tensors.items():
            kept = self.model_view(name, tensor).index_select(0, index).contiguous()
            out[name] = kept.reshape(-1, LAYER_SIZES[0]) if name == "W1" else kept
        return out

    def select(self, keep: list[int]) -> ModelStack:
        """A stack of only the models at `keep`, order preserved."""
        index = torch.tensor(keep, dtype=torch.long, device=self.device)
        return ModelStack([self.configs[i] for i in keep], self._take(self.params, index), self.pixel_order)

    def select_tensors(self, keep: list[int], tensors: Tensors) -> Tensors:
        """Same-shaped tensors (optimizer state, kept weights) of only the models at `keep`."""
        return self._take(tensors, torch.tensor(keep, dtype=torch.long, device=self.device))
