"""A ready Edited Model (a ``Classifier``) around an edited state_dict.

The edited network is a new module whose tensors *are* the new state_dict. Its
structure comes from Model 1's network, pickled once (per network) with every
state_dict tensor left out as a reference to its key; each rebuild unpickles that
structure and puts the new tensors in (a few ms for MobileNetV2, against ~20 ms for a
``deepcopy`` and ~35 ms to build the module on the meta device). Networks that cannot
be pickled are deep-copied instead, with the same result.

Nothing is shared with Model 1 or Model 2, and an Edited Model handed out earlier
never changes afterwards. That matters in the app: the inference worker, the
feature-visualisation and the neuron-group threads hold (and later deep-copy) the
model they were given and cache results under its key. ``into=`` loads into an
earlier Edited Model of the same architecture instead (``load_state_dict``, copying):
whoever holds that model sees its weights change, so only for single-threaded use.
"""
from __future__ import annotations

import copy
import io
import pickle
import weakref
from typing import Mapping

import torch
from torch import nn

from ..classifier import Classifier
from .settings import EditError

# network -> (its pickled structure without the state_dict tensors, {key: is a Parameter})
_structures: "weakref.WeakKeyDictionary[nn.Module, tuple[bytes, dict[str, bool]]]" = (
    weakref.WeakKeyDictionary())


def edited_classifier(template: Classifier, state_dict: Mapping[str, torch.Tensor],
                      name: str = "edited", into: Classifier | None = None) -> Classifier:
    """A ``Classifier`` like ``template`` (structure, normalisation, layers, labels)
    holding the tensors of ``state_dict`` (same keys and shapes as ``template.net``'s)."""
    current = template.net.state_dict(keep_vars=True)
    _check_keys(current, state_dict)
    if into is not None:
        into.net.load_state_dict(state_dict, strict=True, assign=False)
        return into
    net = _rebuilt(template.net, current, state_dict)
    return Classifier(name, net, template.mean.flatten().tolist(),
                      template.std.flatten().tolist(), template.layers, labels=template.classes.own)


def _tensor(is_param: bool, t: torch.Tensor):
    return nn.Parameter(t, requires_grad=False) if is_param else t


class _Pickler(pickle.Pickler):
    def __init__(self, file, keys: dict[int, str]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.keys = keys

    def persistent_id(self, obj):
        return self.keys.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, kinds: dict[str, bool], tensors: Mapping[str, torch.Tensor]):
        super().__init__(io.BytesIO(data))
        self.kinds, self.tensors = kinds, tensors

    def persistent_load(self, key):
        return _tensor(self.kinds[key], self.tensors[key])


def _rebuilt(net: nn.Module, current: dict, tensors: Mapping[str, torch.Tensor]) -> nn.Module:
    structure = _structures.get(net)
    if structure is None:
        try:
            buf = io.BytesIO()
            _Pickler(buf, {id(t): k for k, t in current.items()}).dump(net)
            structure = (buf.getvalue(), {k: isinstance(t, nn.Parameter) for k, t in current.items()})
        except Exception:  # noqa: BLE001 - e.g. a lambda attribute: deep-copy it instead
            structure = (b"", {})
        _structures[net] = structure
    data, kinds = structure
    if data:
        return _Unpickler(data, kinds, tensors).load()
    memo = {id(t): _tensor(isinstance(t, nn.Parameter), tensors[k]) for k, t in current.items()}
    return copy.deepcopy(net, memo)


def _check_keys(current: Mapping[str, torch.Tensor], new: Mapping[str, torch.Tensor]) -> None:
    missing = [k for k in current if k not in new]
    extra = [k for k in new if k not in current]
    if missing or extra:
        raise EditError(f"edited state_dict does not fit the network: missing {missing[:3]}, "
                        f"unexpected {extra[:3]}")
    for key, old in current.items():
        if old.shape != new[key].shape:
            raise EditError(f"edited state_dict does not fit the network: {key} is "
                            f"{tuple(new[key].shape)}, the network has {tuple(old.shape)}")
