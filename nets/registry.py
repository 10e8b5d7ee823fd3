"""Model entries by name: ``names()``, ``get(name)``, ``load(name)``, ``available(name)``.

Each entry knows how to build its network with weights (as a ``Classifier``), whether
its weights are on this machine, and its tappable layers. Families live in
``nets/models/`` and register themselves here when imported.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .classifier import Classifier, Layer


@dataclass(frozen=True)
class ModelEntry:
    name: str
    title: str
    layers: tuple[Layer, ...]
    weights_path: Callable[[], Path | None]   # None: not on this machine
    build: Callable[[Path], Classifier]       # weights file -> ready Classifier

    def available(self) -> bool:
        path = self.weights_path()
        return path is not None and path.is_file()

    def load(self) -> Classifier:
        path = self.weights_path()
        if path is None or not path.is_file():
            raise FileNotFoundError(f"weights for {self.name} are not on this machine")
        return self.build(path)


_ENTRIES: dict[str, ModelEntry] = {}


def register(entry: ModelEntry) -> ModelEntry:
    if entry.name in _ENTRIES:
        raise ValueError(f"model {entry.name!r} is already registered")
    _ENTRIES[entry.name] = entry
    return entry


def names() -> list[str]:
    return list(_ENTRIES)


def get(name: str) -> ModelEntry:
    try:
        return _ENTRIES[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {names()}") from None


def available(name: str) -> bool:
    return get(name).available()


def load(name: str) -> Classifier:
    return get(name).load()


# Families register on import (kept at the bottom: they import ModelEntry and register).
from .models import mobilenet  # noqa: E402,F401
