"""Which parameters each edit slider moves: one block per tappable layer, plus the classifier.

A *block* is the set of state_dict keys of ``classifier.net`` one slider controls
(thesis: "one slider for each of the conv2d layers and for each mixed block ...
all included layers share one interpolation parameter"). A key belongs to

1. the tappable layer whose module contains it (``features.3`` holds
   ``features.3.conv.0.0.weight``);
2. else the layer whose module name it extends with ``_`` (Lucid's flat InceptionV1:
   ``mixed3a_1x1_pre_relu_conv`` is part of ``mixed3a``);
3. else the next tappable layer in module order: layers tapped after their activation
   (EfficientNet's ``stem`` = ``stem_act``, ResNet's ``conv1`` = ``relu``) own the conv
   and BatchNorm before them;
4. else, after the last tappable layer, the extra block :data:`CLASSIFIER` (the final
   linear layer and whatever sits between the last tappable layer and it).

Blocks come in network order; every key is in exactly one block; a tappable layer
that ends up with no weights gets no block.
"""
from __future__ import annotations

from torch import nn

CLASSIFIER = "classifier"


def block_keys(classifier) -> dict[str, tuple[str, ...]]:
    """``{block name: state_dict keys of classifier.net}`` in network order.

    ``classifier`` has ``.net`` and ``.layers`` (``nets.classifier.Classifier``).
    """
    return blocks_of(classifier.net, [(l.name, l.module) for l in classifier.layers])


def block_names(classifier) -> list[str]:
    """The slider names: the tappable layers with weights, then :data:`CLASSIFIER`."""
    return list(block_keys(classifier))


def blocks_of(net: nn.Module, layers: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """As :func:`block_keys`, for a bare network and ``(layer name, module path)`` pairs."""
    order = {name: i for i, (name, _) in enumerate(net.named_modules())}
    missing = [m for _, m in layers if m not in order]
    if missing:
        raise ValueError(f"tappable layer modules not in the network: {missing}")
    by_position = sorted(layers, key=lambda nm: order[nm[1]])
    extra = CLASSIFIER if CLASSIFIER not in {n for n, _ in layers} else f"{CLASSIFIER}_"
    out: dict[str, list[str]] = {name: [] for name, _ in layers}
    out[extra] = []
    for key in net.state_dict():
        owner = key.rsplit(".", 1)[0] if "." in key else ""
        out[_block_of(owner, by_position, order, extra)].append(key)
    return {name: tuple(keys) for name, keys in out.items() if keys}  # no weights: no slider


def _block_of(owner: str, layers: list[tuple[str, str]], order: dict[str, int],
              extra: str) -> str:
    inside = [(len(m), n) for n, m in layers
              if m == "" or owner == m or owner.startswith(m + ".")]
    if inside:
        return max(inside)[1]  # the innermost layer module that contains it
    top = owner.split(".", 1)[0]
    prefixed = [(len(m), n) for n, m in layers if top.startswith(m + "_")]
    if prefixed:
        return max(prefixed)[1]
    position = order.get(owner, -1)
    for name, module in layers:
        if order[module] > position:
            return name
    return extra
