"""Where a frame that runs far too long is stuck: every thread's Python stack, taken then.

``with watch.frame(t): app.step()`` arms faulthandler's watchdog for ``limit_s``. The
watchdog is a thread of faulthandler's own that needs no GIL, so it writes the stacks
even when the main thread is stuck in native code (a driver, a lock, a wait); a frame
that ends in time cancels it. A frame that took ``limit_s`` or longer is kept in
``stalls``: when it started (``t``), how long it took and the stacks (the newest
``STACK_CHARS`` of them).
"""
from __future__ import annotations

import faulthandler
import tempfile
import time
from contextlib import contextmanager

STACK_CHARS = 6000


class StallWatch:
    def __init__(self, limit_s: float = 5.0):
        if not limit_s > 0:
            raise ValueError(f"limit_s must be > 0, got {limit_s}")
        self.limit_s = limit_s
        self.stalls: list[dict] = []
        self._file = tempfile.TemporaryFile("w+")

    @contextmanager
    def frame(self, t: float):
        faulthandler.dump_traceback_later(self.limit_s, repeat=False, file=self._file)
        start = time.perf_counter()
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
            seconds = time.perf_counter() - start
            if seconds >= self.limit_s:
                self.stalls.append({"t": round(t, 2), "frame_s": round(seconds, 2),
                                    "stacks": self._take()[-STACK_CHARS:]})
            elif self._file.tell():  # it fired as the frame ended: nothing to keep
                self._take()

    def _take(self) -> str:
        self._file.flush()
        self._file.seek(0)
        text = self._file.read()
        self._file.seek(0)
        self._file.truncate()
        return text

    def close(self) -> None:
        faulthandler.cancel_dump_traceback_later()
        self._file.close()
