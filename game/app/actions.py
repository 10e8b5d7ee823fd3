"""Named user actions (e.g. "attack.step"): buttons, gamepad, keyboard and the replayer
all run them by name, so the recorder hears each one."""
from __future__ import annotations

from typing import Callable

from game.core.signals import Signal


class Actions(dict):
    """name -> fn(). ``do(name)`` runs one; ``done`` tells fn(name) about it first."""

    def __init__(self, on_unknown: Callable[[str], None]):
        super().__init__()
        self.on_unknown = on_unknown
        self.done = Signal()

    def add(self, name: str, fn: Callable[[], object]) -> None:
        self[name] = fn

    def do(self, name: str):
        """Run the named action; an unknown name is reported, never raised."""
        fn = self.get(name)
        if fn is None:
            self.on_unknown(f"unknown action {name!r}")
            return None
        self.done.emit(name)
        return fn()
