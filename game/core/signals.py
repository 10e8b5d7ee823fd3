"""A signal: one kind of event, heard by the callbacks connected to it, in that order."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator


class Signal:
    """``connect(fn)`` returns the function that disconnects ``fn`` again; ``emit(*args)``
    calls every connected callback except those blocked by ``with signal.blocked(fn):``."""

    def __init__(self):
        self._callbacks: list[Callable] = []
        self._blocked: list[Callable] = []

    def connect(self, fn: Callable) -> Callable[[], None]:
        self._callbacks.append(fn)
        return lambda: self.disconnect(fn)

    def disconnect(self, fn: Callable) -> None:
        if fn in self._callbacks:
            self._callbacks.remove(fn)

    @contextmanager
    def blocked(self, fn: Callable) -> Iterator[None]:
        """``fn`` hears nothing emitted inside the block."""
        self._blocked.append(fn)
        try:
            yield
        finally:
            self._blocked.remove(fn)

    def emit(self, *args) -> None:
        self.emit_while(lambda: True, *args)

    def emit_while(self, current: Callable[[], bool], *args) -> None:
        """``emit``, stopping as soon as ``current()`` is False: a callback made what is
        being told out of date (and told the newer news itself)."""
        for fn in list(self._callbacks):
            if not current():
                return
            if fn not in self._blocked:
                fn(*args)
