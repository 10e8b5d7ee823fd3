"""The wrapper every registered model comes in: images in [0, 1], normalisation inside."""
from dataclasses import dataclass

import torch
from torch import nn

from .labels import ClassNames

INPUT_SIZE = 224


@dataclass(frozen=True)
class Layer:
    """A tappable layer: readable name, module path inside the network, output shape.

    ``channels`` and ``size`` (height = width) are for a 224 x 224 input.
    """
    name: str
    module: str
    channels: int
    size: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.size, self.size)


class Classifier(nn.Module):
    """``net`` behind a fixed per-channel normalisation: forward((B, 3, H, W) in [0, 1]) -> logits.

    ``layers`` lists the tappable layers; their ``module`` paths are relative to ``net``.
    ``labels`` names the outputs when they are not the 1000 ImageNet-1k classes in the
    usual (torchvision) order; None means they are. ``classes`` holds the names.
    Built in eval mode with parameters frozen (``requires_grad`` False): gradients still
    flow to the input and to activations.
    """

    def __init__(self, name: str, net: nn.Module, mean, std, layers: tuple[Layer, ...],
                 labels: tuple[str, ...] | None = None):
        super().__init__()
        self.name = name
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.layers = tuple(layers)
        self._by_name = {layer.name: layer for layer in self.layers}
        self.classes = ClassNames(tuple(labels) if labels is not None else None)
        self.eval()
        self.requires_grad_(False)

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        return (images - self.mean) / self.std

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(self.normalise(images))

    def label(self, index: int) -> str:
        """The name of output ``index``."""
        return self.classes.label(index)

    def layer(self, name: str) -> Layer:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.name} has no tappable layer {name!r}; "
                           f"it has {[l.name for l in self.layers]}") from None

    def layer_module(self, name: str) -> nn.Module:
        """The module behind the tappable layer ``name``."""
        return self.net.get_submodule(self.layer(name).module)
