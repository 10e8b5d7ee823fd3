"""ResNet-50s trained differently: adversarially (robustness library) or on Stylized-ImageNet.

No package ships these weights; a user who has them puts them in the user weights
folder (``nets/models/files.py``) under our name (``resnet50_sin.pth``,
``resnet50_robust_l2_3.safetensors``...) or under the name they were published with
(``imagenet_l2_3_0.pt``, ``resnet50_train_60_epochs-c8e5653e.pth.tar``...).

Both kinds are training checkpoints, not bare state_dicts: ``{"model": ...}`` with
``module.model.`` / ``module.attacker.`` / ``module.normalizer.`` keys (robustness
library) or ``{"state_dict": ...}`` with ``module.`` keys (Stylized-ImageNet).
``nets.loading.load_checkpoint`` unwraps them; the normaliser they carry is the usual
ImageNet mean / std, which the wrapper applies. Files whose extra entries hold objects
other than numbers are refused by the weights-only reader, naming the key: convert
them once to safetensors (see ``nets/loading.py``).
"""
from functools import partial

from ..registry import entry_for, register
from .files import find_weights
from .torchvision_nets import ARCHS

EXT = r"\.(?:pth|pt|pth\.tar|ckpt|safetensors)"
HASH = r"-[0-9a-f]{6,}\.pth\.tar"

# name: (training, title detail, published file name regexes, where they come from)
MODELS = {
    "resnet50_sin": ("Stylized", "Stylized-ImageNet",
                     [r"resnet50_train_60_epochs" + HASH],
                     "Geirhos et al. 2019, trained on Stylized-ImageNet only"),
    "resnet50_sin_in": ("Stylized", "Stylized + ImageNet",
                        [r"resnet50_train_45_epochs_combined_IN_SF" + HASH],
                        "Geirhos et al. 2019, trained on Stylized-ImageNet and ImageNet"),
    "resnet50_sin_in_in": ("Stylized", "Stylized + ImageNet, fine-tuned on ImageNet",
                           [r"resnet50_finetune_60_epochs_lr_decay_after_30_start_"
                            r"resnet50_train_45_epochs_combined_IN_SF" + HASH],
                           "Geirhos et al. 2019, SIN+IN then fine-tuned on ImageNet"),
    "resnet50_robust_l2_3": ("Adv. Trained", "L2 ε = 3", [r"imagenet_l2_3_0\.pt"],
                             "robustness library (Madry lab), PGD L2 eps 3.0"),
    "resnet50_robust_linf_4": ("Adv. Trained", "L∞ ε = 4/255", [r"imagenet_linf_4\.pt"],
                               "robustness library (Madry lab), PGD Linf eps 4/255"),
    "resnet50_robust_linf_8": ("Adv. Trained", "L∞ ε = 8/255", [r"imagenet_linf_8\.pt"],
                               "robustness library (Madry lab), PGD Linf eps 8/255"),
}


def file_patterns(name: str) -> list[str]:
    """Our file name first, then the published one."""
    return [name + EXT] + MODELS[name][2]


def _register(name: str):
    training, detail, _, source = MODELS[name]
    arch = ARCHS["resnet50"]
    return register(entry_for(arch, name, partial(find_weights, file_patterns(name)),
                              training=training, title=f"{arch.display} · {training} ({detail})",
                              description=source))


ENTRIES = {name: _register(name) for name in MODELS}
