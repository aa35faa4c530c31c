"""The homework's 12 configurations: 3 activations x 2 losses x 2 optimisers, in the homework's loop order."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

# Q4's activations by name (Q3 has its own ACTIVATIONS registry in problem/q3.py).
MNIST_ACTIVATIONS = ("relu", "leaky_relu", "sigmoid")
LOSSES = ("cross_entropy", "nll")
OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class Config:
    activation: str
    loss: str
    optimizer: str

    @property
    def name(self) -> str:
        return f"{self.activation}/{self.loss}/{self.optimizer}"

    @property
    def index(self) -> int:
        """Position in the homework's loop order (activation outer, loss middle, optimiser inner)."""
        return ALL_CONFIGS.index(self)


ALL_CONFIGS: tuple[Config, ...] = tuple(Config(*combo) for combo in product(MNIST_ACTIVATIONS, LOSSES, OPTIMIZERS))
CONFIGS_BY_NAME: dict[str, Config] = {config.name: config for config in ALL_CONFIGS}


def _check_parts(item: str, parts: list[str]) -> None:
    if len(parts) != 3:
        raise ValueError(f"{item!r} is not activation/loss/optimizer, e.g. relu/cross_entropy/sgd")
    for part, allowed in zip(parts, (MNIST_ACTIVATIONS, LOSSES, OPTIMIZERS)):
        if part != "*" and part not in allowed:
            raise ValueError(f"{part!r} in {item!r} is not one of {', '.join(allowed)} (or *)")


def parse_configs(text: str | None) -> list[Config]:
    """'relu/cross_entropy/sgd,sigmoid/nll/adam' -> configs; '*' is a wildcard in any part.

    None (no subset asked for) means all. Raises ValueError with the allowed names on
    anything unknown, and on an empty list or item: an empty subset is no request for all.
    """
    if text is None:
        return list(ALL_CONFIGS)
    if not text.strip():
        raise ValueError(
            "the list is empty; name configurations like relu/cross_entropy/sgd, or leave the option out for all 12"
        )
    chosen: list[Config] = []
    for item in text.split(","):
        if not item.strip():
            raise ValueError(f"{text!r} has an empty item; separate configurations with single commas")
        parts = item.strip().split("/")
        _check_parts(item.strip(), parts)
        for config in ALL_CONFIGS:
            matches = all(p in ("*", v) for p, v in zip(parts, (config.activation, config.loss, config.optimizer)))
            if matches and config not in chosen:
                chosen.append(config)
    return sorted(chosen, key=lambda c: c.index)


def storage_order(configs: list[Config]) -> list[Config]:
    """The order models are stacked in: activation, then optimizer, then homework index."""
    return sorted(
        configs, key=lambda c: (MNIST_ACTIVATIONS.index(c.activation), OPTIMIZERS.index(c.optimizer), c.index)
    )
