"""Feature and class visualisations for the app: looked up in the disk cache, made on demand.

The views ask by (model name, checkpoint, layer, channel); the service knows which
weights that is through the model slots. Requests are made one at a time on a
background thread (a visualisation takes seconds on a CPU), newest first, so the
window never waits; ``ready()`` tells the main loop when a new image landed.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import numpy as np

from game.model_slots import ModelSlots
from nets.featvis import CacheKey, FeatureVisCache, FeatureVisJob, available

log = logging.getLogger(__name__)

SIZE = 128
STEPS = 256
LOGIT = "logit"


class FeatureVisService:
    def __init__(self, slots: ModelSlots, cache: FeatureVisCache | None = None,
                 on_error: Callable[[str], None] | None = None, size: int = SIZE,
                 steps: int = STEPS, naive: Callable[[], bool] = lambda: False):
        self.slots = slots
        self.cache = cache or FeatureVisCache()
        self.on_error = on_error or (lambda msg: log.warning("%s", msg))
        self.size, self.steps, self.naive = size, steps, naive
        self.progress: dict[CacheKey, float] = {}   # requested and not finished
        self._memory: dict[CacheKey, np.ndarray] = {}
        self._queue: list[tuple[CacheKey, object]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._ready = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._copies: dict[str, object] = {}
        self.paused = False  # requests are ignored (benchmarks measure without them)

    # -- lookups (main thread) -----------------------------------------------------------
    def channel(self, model: str, checkpoint: int, layer: str, channel: int) -> np.ndarray | None:
        return self._get(self._key(model, checkpoint, layer, channel))

    def class_image(self, model: str, checkpoint: int, index: int) -> np.ndarray | None:
        return self._get(self._key(model, checkpoint, LOGIT, index))

    # -- requests -------------------------------------------------------------------------
    def request_channel(self, model: str, checkpoint: int, layer: str, channel: int) -> None:
        self._request(model, checkpoint, layer, channel)

    def request_class(self, model: str, checkpoint: int, index: int) -> None:
        self._request(model, checkpoint, LOGIT, index)

    def ready(self) -> bool:
        """True once after one or more requested images were finished."""
        if self._ready.is_set():
            self._ready.clear()
            return True
        return False

    # -- internals --------------------------------------------------------------------------
    def _loaded(self, model: str, checkpoint: int):
        return next((m for m in self.slots.loaded.values() if m is not None
                     and m.name == model and m.checkpoint == checkpoint), None)

    def _key(self, model: str, checkpoint: int, layer: str, channel: int) -> CacheKey | None:
        loaded = self._loaded(model, checkpoint)
        if loaded is None:
            return None
        return CacheKey(loaded.key, layer, int(channel), self.naive(), self.size, self.steps)

    def _get(self, key: CacheKey | None) -> np.ndarray | None:
        if key is None:
            return None
        if key not in self._memory:
            image = self.cache.get(key)
            if image is None:
                return None
            self._memory[key] = image
        return self._memory[key]

    def _request(self, model: str, checkpoint: int, layer: str, channel: int) -> None:
        key = self._key(model, checkpoint, layer, channel)
        loaded = self._loaded(model, checkpoint)
        if self.paused or key is None or key in self.progress or self._get(key) is not None:
            return
        if not available():
            self.on_error("feature visualisation needs torch-lucent: bash scripts/dev.sh install")
            return
        with self._lock:
            self.progress[key] = 0.0
            self._queue.append((key, loaded))
        self._wake.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="feature-vis", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(0.2)
            with self._lock:
                item = self._queue.pop() if self._queue else None  # newest first
                if not self._queue:
                    self._wake.clear()
            if item is None:
                continue
            key, loaded = item
            try:
                job = FeatureVisJob(self._own_copy(loaded), key.objective, size=key.size, steps=key.steps,
                                    naive=key.naive, seed=key.seed)
                while not job.finished and not self._stop:
                    self.progress[key] = job.step(8)
                if self._stop:
                    return
                image = job.image()
                self.cache.put(key, image, job.settings())
                self._memory[key] = image
            except Exception as exc:  # a failed picture must not take the app down
                self.on_error(f"feature visualisation {key.model} {key.objective}: {exc}")
            finally:
                self.progress.pop(key, None)
            self._ready.set()

    def _own_copy(self, loaded):
        """This thread's copy of a model: hooks are per module, not per thread, so
        optimising through the model the inference engine runs would mix the two."""
        import copy

        if self._copies.get(loaded.key) is None:
            self._copies = {loaded.key: copy.deepcopy(loaded.model)}  # keep one
        return self._copies[loaded.key]

    def wait(self, timeout: float = 300.0) -> None:
        """Block until every request is done (tests, CLI)."""
        import time

        end = time.monotonic() + timeout
        while self.progress and time.monotonic() < end:
            time.sleep(0.05)

    def destroy(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5.0)
