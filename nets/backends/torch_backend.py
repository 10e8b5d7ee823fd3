"""The eager torch pass of ``nets.forward``, behind the ``Backend`` interface."""
import torch

from ..forward import ForwardOutput, forward
from .base import Backend


class TorchBackend(Backend):
    """The reference: any layer ``nets.taps.resolve`` knows, truncated when no logits are wanted."""

    name = "torch"

    def forward(self, images: torch.Tensor, layer: str | None = None,
                logits: bool = True) -> ForwardOutput:
        return forward(self.model, images, layer, logits)
