"""Giving freed memory back to the system (glibc; elsewhere these do nothing).

torch work on background threads (neuron groups, worker-mode inference, feature
visualisation hand-offs, the edit tool) leaves glibc's per-thread malloc arenas holding
the freed activations: four MobileNetV2 forward+backward passes of 32 images, each on a
fresh thread, took a process from 747 to 2,964 MiB, and ``malloc_trim(0)`` brought it
back to 802 MiB. A 60-minute kiosk soak grew from 961 to 4,250 MiB in such steps. The
app therefore caps the number of arenas at start-up and trims periodically.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
import time

from game.core.stages import Stage

M_ARENA_MAX = -8  # mallopt parameter (glibc malloc.h)
_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = False
        if sys.platform.startswith("linux"):
            try:
                lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                if hasattr(lib, "malloc_trim") and hasattr(lib, "mallopt"):
                    _LIBC = lib
            except OSError:
                pass
    return _LIBC or None


def limit_arenas(n: int = 2) -> bool:
    """At most ``n`` malloc arenas for threads made from now on. True if applied."""
    lib = _libc()
    return bool(lib and lib.mallopt(M_ARENA_MAX, int(n)))


def trim() -> float | None:
    """Return free heap memory to the system; the seconds it took (None: not glibc)."""
    lib = _libc()
    if not lib:
        return None
    start = time.perf_counter()
    lib.malloc_trim(0)
    return time.perf_counter() - start


class Trimmer:
    """A Panda3D task that trims every ``period`` seconds."""

    TASK = "perturber-trim"

    def __init__(self, task_mgr, period: float = 20.0):
        self.task_mgr, self.period = task_mgr, period
        self.trims, self.last_s = 0, 0.0
        if _libc():
            task_mgr.doMethodLater(period, self._task, self.TASK, sort=Stage.TRIM)

    def _task(self, task):
        took = trim()
        if took is not None:
            self.trims += 1
            self.last_s = took
        return task.again

    def destroy(self) -> None:
        self.task_mgr.remove(self.TASK)
