"""PGD under the Linf norm: steps along the gradient's sign (iterated FGSM), projection
clips every value of the perturbation to [-eps, eps]."""
from __future__ import annotations

import torch

from .base import PGD


class PGDLinf(PGD):
    norm = "linf"

    def _direction(self, grad: torch.Tensor) -> torch.Tensor:
        return grad.sign()

    def _project(self, delta: torch.Tensor) -> torch.Tensor:
        return delta.clamp(-self.eps, self.eps)
