"""torchvision ImageNet classifiers whose official weights a user already has on disk.

torchvision keeps what it downloads in torch's hub cache as ``<arch>-<hash>.pth``
(``resnet50-0676ba61.pth``, ``googlenet-1378be20.pth``, ``alexnet-owt-7be5be79.pth``...).
Each entry looks there and in the user weights folder (``nets/models/files.py``) for the
official file names first, then for any ``<prefix>-<hex>.pth``, then for ``<arch>.safetensors``
(what ``perturber weights fetch`` writes); with no file it is listed but not available.
Nothing is downloaded on its own, and no network is built until one is loaded.

Each entry's ``source`` is torchvision's IMAGENET1K_V1 URL. torchvision publishes only
the first 8 hex digits of each file's sha256 (in its name); ``CHECKSUMS`` holds the full
size and sha256 where independent downloads recorded them (each agrees with the name's
digits and torchvision's ``_file_size``). The other files have none recorded, so
``fetch`` refuses them and says where to place them by hand.

Specialities:

- GoogLeNet files carry the auxiliary heads (``aux1.*``, ``aux2.*``), dropped here; the
  net is built without them. torchvision's ``transform_input`` turns ImageNet-normalised
  input into (x - 0.5) / 0.5, which is what the weights expect: the wrapper normalises
  with mean = std = 0.5 instead, and ``transform_input`` stays off.
- DenseNet files use old key names (``norm.1`` for ``norm1``), renamed here.

Tappable layers are in ``torchvision_layers.py``.
"""
import re
from functools import partial

import torchvision

from ..download import WeightsSource
from ..registry import Arch, entry_for, register, register_arch
from . import torchvision_layers as tl
from .files import find_weights

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
HALF = (0.5, 0.5, 0.5)
_DENSENET_OLD_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\."
    r"([12]\.(?:weight|bias|running_mean|running_var|num_batches_tracked))$")


def drop_aux_heads(sd: dict) -> dict:
    return {k: v for k, v in sd.items() if not k.startswith(("aux1.", "aux2."))}


def rename_densenet_keys(sd: dict) -> dict:
    return {_DENSENET_OLD_KEY.sub(r"\1\2", k): v for k, v in sd.items()}


def _keep(sd: dict) -> dict:
    return sd


# arch: (display name, constructor kwargs, layers, default layer, mean, std, fix_keys)
SPECS = {
    "googlenet": ("GoogLeNet", dict(aux_logits=False, init_weights=False, transform_input=False),
                  tl.GOOGLENET, "inception4d", HALF, HALF, drop_aux_heads),
    "resnet18": ("ResNet-18", {}, tl.resnet((2, 2, 2, 2), 1), "layer3.1",
                 IMAGENET_MEAN, IMAGENET_STD, _keep),
    "resnet34": ("ResNet-34", {}, tl.resnet((3, 4, 6, 3), 1), "layer3.5",
                 IMAGENET_MEAN, IMAGENET_STD, _keep),
    "resnet50": ("ResNet-50", {}, tl.resnet((3, 4, 6, 3), 4), "layer3.5",
                 IMAGENET_MEAN, IMAGENET_STD, _keep),
    "vgg16": ("VGG-16", {}, tl.VGG16, "conv5_1", IMAGENET_MEAN, IMAGENET_STD, _keep),
    "alexnet": ("AlexNet", {}, tl.ALEXNET, "conv4", IMAGENET_MEAN, IMAGENET_STD, _keep),
    "densenet121": ("DenseNet-121", {}, tl.DENSENET121, "denseblock3",
                    IMAGENET_MEAN, IMAGENET_STD, rename_densenet_keys),
    "mobilenet_v3_large": ("MobileNetV3-Large", {}, tl.MOBILENET_V3_LARGE, "block12",
                           IMAGENET_MEAN, IMAGENET_STD, _keep),
    "efficientnet_b0": ("EfficientNet-B0", {}, tl.EFFICIENTNET_B0, "block11",
                        IMAGENET_MEAN, IMAGENET_STD, _keep),
}


# file: (size in bytes, sha256), as recorded by independent downloads of torchvision's files
CHECKSUMS = {
    "resnet18-f37072fd.pth":
        (46_830_571, "f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec"),
    "resnet50-0676ba61.pth":
        (102_530_333, "0676ba61b6795bbe1773cffd859882e5e297624d384b6993f7c9e683e722fb8a"),
    "vgg16-397923af.pth":
        (553_433_881, "397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0"),
    "densenet121-a639ec97.pth":
        (32_342_954, "a639ec97d7c33b07ae66f0b5fb7d0192f95a3b11b7576c66c0126c2a727c4395"),
}


def file_patterns(arch: str) -> list[str]:
    """Regexes for the arch's weights files: official ImageNet-1k names, then any hash,
    then the fetched ``<arch>.safetensors``."""
    names = [w.url.rsplit("/", 1)[1] for w in torchvision.models.get_model_weights(arch)
             if w.name.startswith("IMAGENET1K_V")]
    prefixes = dict.fromkeys(name.rsplit("-", 1)[0] for name in names)
    return ([re.escape(n) for n in names]
            + [rf"{re.escape(p)}-[0-9a-f]{{6,}}\.pth" for p in prefixes]
            + [rf"{re.escape(arch)}\.safetensors"])


def source(arch: str) -> WeightsSource:
    """torchvision's IMAGENET1K_V1 file of ``arch``, with its checksum where recorded."""
    url = torchvision.models.get_model_weights(arch)["IMAGENET1K_V1"].url
    file = url.rsplit("/", 1)[1]
    size, sha256 = CHECKSUMS.get(file, (None, None))
    return WeightsSource(file, (url,), size, sha256)


def make_net(arch: str, **kwargs):
    return torchvision.models.get_model(arch, weights=None, **kwargs)


def _register(arch: str) -> Arch:
    display, kwargs, layers, default, mean, std, fix = SPECS[arch]
    spec = register_arch(Arch(arch, display, layers, default, mean, std,
                              partial(make_net, arch, **kwargs), fix_keys=fix, meta_init=True))
    patterns = file_patterns(arch)
    register(entry_for(spec, arch, partial(find_weights, patterns), source=source(arch),
                       description=f"torchvision {display}, official ImageNet-1k weights"))
    return spec


ARCHS = {arch: _register(arch) for arch in SPECS}
