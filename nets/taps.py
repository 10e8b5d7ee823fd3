"""Capture activations of named layers with forward hooks that are always removed.

    with tap(model, ["block4", "conv_last"]) as acts:
        model(images)
    acts["block4"]  # (B, 32, 28, 28)

Names are a ``Classifier``'s readable layer names or, for any other module, the
dotted module paths of ``named_modules()``.
"""
from contextlib import contextmanager
from typing import Iterable, Iterator

import torch
from torch import nn


def resolve(model: nn.Module, name: str) -> nn.Module:
    """The module a layer name stands for."""
    if hasattr(model, "layer_module"):
        try:
            return model.layer_module(name)
        except KeyError:
            pass
    try:
        return model.get_submodule(name)
    except AttributeError:
        raise KeyError(f"no layer {name!r} in {type(model).__name__}") from None


@contextmanager
def tap(model: nn.Module, names: Iterable[str], detach: bool = True) -> Iterator[dict[str, torch.Tensor]]:
    """Yield a dict that each forward pass fills with the outputs of the layers ``names``.

    ``detach=False`` keeps the autograd graph (for activation x gradient). The hooks
    are removed when the block ends, also when it raises.
    """
    names = list(names)
    modules = [resolve(model, n) for n in names]  # unknown names fail before any hook exists
    acts: dict[str, torch.Tensor] = {}
    handles = []

    def hook_for(name):
        def hook(_module, _inputs, output):
            acts[name] = output.detach() if detach else output
        return hook

    try:
        for name, module in zip(names, modules):
            handles.append(module.register_forward_hook(hook_for(name)))
        yield acts
    finally:
        for handle in handles:
            handle.remove()


def hook_count(model: nn.Module) -> int:
    """Forward (and pre-forward) hooks on ``model`` and all its submodules."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
