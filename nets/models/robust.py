"""ResNet-50s trained differently: adversarially (robustness library) or on Stylized-ImageNet.

No package ships these weights; a user who has them puts them in the user weights
folder (``nets/models/files.py``) under our name (``resnet50_sin.pth``,
``resnet50_robust_l2_3.safetensors``...) or under the name they were published with
(``imagenet_l2_3_0.pt``, ``resnet50_train_60_epochs-c8e5653e.pth.tar``...);
``perturber models`` and ``perturber weights list`` say which file goes where.

Both kinds are training checkpoints, not bare state_dicts: ``{"model": ...}`` with
``module.model.`` / ``module.attacker.`` / ``module.normalizer.`` keys (robustness
library) or ``{"state_dict": ...}`` with ``module.`` keys (Stylized-ImageNet).
``nets.loading.load_checkpoint`` unwraps them; the normaliser they carry is the usual
ImageNet mean / std, which the wrapper applies. Files whose extra entries hold objects
other than numbers are refused by the weights-only reader, naming the key: convert
them once to safetensors (see ``nets/loading.py``).
"""
from functools import partial

from ..download import WeightsSource
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

# Where each file was published (texture-vs-shape's pretrained-models repository, the
# robustness library's README). No full size or sha256 has been published or recorded
# for any of them, so `perturber weights fetch` refuses them and says where they go.
_SIN = "https://bitbucket.org/robert_geirhos/texture-vs-shape-pretrained-models/raw/"
_MADRY = "https://www.dropbox.com/s/"
PUBLISHED = {name: WeightsSource(url.rsplit("/", 1)[1].split("?")[0], (url,)) for name, url in {
    "resnet50_sin": _SIN + "6f41d2e86fc60566f78de64ecff35cc61eb6436f/"
                           "resnet50_train_60_epochs-c8e5653e.pth.tar",
    "resnet50_sin_in": _SIN + "60b770e128fffcbd8562a3ab3546c1a735432d03/"
                              "resnet50_train_45_epochs_combined_IN_SF-2a0d100e.pth.tar",
    "resnet50_sin_in_in": _SIN + "60b770e128fffcbd8562a3ab3546c1a735432d03/"
                                 "resnet50_finetune_60_epochs_lr_decay_after_30_start_"
                                 "resnet50_train_45_epochs_combined_IN_SF-ca06340c.pth.tar",
    "resnet50_robust_l2_3": _MADRY + "knf4uimlqsi1yz8/imagenet_l2_3_0.pt?dl=1",
    "resnet50_robust_linf_4": _MADRY + "axfuary2w1cnyrg/imagenet_linf_4.pt?dl=1",
    "resnet50_robust_linf_8": _MADRY + "yxn15a9zklz3s8q/imagenet_linf_8.pt?dl=1",
}.items()}


def file_patterns(name: str) -> list[str]:
    """Our file name first, then the published one."""
    return [name + EXT] + MODELS[name][2]


def _register(name: str):
    training, detail, _, origin = MODELS[name]
    arch = ARCHS["resnet50"]
    return register(entry_for(arch, name, partial(find_weights, file_patterns(name)),
                              training=training, title=f"{arch.display} · {training} ({detail})",
                              description=origin, source=PUBLISHED[name]))


ENTRIES = {name: _register(name) for name in MODELS}
