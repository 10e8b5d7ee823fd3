"""Model entries by name: ``names()``, ``get(name)``, ``load(name)``, ``available(name)``.

Two registries:

- ``Arch``: an architecture the app can put weights into (how to build it, its
  tappable layers, its input normalisation, how to rename keys of its usual files).
- ``ModelEntry``: a named model = an architecture + where its weights are + how it was
  trained ("Standard", "Adv. Trained", "Stylized"...). Entries are cheap: building one
  never builds a network or reads a file; ``available()`` only looks for the file.

Families live in ``nets/models/`` and register themselves when imported (bottom of
this file): the bundled models first (their weights ship in installed packages), then
those whose weights a user may have on disk. ``register_user_checkpoint`` adds an entry
for any weights file of a known architecture (the CLI calls it).
"""
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

import torch
from torch import nn

from .classifier import Classifier, Layer
from .download import WeightsSource
from .loading import ModelLoadError, load_checkpoint, load_into
from .models.files import file_id, iteration_files

DEFAULT_DEPTH = 0.7  # where an entry's default layer sits when none is named


def _at_depth(layers, fraction: float) -> Layer:
    return layers[round(fraction * (len(layers) - 1))]


def _keep(sd: dict) -> dict:
    return sd


@dataclass(frozen=True)
class Arch:
    """An architecture: ``make()`` builds it without weights, ``build()`` fills them in.

    ``fix_keys`` renames the keys of the usual weights files of this architecture to the
    module's own (e.g. dropping GoogLeNet's auxiliary heads); ``labels`` overrides the
    ImageNet-1k class names for networks with other outputs. ``meta_init`` skips the
    random initialisation (seconds for VGG) for networks whose every tensor is in the file.
    """
    name: str
    display: str
    layers: tuple[Layer, ...]
    default_layer: str
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    make: Callable[[], nn.Module]
    fix_keys: Callable[[dict], dict] = _keep
    labels: tuple[str, ...] | None = None
    meta_init: bool = False   # build on the meta device and take the file's tensors as they are

    def build(self, path, name: str | None = None) -> Classifier:
        """A ready ``Classifier`` from the weights file ``path`` (plain or wrapped checkpoint)."""
        state_dict = self.fix_keys(load_checkpoint(path))
        if self.meta_init:
            with torch.device("meta"):
                net = self.make()
        else:
            net = self.make()
        load_into(net, state_dict, source=path, assign=self.meta_init)
        return Classifier(name or self.name, net, self.mean, self.std, self.layers,
                          labels=self.labels)


@dataclass(frozen=True)
class ModelEntry:
    """A named model. ``weights_path()`` is its final weights file (None: not here).

    ``checkpoint_paths()`` gives intermediate training checkpoints (iteration -> file);
    by default the files ``NAME_iter<N>.<ext>`` in the user weights folder. Checkpoint
    0 always means the final weights. ``source``: where its weights were published
    (``nets.download``), for entries whose weights no installed package ships.
    ``robustness``: a measured robustness figure, one line (empty: none measured).
    """
    name: str
    title: str
    layers: tuple[Layer, ...]
    weights_path: Callable[[], Path | None]
    build: Callable[[Path], Classifier]
    arch: str = ""                      # default: the entry's name
    training: str = "Standard"
    default_layer: str = ""             # default: the layer at ~70 % depth
    checkpoint_paths: Callable[[], dict[int, Path]] | None = field(default=None, repr=False)
    description: str = ""
    source: WeightsSource | None = field(default=None, repr=False)
    robustness: str = ""

    def __post_init__(self):
        if not self.arch:
            object.__setattr__(self, "arch", self.name)
        if self.layers and not self.default_layer:
            object.__setattr__(self, "default_layer", _at_depth(self.layers, DEFAULT_DEPTH).name)
        if self.layers and self.default_layer not in {l.name for l in self.layers}:
            raise ValueError(f"{self.name}: default layer {self.default_layer!r} is not tappable")

    def _paths(self) -> dict[int, Path]:
        found = {}
        final = self.weights_path()
        if final is not None and final.is_file():
            found[0] = final
        extra = self.checkpoint_paths() if self.checkpoint_paths else iteration_files(self.name)
        found.update({i: p for i, p in extra.items() if i > 0 and p.is_file()})
        return found

    def available(self) -> bool:
        return bool(self._paths())

    def checkpoints(self) -> list[int]:
        """Training iterations with weights on this machine, sorted; 0 = final weights."""
        return sorted(self._paths())

    def path(self, checkpoint: int = 0) -> Path:
        """The weights file of ``checkpoint``; FileNotFoundError / ValueError if absent."""
        paths = self._paths()
        if not paths:
            raise FileNotFoundError(f"weights for {self.name} are not on this machine")
        if checkpoint not in paths:
            raise ValueError(f"{self.name} has no checkpoint {checkpoint}; "
                             f"available: {sorted(paths)} (0 = final weights)")
        return paths[checkpoint]

    def load(self, checkpoint: int = 0) -> Classifier:
        return self.build(self.path(checkpoint))

    def weights_id(self, checkpoint: int = 0) -> str:
        """Short hex id (sha256 prefix) of the weights file, for caches keyed by weights."""
        return file_id(self.path(checkpoint))

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"{self.name} has no tappable layer {name!r}; "
                       f"it has {[l.name for l in self.layers]}")


_ENTRIES: dict[str, ModelEntry] = {}
_ARCHS: dict[str, Arch] = {}


def register(entry: ModelEntry) -> ModelEntry:
    if entry.name in _ENTRIES:
        raise ValueError(f"model {entry.name!r} is already registered")
    _ENTRIES[entry.name] = entry
    return entry


def unregister(name: str) -> None:
    """Forget the entry ``name`` (a user checkpoint the user removed; tests)."""
    _ENTRIES.pop(name, None)


def register_arch(arch: Arch) -> Arch:
    if arch.name in _ARCHS:
        raise ValueError(f"architecture {arch.name!r} is already registered")
    _ARCHS[arch.name] = arch
    return arch


def get_arch(name: str) -> Arch:
    try:
        return _ARCHS[name]
    except KeyError:
        raise KeyError(f"unknown architecture {name!r}; known: {arch_names()}") from None


def arch_names() -> list[str]:
    return list(_ARCHS)


def entry_for(arch_: Arch, name: str, weights_path: Callable[[], Path | None],
              training: str = "Standard", **kw) -> ModelEntry:
    """A ``ModelEntry`` for weights of the architecture ``arch_``."""
    title = kw.pop("title", None) or f"{arch_.display} · {training}"
    return ModelEntry(name, title, arch_.layers, weights_path,
                      partial(arch_.build, name=name), arch=arch_.name, training=training,
                      default_layer=kw.pop("default_layer", arch_.default_layer), **kw)


def names() -> list[str]:
    return list(_ENTRIES)


def entries() -> list[ModelEntry]:
    return list(_ENTRIES.values())


def get(name: str) -> ModelEntry:
    try:
        return _ENTRIES[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {names()}") from None


def available(name: str) -> bool:
    return get(name).available()


def load(name: str, checkpoint: int = 0) -> Classifier:
    return get(name).load(checkpoint)


def corresponding_layer(name: str, layers: Sequence[Layer],
                        reference: Sequence[Layer] = ()) -> str | None:
    """The layer of ``layers`` to tap when ``name``, a layer of ``reference``, is asked for.

    ``reference`` is the tappable layers of the model ``name`` was chosen on (in the app,
    Model 1). Another network (other layer names, or the same names in another number)
    gets its layer at the same relative depth (first = 0, last = 1): names such as
    "block13" mean different depths in different networks. The same network, or a
    ``name`` that ``reference`` lacks but ``layers`` has, gets ``name``. A ``name`` of
    neither gets the layer at ``DEFAULT_DEPTH``. None: ``layers`` is empty.
    """
    names = [l.name for l in layers]
    if not names:
        return None
    ref = [l.name for l in reference]
    if name in ref and ref != names:
        return _at_depth(layers, ref.index(name) / max(len(ref) - 1, 1)).name
    if name in names:
        return name
    return _at_depth(layers, DEFAULT_DEPTH).name


def _user_name(path: Path) -> str:
    stem = path.name.split(".")[0]
    return re.sub(r"\W+", "_", stem).strip("_").lower() or "user_model"


def register_user_checkpoint(path, arch: str, name: str | None = None,
                             training: str = "Custom",
                             checkpoints: dict[int, object] | None = None) -> ModelEntry:
    """Register the weights file ``path`` (plain or wrapped checkpoint) of architecture ``arch``.

    ``name`` defaults to the file's stem, with ``_2``, ``_3``... appended while that
    name belongs to another model (``mobilenet_v2_adv.safetensors`` from a training run
    becomes ``mobilenet_v2_adv_2`` beside the bundled ``mobilenet_v2_adv``); a ``name``
    given that belongs to another model is refused. Registering the same file again
    returns the existing entry. ``checkpoints`` maps training iterations (> 0) to more
    files of the same run. Nothing is read until the entry is loaded.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such file")
    spec = get_arch(arch)

    def holds_this(n: str) -> bool:
        existing = _ENTRIES[n]
        return existing.weights_path() == path and existing.arch == spec.name

    if not name:
        stem = name = _user_name(path)
        n = 1
        while name in _ENTRIES and not holds_this(name):
            n += 1
            name = f"{stem}_{n}"
    if name in _ENTRIES:
        if holds_this(name):
            return _ENTRIES[name]
        raise ValueError(f"model {name!r} is already registered (for another file); pass name=")
    extra = {int(i): Path(p).expanduser().resolve() for i, p in (checkpoints or {}).items()}
    return register(entry_for(spec, name, lambda: path, training=training,
                              checkpoint_paths=(lambda: dict(extra)) if checkpoints else None,
                              description=str(path)))


# Families register on import (kept at the bottom: they import from this module).
from .models import mobilenet, efficientnet  # noqa: E402,F401  bundled weights
from .models import variants  # noqa: E402,F401  our robust MobileNetV2 variants
from .models import inceptionv1, torchvision_nets, robust  # noqa: E402,F401  user's weights
