"""Neuron groups: the channels of a layer that matter most for a set of classes, or right now.

Relevance follows Summit (Hohman et al. 2019): activation x gradient. For a layer with
activation A (B, C, H, W) and a class-set score s per image,

    relevance[c] = mean over images of  sum over (h, w) of  A[b, c, h, w] * ds_b / dA[b, c, h, w]

The score of a set of classes is the log-sum-exp of their logits, not their sum. For one
class the two are the same (the plain logit, as in Summit). For a set such as the 118
dog breeds, the gradient of log-sum-exp weights each class by its softmax share within
the set, so the channels behind the breeds the model actually sees in the image count,
not an equal mix of all 118 logits; log-sum-exp is also the logit of "any class of the
set" (the log of the set's summed unnormalised probability).

    groups = class_groups(model, ["block13", "conv_last"], {"cat": cat_images},
                          {"cat": CLASS_SETS["cat"]}, k=8)
    groups["conv_last"]["cat"]  # 8 channel indices, most relevant first
"""
from typing import Iterable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from .taps import tap

# ImageNet-1k class indices (torchvision / nets.labels order) of the class groups the
# thesis adds to every layer ("cat, dog, fire truck, and race car").
CLASS_SETS: dict[str, tuple[int, ...]] = {
    "dog": tuple(range(151, 269)),   # 151 Chihuahua .. 268 Mexican hairless: the 118 dog breeds
    "cat": tuple(range(281, 286)),   # tabby, tiger cat, Persian, Siamese, Egyptian cat (domestic cats)
    "fire_truck": (555,),            # fire engine, fire truck
    "race_car": (751, 817),          # racer (race car); sports car, which race-car renders often get
}


def relevance(model: nn.Module, layer: str, images: torch.Tensor, class_indices: Iterable[int],
              batch_size: int = 16) -> torch.Tensor:
    """Activation x gradient of the class set's score, per channel of ``layer``: (C,).

    ``images``: (B, 3, H, W) in [0, 1]. See the module docstring for the score.
    """
    return relevances(model, [layer], images, class_indices, batch_size)[layer]


def relevances(model: nn.Module, layers: Sequence[str], images: torch.Tensor,
               class_indices: Iterable[int], batch_size: int = 16) -> dict[str, torch.Tensor]:
    """``relevance`` for several layers at once (one forward and backward pass per batch)."""
    classes = list(class_indices)
    if not classes:
        raise ValueError("class_indices is empty")
    if images.dim() == 3:
        images = images.unsqueeze(0)
    if images.shape[0] == 0:
        raise ValueError("no images")
    layers = list(dict.fromkeys(layers))
    totals: dict[str, torch.Tensor] = {}
    was_training = model.training
    try:
        if was_training:
            model.eval()
        with torch.inference_mode(False), torch.enable_grad():
            for batch in images.split(batch_size):
                for name, summed in _batch_relevance(model, layers, batch, classes).items():
                    totals[name] = totals[name] + summed if name in totals else summed
    finally:
        if was_training:
            model.train()
    return {name: total / images.shape[0] for name, total in totals.items()}


def _batch_relevance(model, layers, images, classes) -> dict[str, torch.Tensor]:
    """Per layer, activation x gradient summed over space and over the images of the batch."""
    # The input asks for a gradient only so that the activations join the autograd graph
    # even when the model's parameters are frozen; we never read the input's gradient.
    images = images.detach().clone().requires_grad_(True)
    with tap(model, layers, detach=False) as acts:
        logits = model(images)
    score = logits[:, classes].logsumexp(dim=1).sum()  # images are independent: sum is fine
    grads = torch.autograd.grad(score, [acts[name] for name in layers])
    return {name: _per_channel(acts[name] * grad) for name, grad in zip(layers, grads)}


def _per_channel(values: torch.Tensor) -> torch.Tensor:
    """Sum a (B, C, ...) tensor over everything but the channels: (C,)."""
    return values.detach().transpose(0, 1).reshape(values.shape[1], -1).sum(dim=1)


def top_channels(scores, k: int) -> list[int]:
    """The indices of the ``k`` highest scores, highest first (ties: lower index first)."""
    if not torch.is_tensor(scores):
        scores = torch.as_tensor(np.asarray(scores, dtype=np.float64))
    order = torch.sort(scores.flatten(), descending=True, stable=True).indices
    return order[:max(k, 0)].tolist()


def most_active(activations, k: int) -> list[int]:
    """The ``k`` channels of ``activations`` (C, H, W) with the highest mean, highest first."""
    acts = activations if torch.is_tensor(activations) else torch.from_numpy(np.asarray(activations))
    if acts.dim() != 3:
        raise ValueError(f"expected activations (C, H, W), got shape {tuple(acts.shape)}")
    return top_channels(acts.float().mean(dim=(1, 2)), k)


def class_groups(model: nn.Module, layers: Sequence[str],
                 images_by_group: Mapping[str, torch.Tensor],
                 classes_by_group: Mapping[str, Iterable[int]],
                 k: int = 8, batch_size: int = 16) -> dict[str, dict[str, list[int]]]:
    """``{layer: {group: the k most relevant channels, best first}}`` for each image group.

    The images of a group are scored with that group's classes (e.g. renders of the cat
    object with ``CLASS_SETS["cat"]``).
    """
    missing = [g for g in images_by_group if g not in classes_by_group]
    if missing:
        raise KeyError(f"no classes for group(s) {missing}; known: {list(classes_by_group)}")
    groups: dict[str, dict[str, list[int]]] = {layer: {} for layer in layers}
    for group, images in images_by_group.items():
        scores = relevances(model, layers, images, classes_by_group[group], batch_size)
        for layer in layers:
            groups[layer][group] = top_channels(scores[layer], k)
    return groups
