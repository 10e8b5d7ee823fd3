"""Model slots holding tiny exact models, for the feature-visualisation service tests.

The models are the colour-opponent classifier of ``tests/nets/featvis``: layer
``block13`` (named like MobileNetV2's, so specs read naturally) has 3 channels,
0 = red - blue, 1 = green - red, 2 = blue - green; its best images are known colours.
A step costs milliseconds.
"""
from __future__ import annotations

import numpy as np

from game.app.slots import ModelSlots
from game.core.params import ParamState
from nets.classifier import Classifier, Layer
from tests.nets.featvis.conftest import colour_net


def colour_classifier(name: str = "colour") -> Classifier:
    return Classifier(name, colour_net(), (0.5,) * 3, (0.25,) * 3,
                      (Layer("block13", "relu", 3, 224),))


def fake_loader(name: str, checkpoint: int):
    """What ``registry_loader`` returns: (model, title, weights key)."""
    return colour_classifier(name), f"{name} (tiny)", f"{name}@test{checkpoint}"


def fake_slots(params: ParamState | None = None) -> ModelSlots:
    return ModelSlots(params or ParamState(), loader=fake_loader)


def two_colour_image(size: int = 32) -> np.ndarray:
    """Red top half, blue bottom half (uint8)."""
    img = np.zeros((size, size, 3), np.uint8)
    img[: size // 2] = (255, 0, 0)
    img[size // 2:] = (0, 0, 255)
    return img
