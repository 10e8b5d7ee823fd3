"""What the backends running the exported graph (``export``) share: the call of ``forward``.

A subclass opens the graph in ``__init__`` and runs it in ``_run(names, images)``, which
returns the named outputs as numpy arrays it does not reuse.
"""
import importlib
from abc import abstractmethod

import numpy as np
import torch

from ..classifier import INPUT_SIZE, Classifier
from ..forward import ForwardOutput
from . import export
from .base import Backend


def import_runtime(module: str, unavailable: type[ImportError], otherwise: str):
    """The module ``module`` (also its pip name), or ``unavailable`` saying how to get it
    and that the networks can run on ``otherwise`` instead."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        what = ("is not installed here" if exc.name == module
                else f"does not import here ({exc})")
        raise unavailable(f"{module} {what}: pip install {module}, "
                          f"or run the networks on {otherwise}") from exc


class GraphBackend(Backend):
    """``model`` (on the CPU) through its exported graph; layers are its tappable ones."""

    runtime = "this runtime"  # for messages

    def __init__(self, model: Classifier, size: int = INPUT_SIZE):
        if any(p.device.type != "cpu" for p in model.parameters()):
            raise ValueError(f"{model.name} is not on the CPU; {self.runtime} here runs on the CPU")
        super().__init__(model)
        self.size = size

    @abstractmethod
    def _run(self, names: list[str], images: np.ndarray) -> list[np.ndarray]:
        """The graph's outputs ``names`` for ``images`` (B, 3, size, size) float32."""

    def forward(self, images: torch.Tensor, layer: str | None = None,
                logits: bool = True) -> ForwardOutput:
        if images.dim() == 3:
            images = images.unsqueeze(0)
        if layer is not None:
            self.model.layer(layer)  # KeyError naming the tappable layers
        wanted = ([export.LOGITS] if logits else []) + (
            [export.output_name(layer)] if layer is not None else [])
        if not wanted:
            return ForwardOutput(None, None)
        if tuple(images.shape[-2:]) != (self.size, self.size):
            raise ValueError(f"the graph of {self.model.name} takes {self.size} x {self.size} "
                             f"images, not {tuple(images.shape[-2:])}")
        x = images.detach().to("cpu", torch.float32).contiguous().numpy()
        outputs = dict(zip(wanted, self._run(wanted, x)))
        return ForwardOutput(
            torch.from_numpy(outputs[export.output_name(layer)]) if layer is not None else None,
            torch.from_numpy(outputs[export.LOGITS]) if logits else None)
