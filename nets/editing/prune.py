"""Pruning whole output channels by weight magnitude, block by block.

For every convolution (and linear layer) of a block, each output channel o gets
m_o = mean |W[o]| over its input channels and kernel positions (the
thesis' sum ranks the same way). Channels are ranked by m ascending (ties keep their
order): rank n = 0 is the weakest. Channel o is kept iff its rank fraction lies in the
block's range:

    rl <= n / O < ru      (ru = 1 keeps the strongest; [0, 1] keeps all, [x, x] none)

This is the thesis' rule with its strict lower bound made inclusive, so that [0, 1] is the
unedited model and [0, x] and [x, 1] split the channels between them.

A pruned channel's weights are zeroed and, beyond the thesis, so are its
bias and the scale and shift of the BatchNorm that directly follows the conv in the
same block: in a BatchNorm network zero weights alone leave a constant
(beta - gamma * mean / std) in the channel, so the channel is really switched off
(0 after the BatchNorm and after ReLU/ReLU6). Running statistics are kept.
The result is a new state_dict: the model is only read.
"""
from __future__ import annotations

import math
from typing import Iterator, Mapping

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd

from .blocks import block_keys
from .settings import EditError

EPS = 1e-9  # rl * O computed in floats: 0.3 * 10 must count as 3


def channel_magnitudes(weight: torch.Tensor) -> torch.Tensor:
    """m: the mean absolute weight of each output channel (dim 0)."""
    return weight.detach().abs().reshape(weight.shape[0], -1).mean(dim=1)


def keep_mask(weight: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """Bool (O,): True for the output channels whose rank fraction is in [lo, hi)."""
    if not 0.0 <= lo <= hi <= 1.0:
        raise EditError(f"prune range {lo:g}:{hi:g}: need 0 <= low <= high <= 1")
    o = weight.shape[0]
    order = torch.argsort(channel_magnitudes(weight), stable=True)  # weakest first
    first, end = math.ceil(lo * o - EPS), math.ceil(hi * o - EPS)
    keep = torch.zeros(o, dtype=torch.bool)
    keep[order[first:end]] = True
    return keep


def prunable(net: nn.Module) -> Iterator[tuple[str, nn.Module, str | None]]:
    """(name, conv or linear, name of the BatchNorm right after it or None), in order.

    "Right after": the next module with weights of its own, registered after the conv,
    is a BatchNorm over the conv's output channels. Transposed convs are skipped.
    """
    with_weights = [(n, m) for n, m in net.named_modules()
                    if any(True for _ in m.parameters(recurse=False))]
    for i, (name, module) in enumerate(with_weights):
        if isinstance(module, _ConvNd) and module.transposed:
            continue
        if not isinstance(module, (_ConvNd, nn.Linear)):
            continue
        out = module.out_channels if isinstance(module, _ConvNd) else module.out_features
        bn = None
        if i + 1 < len(with_weights):
            nxt_name, nxt = with_weights[i + 1]
            if isinstance(nxt, _BatchNorm) and nxt.num_features == out and nxt.affine:
                bn = nxt_name
        yield name, module, bn


def prune_state_dict(net: nn.Module, ranges_of: Mapping[str, tuple[float, float]],
                     same_block=lambda a, b: True) -> dict[str, torch.Tensor]:
    """A new state_dict of ``net``: each module named in ``ranges_of`` keeps the output
    channels in its range; the BatchNorm after it follows when ``same_block(conv, bn)``."""
    with torch.no_grad():
        sd = {k: t.clone() for k, t in net.state_dict().items()}
        for name, module, bn in prunable(net):
            if name not in ranges_of:
                continue
            lo, hi = ranges_of[name]
            drop = ~keep_mask(module.weight, lo, hi)
            if not drop.any():
                continue
            prefix = f"{name}." if name else ""
            keys = [prefix + "weight", prefix + "bias"]
            if bn is not None and same_block(name, bn):
                keys += [f"{bn}.weight", f"{bn}.bias"]
            for key in keys:
                if key in sd:  # a conv without bias has none
                    sd[key][drop] = 0
        return sd


def prune_model(model, ranges: Mapping[str, tuple[float, float]]) -> dict[str, torch.Tensor]:
    """The state_dict of ``model.net`` with each block's channels outside its range zeroed.

    ``ranges``: ``{block: (rl, ru)}`` (see ``nets.editing.blocks``); blocks left out are
    unchanged. Unknown blocks and bad ranges are EditErrors.
    """
    groups = block_keys(model)
    block_of = {k.rsplit(".", 1)[0] if "." in k else "": b for b, keys in groups.items()
                for k in keys}
    for block, (lo, hi) in ranges.items():
        if block not in groups:
            raise EditError(f"prune: {block!r} is not a block of {getattr(model, 'name', 'Model 1')}; "
                            f"blocks: {', '.join(groups)}")
        if not 0.0 <= float(lo) <= float(hi) <= 1.0:
            raise EditError(f"prune: {block}={lo:g}:{hi:g} needs 0 <= low <= high <= 1")
    per_module = {name: (float(ranges[block][0]), float(ranges[block][1]))
                  for name, block in block_of.items() if block in ranges}
    return prune_state_dict(model.net, per_module,
                            same_block=lambda conv, bn: block_of.get(conv) == block_of.get(bn))
