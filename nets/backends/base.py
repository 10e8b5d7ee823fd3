"""What every inference backend offers: one forward pass over a ``Classifier``."""
from abc import ABC, abstractmethod

import torch

from ..classifier import Classifier
from ..forward import ForwardOutput


class Backend(ABC):
    """Runs ``model`` forward only: no gradients, outputs as torch tensors."""

    name: str
    # True: several instances run side by side on their own threads without slowing each
    # other beyond sharing the cores (one thread each, the GIL released while they run).
    concurrent = False

    def __init__(self, model: Classifier):
        self.model = model

    @abstractmethod
    def forward(self, images: torch.Tensor, layer: str | None = None,
                logits: bool = True) -> ForwardOutput:
        """``images`` (B, 3, H, W) or (3, H, W) in [0, 1]; as ``nets.forward.forward``.

        ``layer`` None: no activations. ``logits`` False: no logits. Neither: nothing runs.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model.name!r})"
