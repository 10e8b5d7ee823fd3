"""Tappable layers of torchvision's classifiers: readable name, module path, shape at 224.

Names follow the papers (GoogLeNet ``inception4d``, VGG ``conv4_3``, ResNet
``layer3.5``); ``stem`` / ``blockN`` / ``head`` for the mobile nets, as in
``efficientnet.py``. Every layer is tapped after its activation. Shapes are checked
against a forward pass in tests/nets/models/test_torchvision_nets.py.
"""
from ..classifier import Layer


def _table(rows) -> tuple[Layer, ...]:
    return tuple(Layer(*row) for row in rows)


GOOGLENET = _table([
    ("conv1", "conv1", 64, 112), ("conv2", "conv2", 64, 56), ("conv3", "conv3", 192, 56),
    ("inception3a", "inception3a", 256, 28), ("inception3b", "inception3b", 480, 28),
    ("inception4a", "inception4a", 512, 14), ("inception4b", "inception4b", 512, 14),
    ("inception4c", "inception4c", 512, 14), ("inception4d", "inception4d", 528, 14),
    ("inception4e", "inception4e", 832, 14),
    ("inception5a", "inception5a", 832, 7), ("inception5b", "inception5b", 1024, 7),
])


def resnet(blocks: tuple[int, int, int, int], expansion: int) -> tuple[Layer, ...]:
    """``conv1`` (after its ReLU), then every residual block ``layerS.i``."""
    rows = [("conv1", "relu", 64, 112)]
    widths, sizes = (64, 128, 256, 512), (56, 28, 14, 7)
    for stage, (count, width, size) in enumerate(zip(blocks, widths, sizes), 1):
        rows += [(f"layer{stage}.{i}", f"layer{stage}.{i}", width * expansion, size)
                 for i in range(count)]
    return _table(rows)


# (name, index of the ReLU after the conv in ``features``, channels, size)
VGG16 = _table((name, f"features.{i}", c, s) for name, i, c, s in [
    ("conv1_1", 1, 64, 224), ("conv1_2", 3, 64, 224),
    ("conv2_1", 6, 128, 112), ("conv2_2", 8, 128, 112),
    ("conv3_1", 11, 256, 56), ("conv3_2", 13, 256, 56), ("conv3_3", 15, 256, 56),
    ("conv4_1", 18, 512, 28), ("conv4_2", 20, 512, 28), ("conv4_3", 22, 512, 28),
    ("conv5_1", 25, 512, 14), ("conv5_2", 27, 512, 14), ("conv5_3", 29, 512, 14),
])

ALEXNET = _table((name, f"features.{i}", c, s) for name, i, c, s in [
    ("conv1", 1, 64, 55), ("conv2", 4, 192, 27), ("conv3", 7, 384, 13),
    ("conv4", 9, 256, 13), ("conv5", 11, 256, 13),
])

# norm5 is left out: DenseNet applies an in-place ReLU to it, which would change a tap.
DENSENET121 = _table([
    ("conv0", "features.relu0", 64, 112),
    ("denseblock1", "features.denseblock1", 256, 56),
    ("transition1", "features.transition1", 128, 28),
    ("denseblock2", "features.denseblock2", 512, 28),
    ("transition2", "features.transition2", 256, 14),
    ("denseblock3", "features.denseblock3", 1024, 14),
    ("transition3", "features.transition3", 512, 7),
    ("denseblock4", "features.denseblock4", 1024, 7),
])

_MNV3_SHAPES = [(16, 112), (16, 112), (24, 56), (24, 56), (40, 28), (40, 28), (40, 28),
                (80, 14), (80, 14), (80, 14), (80, 14), (112, 14), (112, 14),
                (160, 7), (160, 7), (160, 7), (960, 7)]
MOBILENET_V3_LARGE = _table(
    ("stem" if i == 0 else "head" if i == len(_MNV3_SHAPES) - 1 else f"block{i}",
     f"features.{i}", c, s) for i, (c, s) in enumerate(_MNV3_SHAPES))


def _efficientnet_b0() -> tuple[Layer, ...]:
    rows = [("stem", "features.0", 32, 112)]
    stages = [(1, 16, 112), (2, 24, 56), (2, 40, 28), (3, 80, 14), (3, 112, 14), (4, 192, 7),
              (1, 320, 7)]
    for stage, (count, c, s) in enumerate(stages, 1):
        for i in range(count):
            rows.append((f"block{len(rows)}", f"features.{stage}.{i}", c, s))
    return _table(rows + [("head", "features.8", 1280, 7)])


EFFICIENTNET_B0 = _efficientnet_b0()
