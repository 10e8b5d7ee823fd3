"""Neuron groups for any model: the channels most relevant to dog, cat, fire truck, race car.

Relevance is activation x gradient (``nets.groups``) on renders of our own objects:
the dog and cat ends of the dog/cat pair, the fire truck and race car ends of the
truck/car pair, each from 8 views. The renders do not depend on the model, so they
are made once (``python -m game.tools.featvis.groups``, headless, in a subprocess when the
app asks) and kept in ``cache/neuron-groups/``; the groups of each model's weights
are computed on a background thread and cached there as JSON.
"""
from __future__ import annotations

import copy
import json
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

import numpy as np
from game.core import paths
from game.core.outputs import atomic, atomic_path

log = logging.getLogger(__name__)

RENDER_VERSION = 1  # bump when the renders below change
GROUP_SCENES = {    # group -> (object pair, overall_morph)
    "dog": ("dog_cat", 0.0),
    "cat": ("dog_cat", 1.0),
    "fire_truck": ("truck_car", 0.0),
    "race_car": ("truck_car", 1.0),
}
VIEWS = [(dy, p) for p in (-12.0, -28.0) for dy in (-50.0, -15.0, 20.0, 55.0)]  # (yaw offset, pitch)
TOP_K = 8


def cache_dir() -> Path:
    return paths.cache_dir("neuron-groups")


def images_path() -> Path:
    return cache_dir() / f"renders-v{RENDER_VERSION}.npz"


def render_group_images(out: Path | None = None) -> Path:
    """Render every group's object from every view (headless) into an .npz of uint8 images."""
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState

    out = out or images_path()
    params = ParamState()
    images: dict[str, list[np.ndarray]] = {g: [] for g in GROUP_SCENES}
    with headless_pipeline(params) as (_base, pipeline, controller):
        for group, (obj, morph) in GROUP_SCENES.items():
            params.set("object", obj)
            controller.use_preferred_camera()
            yaw = params["yaw"]
            for dy, pitch in VIEWS:
                params.update({"overall_morph": morph, "yaw": (yaw + dy + 180) % 360 - 180,
                               "pitch": pitch})
                images[group].append(pipeline.render_now().image)
    with atomic_path(out) as part:  # unique per process: two renderers never collide
        np.savez_compressed(part, **{g: np.stack(v) for g, v in images.items()})
    return out


def load_group_images(path: Path | None = None) -> dict[str, np.ndarray]:
    with np.load(path or images_path(), allow_pickle=False) as data:
        return {g: data[g] for g in GROUP_SCENES if g in data.files}


def render_in_child() -> None:
    """Render the group images in another process (in the app, ShowBase owns this one's
    graphics engine)."""
    subprocess.run([sys.executable, "-m", "game.tools.featvis.groups"], check=True,
                   capture_output=True, timeout=600)


def group_images(render: Callable[[], object] = render_in_child) -> dict[str, np.ndarray]:
    """The cached group renders; missing or unreadable ones are rendered again by ``render``."""
    if images_path().is_file():
        try:
            return load_group_images()
        except (OSError, ValueError, EOFError, KeyError) as exc:
            log.warning("re-rendering the unreadable neuron-group images %s (%s)", images_path(), exc)
    render()
    return load_group_images()


def groups_path(key: str, root: Path | None = None) -> Path:
    """The cache file of a model's groups (``key``: its weights key)."""
    safe = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in key)
    return (root or cache_dir()) / f"{safe}.json"


def read_cached_groups(path: Path) -> dict | None:
    """The cached groups, or None when absent or unreadable (then they are recomputed)."""
    if not path.is_file():
        return None
    try:
        groups = json.loads(path.read_text())
    except (OSError, ValueError):
        groups = None
    if not isinstance(groups, dict):
        log.warning("ignoring a broken neuron-group cache %s", path)
        return None
    return groups


def save_groups(path: Path, groups: dict) -> None:
    """Cache ``groups``; a cache that cannot be written is reported, never fatal."""
    try:
        with atomic(path) as f:
            f.write(json.dumps(groups))
    except OSError as exc:
        log.warning("could not cache neuron groups in %s: %s", path, exc)


def compute_groups(model, images: dict[str, np.ndarray], k: int = TOP_K) -> dict:
    """{layer: {group: [channels best first]}} for every tappable layer of ``model``."""
    import torch

    from nets.groups import CLASS_SETS, class_groups

    tensors = {g: torch.from_numpy(a).permute(0, 3, 1, 2).float() / 255.0 for g, a in images.items()}
    layers = [layer.name for layer in model.layers]
    return class_groups(model, layers, tensors, {g: CLASS_SETS[g] for g in tensors}, k=k)


class GroupSource:
    """``lookup(loaded, layer)`` for the inference engine; computes what is missing in the
    background and calls ``on_ready()`` (from that thread) when a model's groups arrive."""

    def __init__(self, on_ready: Callable[[], None] | None = None,
                 on_error: Callable[[str], None] | None = None, root: Path | None = None):
        self.on_ready = on_ready
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self.root = root or cache_dir()
        self._groups: dict[str, dict] = {}
        self._started: set[str] = set()
        self._lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def lookup(self, loaded, layer: str) -> dict[str, tuple[int, ...]]:
        groups = self._groups.get(loaded.key)
        if groups is None:
            self._start(loaded)  # reads the disk cache at once, else computes in the background
            groups = self._groups.get(loaded.key)
            if groups is None:
                return {}
        return {g: tuple(ch) for g, ch in groups.get(layer, {}).items()}

    def _start(self, loaded) -> None:
        if loaded.key.startswith("edited-"):
            # Every slider move makes a new Edited Model: its view falls back to the most
            # active channels rather than starting seconds of work per edit.
            return
        with self._lock:
            if loaded.key in self._started:
                return
            self._started.add(loaded.key)
        path = groups_path(loaded.key, self.root)
        groups = read_cached_groups(path)
        if groups is not None:
            self._groups[loaded.key] = groups
            return
        thread = threading.Thread(target=self._compute, args=(loaded, path), daemon=True,
                                  name=f"neuron-groups {loaded.key}")
        self.threads.append(thread)
        thread.start()

    def _compute(self, loaded, path: Path) -> None:
        try:
            images = group_images()
            # Its own copy: hooks are per module, not per thread, so tapping the model the
            # inference engine is running would mix the two threads' activations.
            groups = compute_groups(copy.deepcopy(loaded.model), images)
        except Exception as exc:  # groups are a help, never a reason to stop
            self.on_error(f"neuron groups for {loaded.title}: {exc}")
            return
        save_groups(path, groups)
        self._groups[loaded.key] = groups
        if self.on_ready:
            self.on_ready()

    def wait(self, timeout: float = 120.0) -> None:
        for thread in list(self.threads):
            thread.join(timeout)

    def destroy(self) -> None:
        """Let running computations finish: torch threads killed at exit abort the process."""
        self.on_ready = None
        self.wait(60.0)


if __name__ == "__main__":
    from game.core.torch_first import import_torch_first

    import_torch_first()
    print(render_group_images())
