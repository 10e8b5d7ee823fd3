"""Mixing the weights of two models of one architecture, block by block.

    W_mixed = W_1 (1 - a) + W_2 a        for every tensor of a block, a per block

BatchNorm running means and variances are mixed the same way (they are floats of the
block like its weights); integer buffers (``num_batches_tracked``) are Model 1's. The
result is a new state_dict: Model 1 and Model 2 are only read. a = 0 and a = 1 copy
the tensor of Model 1 or Model 2 exactly.
"""
from __future__ import annotations

from typing import Mapping

import torch

from .blocks import block_keys
from .settings import EditError


def check_same_architecture(sd1: Mapping[str, torch.Tensor], sd2: Mapping[str, torch.Tensor],
                            names: tuple[str, str] = ("Model 1", "Model 2")) -> None:
    """EditError unless both state_dicts have the same keys with the same shapes and dtypes."""
    a, b = names
    only1, only2 = [k for k in sd1 if k not in sd2], [k for k in sd2 if k not in sd1]
    if only1 or only2:
        parts = [f"{len(only1)} tensors only in {a} (e.g. {only1[0]})" if only1 else "",
                 f"{len(only2)} only in {b} (e.g. {only2[0]})" if only2 else ""]
        raise EditError(f"mixing needs {a} and {b} of the same architecture: "
                        + ", ".join(p for p in parts if p))
    for key, t1 in sd1.items():
        t2 = sd2[key]
        if t1.shape != t2.shape or t1.dtype != t2.dtype:
            raise EditError(f"mixing needs {a} and {b} of the same architecture: {key} is "
                            f"{tuple(t1.shape)} {t1.dtype} in {a} but {tuple(t2.shape)} "
                            f"{t2.dtype} in {b}")


def mix_tensor(t1: torch.Tensor, t2: torch.Tensor, alpha: float) -> torch.Tensor:
    """A new tensor ``t1 (1 - alpha) + t2 alpha``; integer tensors are ``t1``'s."""
    if not (t1.is_floating_point() or t1.is_complex()):
        return t1.clone()
    if alpha == 0:
        return t1.clone()
    if alpha == 1:
        return t2.clone()
    out = torch.mul(t1, 1.0 - alpha)
    return out.add_(torch.mul(t2, alpha))


def mix_state_dicts(sd1: Mapping[str, torch.Tensor], sd2: Mapping[str, torch.Tensor],
                    alpha_of: Mapping[str, float]) -> dict[str, torch.Tensor]:
    """A new state_dict; ``alpha_of[key]`` (default 0) says how much of ``sd2`` each key gets."""
    check_same_architecture(sd1, sd2)
    with torch.no_grad():
        return {k: mix_tensor(t1, sd2[k], float(alpha_of.get(k, 0.0))) for k, t1 in sd1.items()}


def mix_models(model1, model2, alphas: Mapping[str, float]) -> dict[str, torch.Tensor]:
    """The state_dict of ``model1.net`` with each block's tensors mixed towards ``model2``.

    ``alphas``: ``{block: a}`` (see ``nets.editing.blocks``); blocks left out keep
    Model 1's weights. Unknown blocks and values outside [0, 1] are EditErrors.
    """
    groups = block_keys(model1)
    per_key: dict[str, float] = {}
    for block, alpha in alphas.items():
        if block not in groups:
            raise EditError(f"mix: {block!r} is not a block of {getattr(model1, 'name', 'Model 1')}; "
                            f"blocks: {', '.join(groups)}")
        alpha = float(alpha)
        if not 0.0 <= alpha <= 1.0:
            raise EditError(f"mix: {block}={alpha:g} is outside [0, 1]")
        per_key.update(dict.fromkeys(groups[block], alpha))
    return mix_state_dicts(model1.net.state_dict(), model2.net.state_dict(), per_key)
