"""The three model slots (Model 1, Model 2, Edited Model) kept in step with the parameters.

``model1`` / ``model2`` name registry entries and ``model1_checkpoint`` /
``model2_checkpoint`` pick a training iteration; a slot is loaded when it is enabled
and its choice changed. A file that does not load is reported through ``on_error``
and the parameter goes back to what the slot still holds, like a bad 3D file does.
The Edited Model is set from outside (weight editing builds it).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from game.core.params import ParamError, ParamState
from game.core.results import SLOTS

log = logging.getLogger(__name__)

LOADABLE = ("model1", "model2")
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


@dataclass(frozen=True)
class Choice:
    """What a slot's menu shows for one registry entry."""
    name: str
    title: str
    available: bool
    checkpoints: tuple[int, ...]


def registry_choices() -> list[Choice]:
    from nets import registry

    out = []
    for entry in registry.entries():
        ok = entry.available()
        out.append(Choice(entry.name, entry.title, ok, tuple(entry.checkpoints()) if ok else ()))
    return out


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
                 on_change: Callable[[str], None] | None = None):
        self.params = params
        self.loader = loader
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

    # -- the Edited Model ---------------------------------------------------------------
    def set_edited(self, model, title: str = "Edited Model", key: str = "edited") -> None:
        self.loaded["edited"] = None if model is None else LoadedModel(
            "edited", "edited", 0, model, title, key)
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
        start = time.perf_counter()
        try:
            model, title, key = self.loader(name, checkpoint)
        except Exception as exc:  # any broken file or entry: report it, keep the app
            message = f"{slot}: could not load {name!r} (checkpoint {checkpoint}): {exc}"
            self.errors[slot] = message
            self.on_error(message)
            if not initial:
                self._revert(slot, current)
            return
        self.errors.pop(slot, None)
        self.loaded[slot] = LoadedModel(slot, name, checkpoint, model, title, key,
                                        time.perf_counter() - start)
        log.info("%s: loaded %s in %.2f s", slot, title, self.loaded[slot].load_s)
        self._bump(slot)

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
