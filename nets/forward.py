"""One forward pass that yields what the views need: a layer's activations and/or logits.

When the logits are not wanted the pass is truncated: the hook on the tapped layer
raises after capturing its output, so nothing above that layer is computed (the
thesis' "only up to the shown layer"). Hooks are always removed.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .taps import resolve


class _Stop(Exception):
    """Raised inside the hook to cut the forward pass short."""


@dataclass
class ForwardOutput:
    activations: torch.Tensor | None  # (B, C, H, W) of the tapped layer, or None
    logits: torch.Tensor | None       # (B, classes), or None after a truncated pass


def forward(model: nn.Module, images: torch.Tensor, layer: str | None = None,
            logits: bool = True) -> ForwardOutput:
    """Run ``model`` on ``images`` (B, 3, H, W) in [0, 1] under ``inference_mode``.

    ``layer`` None: no activations. ``logits`` False: stop after ``layer`` (which must
    then be given). Neither wanted: nothing runs.
    """
    if images.dim() == 3:
        images = images.unsqueeze(0)
    if layer is None:
        if not logits:
            return ForwardOutput(None, None)
        with torch.inference_mode():
            return ForwardOutput(None, model(images))
    module = resolve(model, layer)
    captured: dict[str, torch.Tensor] = {}

    def hook(_module, _inputs, output):
        captured["acts"] = output
        if not logits:
            raise _Stop

    handle = module.register_forward_hook(hook)
    out = None
    try:
        with torch.inference_mode():
            out = model(images)
    except _Stop:
        pass
    finally:
        handle.remove()
    return ForwardOutput(captured.get("acts"), out)
