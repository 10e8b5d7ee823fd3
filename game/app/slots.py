"""The three model slots (Model 1, Model 2, Edited Model) kept in step with the parameters.

``model1`` / ``model2`` name registry entries and ``model1_checkpoint`` /
``model2_checkpoint`` pick a training iteration; a slot is loaded when it is enabled
and its choice changed. A file that does not load is reported through ``on_error``
(and ``on_change``, so the slot's view shows it) and the parameter goes back to what
the slot still holds, like a bad 3D file does.
The Edited Model is set from outside (weight editing builds it).

Each loaded model carries the backend of the live forward pass (``backend``: torch,
onnx or auto, see ``nets.backends``). With ``background_exports`` (the interactive
app), "auto" never waits for a missing ONNX graph: the slot runs on torch while a child
process exports it, and ``poll()`` (once a frame) moves it to onnx when the graph is
there; the slot's ``notes`` say so meanwhile. Without it (scripts, screenshots,
benchmarks) the export happens in the load. The Edited Model runs on torch: its
weights change with every edit, and a new ONNX export takes ~1-4 s here.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Callable

from game.core.params import ParamError, ParamState
from game.core.results import SLOTS

log = logging.getLogger(__name__)

LOADABLE = ("model1", "model2")
WAITING_NOTE = "on torch until its ONNX graph is exported"
WATCHED = {f"{s}{suffix}" for s in LOADABLE for suffix in ("", "_checkpoint", "_enabled")} | {
    "edited_enabled"}


@dataclass(frozen=True)
class LoadedModel:
    slot: str
    name: str           # registry name (or "edited")
    checkpoint: int     # training iteration, 0 = final weights
    model: object       # a nets.classifier.Classifier
    title: str
    key: str            # stable id of these weights, for on-disk caches
    load_s: float = 0.0
    backend: object = None  # a nets.backends.Backend for the live pass; None: torch

    def __post_init__(self):
        if self.backend is None:
            from nets.backends import TorchBackend

            object.__setattr__(self, "backend", TorchBackend(self.model))


@dataclass(frozen=True)
class Choice:
    """What a slot's menu shows for one registry entry."""
    name: str
    title: str
    available: bool
    checkpoints: tuple[int, ...]
    note: str = ""  # how robust it measured, shown under the slot while it is picked


def registry_choices() -> list[Choice]:
    """Every registry entry; the note says how robust it measured, where it was measured."""
    from nets import registry

    out = []
    for entry in registry.entries():
        ok = entry.available()
        out.append(Choice(entry.name, entry.title, ok, tuple(entry.checkpoints()) if ok else (),
                          entry.robustness))
    return out


def model_arch(slots: "ModelSlots", model: str) -> str:
    """The registry architecture of ``model``, a slot output's model name (the Edited
    Model is made from Model 1: Model 1's); "" when unknown."""
    from nets import registry

    if model == "edited":
        first = slots.loaded.get("model1")
        model = first.name if first is not None else ""
    try:
        return registry.get(model).arch
    except KeyError:
        return ""


def registry_loader(name: str, checkpoint: int):
    """(Classifier, title, weights key) from the model registry."""
    from nets import registry

    entry = registry.get(name)
    model = entry.load(checkpoint)
    key = f"{name}@{entry.weights_id(checkpoint)}"
    return model, entry.title, key


class ModelSlots:
    def __init__(self, params: ParamState, loader: Callable = registry_loader,
                 on_error: Callable[[str], None] | None = None,
                 on_change: Callable[[str], None] | None = None, backend: str = "torch",
                 background_exports: bool = False):
        self.params = params
        self.loader = loader
        self.backend = backend    # for the registry models; the app passes its --backend
        self.background_exports = background_exports
        self.live: dict[str, object] = {}   # slot -> its nets.backends.LiveBackend
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self.on_change = on_change
        self.loaded: dict[str, LoadedModel | None] = {s: None for s in SLOTS}
        self.errors: dict[str, str] = {}
        self.version = 0          # bumped whenever what ``enabled()`` returns changes
        self._reverting = False
        self._unsubscribe = params.watch(WATCHED, self._changed)
        for slot in LOADABLE:
            self._sync(slot, initial=True)

    # -- reading ----------------------------------------------------------------------
    def enabled(self) -> list[LoadedModel]:
        """Loaded models of the enabled slots, in slot order."""
        return [m for s in SLOTS if (m := self.loaded[s]) is not None
                and self.params.flag(f"{s}_enabled")]

    def set_backend(self, name: str) -> None:
        """Run the loaded registry models on the backend ``name`` from now on."""
        self.backend = name
        for slot in LOADABLE:
            if (m := self.loaded[slot]) is not None:
                self.loaded[slot] = replace(m, backend=self._start_backend(slot, m.model))
                self._bump(slot)

    @property
    def notes(self) -> dict[str, str]:
        """Slot -> what it runs on while its ONNX graph is exported."""
        return {slot: WAITING_NOTE for slot in self.live}

    def poll(self) -> None:
        """Move each slot whose ONNX graph a child process has just written onto it.

        The numbers stay within the backends' tolerance, so nothing is re-inferred:
        the next inference runs on the new backend.
        """
        for slot, live in list(self.live.items()):
            backend = live.poll()
            if live.pending:
                continue
            del self.live[slot]
            if backend is None:
                log.warning("%s: %s stays on torch (%s)", slot, live.model.name, live.failure)
            elif (m := self.loaded[slot]) is not None and m.model is live.model:
                self.loaded[slot] = replace(m, backend=backend)
                if (e := self.loaded["edited"]) is not None and e.model is live.model:
                    self.loaded["edited"] = replace(e, backend=backend)
            if self.on_change:
                self.on_change(slot)

    # -- the Edited Model ---------------------------------------------------------------
    def set_edited(self, model, title: str = "Edited Model", key: str = "edited") -> None:
        """``model`` in the Edited slot, on torch; a loaded slot's own model (no edit)
        keeps that slot's backend, so it shows that slot's numbers exactly."""
        same = next((m for s, m in self.loaded.items()
                     if s in LOADABLE and m is not None and m.model is model), None)
        self.loaded["edited"] = None if model is None else LoadedModel(
            "edited", "edited", 0, model, title, key, backend=same and same.backend)
        self._bump("edited")

    # -- internals -------------------------------------------------------------------
    def _changed(self, name: str, _value) -> None:
        if self._reverting:
            return
        slot = name.split("_")[0]
        if slot == "edited":
            self._bump(slot)
        else:
            self._sync(slot)

    def _sync(self, slot: str, initial: bool = False) -> None:
        if not self.params.flag(f"{slot}_enabled"):
            self._bump(slot)  # stays loaded (cheap to re-enable), just not shown
            return
        name, checkpoint = self.params[slot], int(self.params[f"{slot}_checkpoint"])
        current = self.loaded[slot]
        if current is not None and (current.name, current.checkpoint) == (name, checkpoint):
            self._bump(slot)
            return
        from nets.backends import OnnxUnavailable

        start = time.perf_counter()
        try:
            model, title, key = self.loader(name, checkpoint)
            backend = self._start_backend(slot, model)
        except Exception as exc:  # any broken file or entry: report it, keep the app
            # A backend missing here is no fault of the model: that comes first.
            what = ("" if isinstance(exc, OnnxUnavailable)
                    else f"could not load {name!r} (checkpoint {checkpoint}): ")
            message = f"{slot}: {what}{exc}"
            self.errors[slot] = message
            self.on_error(message)
            if not initial:
                self._revert(slot, current)
            if self.on_change:
                self.on_change(slot)  # its view shows the error on the slot's status line
            return
        self.errors.pop(slot, None)
        self.loaded[slot] = LoadedModel(slot, name, checkpoint, model, title, key,
                                        time.perf_counter() - start, backend)
        log.info("%s: loaded %s (%s) in %.2f s", slot, title, backend.name,
                 self.loaded[slot].load_s)
        self._bump(slot)

    def _start_backend(self, slot: str, model):
        """The backend ``model`` runs on in ``slot`` from now; an export it waits for is
        kept in ``live``, the one the slot waited for before is stopped."""
        from nets.backends import make_backend, start_backend

        live = start_backend(self.backend, model) if self.background_exports else None
        backend = live.backend if live is not None else make_backend(self.backend, model)
        if (old := self.live.pop(slot, None)) is not None:
            old.release()
        if live is not None and live.pending:
            self.live[slot] = live
        return backend

    def _revert(self, slot: str, current: LoadedModel | None) -> None:
        if current is None:
            return
        self._reverting = True
        try:
            self.params.update({slot: current.name, f"{slot}_checkpoint": current.checkpoint})
        except ParamError:
            pass
        finally:
            self._reverting = False

    def _bump(self, slot: str) -> None:
        self.version += 1
        if self.on_change:
            self.on_change(slot)

    def destroy(self) -> None:
        self._unsubscribe()
        for live in self.live.values():
            live.release(stop=False)  # it may finish while this process lives: a graph cached
        self.live.clear()
