"""InceptionV1 as in Lucid / OpenAI Microscope / Circuits ("inception5h"), user's weights.

This is the GoogLeNet that Lucid's feature visualisations and the Circuits thread
study (layer names ``conv2d0`` .. ``mixed5b``), not torchvision's retrained GoogLeNet.
lucent distributes it converted to PyTorch as ``inception5h.pth`` (``SOURCE``: its URL;
no size or sha256 is recorded for it, so ``perturber weights fetch`` refuses it and says
where to put it). It is looked for as ``inception5h.pth`` (or ``inceptionv1.pth``) in the
user weights folder and torch's hub cache (``nets/models/files.py``), or registered from
any path with ``register_user_checkpoint(path, "inceptionv1")``.

The network is built here with lucent's module names (``mixed4d_3x3_pre_relu_conv``...)
so that file loads strictly. Differences from lucent's class: the forward returns
logits, not softmax; ReLUs are plain (lucent's "redirected" ReLU is a feature-
visualisation trick); global pooling is adaptive (identical at 224).

Input: Lucid feeds pixels in [-117, 138], i.e. x * 255 - 117: mean 117/255, std 1/255.

Outputs: the file's classifier has 1008 outputs in Lucid's label order: 0 is "dummy",
1..1000 are the ILSVRC2012 classes in the devkit's order (ILSVRC2012_ID, kit fox first),
1001..1007 unused. ``inceptionv1_classes.json`` lists those 1000 classes (WordNet id and
name) in that order; torchvision's order is the sorted WordNet ids, so the registered
model re-orders its logits to the usual 1000 ImageNet classes (``outputs="imagenet"``).
``outputs="lucid"`` keeps the raw 1008 with their own labels. The devkit order and
names are checked against torchvision's class names in the tests; that Lucid's output
k is devkit class k could not be checked here without the real weights file.

Tappable layers (after their ReLU / concatenation), shape for a 224 input:

    conv2d0 64 x 112, conv2d1 64 x 56, conv2d2 192 x 56,
    mixed3a 256 x 28, mixed3b 480 x 28,
    mixed4a 508, mixed4b 512, mixed4c 512, mixed4d 528, mixed4e 832 (x 14),
    mixed5a 832 x 7, mixed5b 1024 x 7
"""
import json
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..classifier import Layer
from ..download import WeightsSource
from ..registry import Arch, entry_for, register, register_arch
from .files import find_weights

MEAN = (117 / 255,) * 3
STD = (1 / 255,) * 3
LUCID_OUTPUTS = 1008
CLASSES_FILE = Path(__file__).with_name("inceptionv1_classes.json")
FILE_PATTERNS = [r"inception5h\.(?:pth|pt|safetensors)", r"inceptionv1\.(?:pth|pt|safetensors)"]
SOURCE = WeightsSource("inception5h.pth", (
    "https://github.com/ProGamerGov/pytorch-old-tensorflow-models/raw/master/inception5h.pth",))
LRN = dict(size=9, alpha=9.99999974738e-05, beta=0.5, k=1.0)  # Lucid's local response norm

# mixed block: (in, 1x1, 3x3 bottleneck, 3x3, 5x5 bottleneck, 5x5, pool reduce)
MIXED = {
    "mixed3a": (192, 64, 96, 128, 16, 32, 32),
    "mixed3b": (256, 128, 128, 192, 32, 96, 64),
    "mixed4a": (480, 192, 96, 204, 16, 48, 64),
    "mixed4b": (508, 160, 112, 224, 24, 64, 64),
    "mixed4c": (512, 128, 128, 256, 24, 64, 64),
    "mixed4d": (512, 112, 144, 288, 32, 64, 64),
    "mixed4e": (528, 256, 160, 320, 32, 128, 128),
    "mixed5a": (832, 256, 160, 320, 48, 128, 128),
    "mixed5b": (832, 384, 192, 384, 48, 128, 128),
}
_POOL_BEFORE = {"mixed4a", "mixed5a"}  # a stride-2 max pool precedes these


@lru_cache(maxsize=1)
def lucid_classes() -> tuple[tuple[str, str], ...]:
    """(WordNet id, name) of Lucid outputs 1..1000, in Lucid's order."""
    return tuple(tuple(row) for row in json.loads(CLASSES_FILE.read_text()))


def lucid_labels() -> tuple[str, ...]:
    """Names of all 1008 raw outputs (0 and 1001..1007 are unused)."""
    names = [name for _, name in lucid_classes()]
    return (("dummy (Lucid output 0)",) + tuple(names)
            + tuple(f"unused (Lucid output {i})" for i in range(len(names) + 1, LUCID_OUTPUTS)))


@lru_cache(maxsize=1)
def imagenet_to_lucid() -> tuple[int, ...]:
    """For each ImageNet class in torchvision's order, the Lucid output that scores it."""
    wnids = [wnid for wnid, _ in lucid_classes()]
    lucid_index = {wnid: i + 1 for i, wnid in enumerate(wnids)}
    return tuple(lucid_index[wnid] for wnid in sorted(wnids))


class InceptionV1(nn.Module):
    """Lucid's InceptionV1 with lucent's module names; ``outputs`` "imagenet" or "lucid"."""

    def __init__(self, outputs: str = "imagenet"):
        super().__init__()
        if outputs not in ("imagenet", "lucid"):
            raise ValueError(f"outputs must be 'imagenet' or 'lucid', not {outputs!r}")
        self.conv2d0_pre_relu_conv = nn.Conv2d(3, 64, 7, stride=2)
        self.conv2d1_pre_relu_conv = nn.Conv2d(64, 64, 1)
        self.conv2d2_pre_relu_conv = nn.Conv2d(64, 192, 3, padding=1)
        self.conv2d0, self.conv2d1, self.conv2d2 = nn.ReLU(), nn.ReLU(), nn.ReLU()
        for name, (c_in, c1, c3r, c3, c5r, c5, cp) in MIXED.items():
            for part, conv in (("1x1", nn.Conv2d(c_in, c1, 1)),
                               ("3x3_bottleneck", nn.Conv2d(c_in, c3r, 1)),
                               ("3x3", nn.Conv2d(c3r, c3, 3, padding=1)),
                               ("5x5_bottleneck", nn.Conv2d(c_in, c5r, 1)),
                               ("5x5", nn.Conv2d(c5r, c5, 5, padding=2)),
                               ("pool_reduce", nn.Conv2d(c_in, cp, 1))):
                setattr(self, f"{name}_{part}_pre_relu_conv", conv)
            setattr(self, name, nn.Identity())  # the tap point: output of the concatenation
        self.softmax2_pre_activation_matmul = nn.Linear(1024, LUCID_OUTPUTS)
        self.outputs = outputs
        # not in the state_dict: the weights file stays lucent's
        self.register_buffer("imagenet_index", torch.tensor(imagenet_to_lucid()), persistent=False)

    def _conv(self, name: str, part: str, x):
        return F.relu(getattr(self, f"{name}_{part}_pre_relu_conv")(x))

    def _mixed(self, name: str, x):
        branches = [self._conv(name, "1x1", x),
                    self._conv(name, "3x3", self._conv(name, "3x3_bottleneck", x)),
                    self._conv(name, "5x5", self._conv(name, "5x5_bottleneck", x)),
                    self._conv(name, "pool_reduce", F.max_pool2d(x, 3, stride=1, padding=1))]
        return getattr(self, name)(torch.cat(branches, 1))

    @staticmethod
    def _pool(x):  # TF "SAME" 3x3 / 2 max pool: the extra row and column go bottom-right
        return F.max_pool2d(F.pad(x, (0, 1, 0, 1), value=float("-inf")), 3, stride=2)

    def forward(self, x):
        x = self.conv2d0(self.conv2d0_pre_relu_conv(F.pad(x, (2, 3, 2, 3))))
        x = F.local_response_norm(self._pool(x), **LRN)
        x = self.conv2d1(self.conv2d1_pre_relu_conv(x))
        x = self.conv2d2(self.conv2d2_pre_relu_conv(x))
        x = self._pool(F.local_response_norm(x, **LRN))
        for name in MIXED:
            if name in _POOL_BEFORE:
                x = self._pool(x)
            x = self._mixed(name, x)
        logits = self.softmax2_pre_activation_matmul(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))
        return logits[:, self.imagenet_index] if self.outputs == "imagenet" else logits


def _size(name: str) -> int:
    return 28 if name.startswith("mixed3") else 14 if name.startswith("mixed4") else 7


LAYERS = (Layer("conv2d0", "conv2d0", 64, 112), Layer("conv2d1", "conv2d1", 64, 56),
          Layer("conv2d2", "conv2d2", 192, 56)) + tuple(
    Layer(name, name, c1 + c3 + c5 + cp, _size(name))
    for name, (_, c1, _, c3, _, c5, cp) in MIXED.items())


def weights_path() -> Path | None:
    return find_weights(FILE_PATTERNS)


ARCH = register_arch(Arch("inceptionv1", "InceptionV1 (Lucid)", LAYERS, "mixed4d", MEAN, STD,
                          InceptionV1))
LUCID_ARCH = register_arch(Arch("inceptionv1_lucid_outputs", "InceptionV1 (Lucid, 1008 outputs)",
                                LAYERS, "mixed4d", MEAN, STD,
                                lambda: InceptionV1(outputs="lucid"), labels=lucid_labels()))
ENTRY = register(entry_for(ARCH, "inceptionv1", weights_path, source=SOURCE,
                           description="Lucid's InceptionV1 (inception5h), converted by lucent"))
