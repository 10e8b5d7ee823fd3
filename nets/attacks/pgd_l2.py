"""PGD under the L2 norm: steps along the normalised gradient, projection onto the ball
of radius eps (Euclidean distance over all pixels and channels of one image)."""
from __future__ import annotations

import torch

from .base import PGD

TINY = 1e-12  # a zero gradient gives a zero step, not NaN


def l2_norms(t: torch.Tensor) -> torch.Tensor:
    """Per image of a (B, ...) batch: its L2 norm, shaped (B, 1, 1, 1) for broadcasting."""
    return t.flatten(1).norm(p=2, dim=1).view(-1, *([1] * (t.dim() - 1)))


class PGDL2(PGD):
    norm = "l2"

    def _direction(self, grad: torch.Tensor) -> torch.Tensor:
        return grad / l2_norms(grad).clamp_min(TINY)

    def _project(self, delta: torch.Tensor) -> torch.Tensor:
        factor = (self.eps / l2_norms(delta).clamp_min(TINY)).clamp(max=1.0)
        return delta * factor
