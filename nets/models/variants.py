"""Our own robust variants of the bundled MobileNetV2, fine-tuned on this project's renders
and packaged photos by ``perturber train`` (``nets/training``); weights in ``nets/weights/``.

- ``mobilenet_v2_adv``: "Adv. Trained" (L2 PGD adversarial fine-tuning);
- ``mobilenet_v2_stylized``: "Stylized" (fine-tuning on texture-swapped images).

Each has a model card next to its weights (``nets/weights/<name>.md``): what it was
trained on, for how long, and what it is not (not the thesis' models, not Madry-lab or
Stylized-ImageNet models, not trained on ImageNet). Checkpoints: iteration 1 is the
standard model's weights (the thesis' slider starts at the standard model); later
iterations are the bundled ``<name>_iter<N>.safetensors`` files (plus any a user
trained into the user weights folder under the same name); checkpoint 0 = final.
"""
from pathlib import Path

from . import mobilenet
from .files import iteration_files
from ..registry import entry_for, register

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
# name -> (training, description, measured robustness). The figures are the share of 64
# held-out renders whose label survives a 10-step L2 PGD attack of eps 0.5 (and the
# shape bias on cue-conflict renders) measured by `perturber evaluate`
# (docs/robust-variants-eval.json; the standard model: 0 % and 0.29).
VARIANTS = {
    "mobilenet_v2_adv": ("Adv. Trained",
                         "MobileNetV2 fine-tuned here with L2 PGD on renders + photos (see model card)",
                         "3.1 % robust (L2 PGD 0.5)"),
    "mobilenet_v2_stylized": ("Stylized",
                              "MobileNetV2 fine-tuned here on texture-swapped renders + photos "
                              "(see model card)",
                              "0 % robust (L2 PGD 0.5), shape bias 0.44"),
}


def final_path(name: str) -> Path:
    return WEIGHTS_DIR / f"{name}.safetensors"


def checkpoint_paths(name: str) -> dict[int, Path]:
    """Iteration -> file: 1 = the standard weights, then the bundled and user checkpoints."""
    if not final_path(name).is_file():
        return {}
    found = {}
    standard = mobilenet.weights_path()
    if standard is not None and standard.is_file():
        found[1] = standard
    found.update(iteration_files(name, WEIGHTS_DIR))
    found.update(iteration_files(name))
    return found


ENTRIES = {name: register(entry_for(mobilenet.ARCH, name, lambda n=name: final_path(n),
                                    training=training,
                                    checkpoint_paths=lambda n=name: checkpoint_paths(n),
                                    description=description, robustness=robustness))
           for name, (training, description, robustness) in VARIANTS.items()}
