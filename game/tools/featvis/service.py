"""Feature and class visualisations for the app: looked up in the disk cache, made on demand.

The views ask by (model name, checkpoint, layer, channel); the service knows which
weights that is through the model slots, and which parameterisation through ``naive()``
(the ``naive_param`` flag): both are part of the cache key. Requests are made one at a
time on a background thread (a visualisation takes seconds on a CPU), newest first, so
the window never waits; the thread hands the torch work to a worker process (see
``game.tools.featvis.worker``) and publishes its progress and the partially optimised image
every few steps; the main loop reads them (``channel_status``), and ``version``
changes whenever there is something new to show. ``ready()`` tells the main loop
once when images were finished. Every finished job is timed per architecture
(``game.tools.featvis.cost``), so a status says how long making its picture will take
here (``estimate``) before it starts.

Channel requests (the play button, the Feat. Vis. plane: someone asked) go before class
requests (the prediction view asks for every top class it shows, and those change with
every camera move). A request for a key that is queued, being made or finished does
nothing (a queued one moves to the front of its queue). A failure is kept per key (``errors``), shown by the views, and
retried only when asked again explicitly. The Edited Model's weights change with every
edit: its images are kept in memory only, keyed by the model object, never on disk.

``spec_image("block13:42")`` resolves the Feat. Vis. plane's ``<layer>:<channel>`` (or
``logit:<class>``) through Model 1, with messages meant for the user.
"""
from __future__ import annotations

import itertools
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from game.tools.featvis.cost import FILE as COSTS, CostBook
from game.tools.featvis.worker import ProcessRunner, ThreadRunner
from game.app.slots import ModelSlots, model_arch
from nets.featvis import CacheKey, FeatureVisCache, Target, available
from game.core import paths

log = logging.getLogger(__name__)

SIZE = 128
STEPS = 256
LOGIT = "logit"
MEMORY = 64        # finished images kept in memory (192 KiB each; the disk cache holds them all,
                   # and the views show at most ~40 at once)
QUEUED = 32        # queued requests kept per queue; older ones are dropped (asked again if still shown)
ERRORS = 256       # failures remembered (newest)
ABSENT_S = 1.0     # a picture the disk lacked is looked for again after this long (the views
                   # ask every frame; another process, e.g. ``perturber featvis``, may make it)
ABSENT_KEYS = 1024  # such misses remembered at most
EPHEMERAL = "edited"  # the weights key ModelSlots gives an Edited Model without a stable id
INSTALL = "feature visualisation needs torch-lucent: bash scripts/dev.sh install"


def cache_root() -> Path:
    """``$PERTURBER_CACHE/featvis`` when set (tests, CLI), else the repository's cache."""
    return paths.cache_dir("featvis")


@dataclass(frozen=True)
class VisStatus:
    """What a feature-vis slot shows for one key."""
    state: str                          # "done", "queued", "running", "failed" or "missing"
    image: np.ndarray | None = None     # the finished picture ("done")
    progress: float = 0.0               # fraction of the steps made
    preview: np.ndarray | None = None   # the picture so far ("running")
    revision: int = 0                   # changes whenever progress or preview change
    error: str = ""                     # why it failed ("failed")
    steps: int = 0                      # optimisation steps of a job (0: not said)
    estimate: float = 0.0               # seconds a job takes here (0: not said; see .cost)
    shipped: bool = False               # "done": shipped with Perturber, not computed here

    @property
    def busy(self) -> bool:
        return self.state in ("queued", "running")


MISSING = VisStatus("missing")
_SERIALS = itertools.count(1)


@dataclass
class _Pending:
    loaded: object               # the LoadedModel to optimise through
    state: str = "queued"
    progress: float = 0.0
    preview: np.ndarray | None = None
    revision: int = 0


class FeatureVisService:
    def __init__(self, slots: ModelSlots, cache: FeatureVisCache | None = None,
                 on_error: Callable[[str], None] | None = None, size: int = SIZE,
                 steps: int = STEPS, naive: Callable[[], bool] = lambda: False,
                 process: bool = True, threads: int | None = None):
        """``process``: compute in a worker process (see ``game.tools.featvis.worker``), else in
        the service's thread; ``threads``: torch threads for it (default: all cores but
        one for the window, at most 4)."""
        self.slots = slots
        threads = threads or max(1, min(4, (os.cpu_count() or 2) - 1))
        self.runner = ProcessRunner(threads) if process else ThreadRunner(threads)
        self.cache = cache or FeatureVisCache(cache_root())
        self.on_error = on_error or (lambda msg: log.warning("%s", msg))
        self.size, self.steps, self.naive = size, steps, naive
        self.progress: dict[CacheKey, float] = {}   # requested and not finished
        self.errors: dict[CacheKey, str] = {}       # failed, until asked again
        self.version = 0                            # bumped on any progress, result or failure
        self.timings: list[float] = []              # seconds per finished image, oldest first
        self._costs: CostBook | None = None         # see ``costs``
        self.paused = False  # requests are ignored (benchmarks measure without them)
        self._pending: dict[CacheKey, _Pending] = {}
        self._order: list[CacheKey] = []             # queued keys, newest last
        self._later: list[CacheKey] = []             # queued class keys: after _order
        self._memory: OrderedDict[CacheKey, np.ndarray] = OrderedDict()
        self._absent: dict[CacheKey, float] = {}     # key -> when the disk last lacked it
        self._clock = time.monotonic
        self._serials: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._ready = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None

    # -- lookups (main thread) -----------------------------------------------------------
    def channel(self, model: str, checkpoint: int, layer: str, channel: int) -> np.ndarray | None:
        return self._get(self._key(model, checkpoint, layer, channel))

    def class_image(self, model: str, checkpoint: int, index: int) -> np.ndarray | None:
        return self._get(self._key(model, checkpoint, LOGIT, index))

    def channel_status(self, model: str, checkpoint: int, layer: str, channel: int) -> VisStatus:
        return self.status(self._key(model, checkpoint, layer, channel))

    def class_status(self, model: str, checkpoint: int, index: int) -> VisStatus:
        return self.status(self._key(model, checkpoint, LOGIT, index))

    def status(self, key: CacheKey | None) -> VisStatus:
        """What ``key`` is at now; anything not finished says its steps and estimate."""
        if key is None:
            return MISSING
        cost = dict(steps=key.steps, estimate=self.estimate(key))
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:
                return VisStatus(pending.state, None, pending.progress, pending.preview,
                                 pending.revision, **cost)
            error = self.errors.get(key)
        if error is not None:
            return VisStatus("failed", error=error, **cost)
        image = self._get(key)
        if image is None:
            return VisStatus("missing", **cost)
        return VisStatus("done", image, 1.0, steps=key.steps, shipped=self._shipped(key))

    # -- what a job costs -------------------------------------------------------------------
    @property
    def costs(self) -> CostBook:
        """The measured seconds per step, kept beside the pictures (it follows ``cache``)."""
        path = self.cache.root / COSTS
        if self._costs is None or self._costs.path != path:
            self._costs = CostBook(path)
        return self._costs

    def estimate(self, key: CacheKey) -> float:
        """Seconds making ``key`` will take on this machine, from earlier jobs of its
        architecture (a first guess before any, see ``game.tools.featvis.cost``)."""
        return self.costs.estimate(self.arch(key), key.steps)

    def arch(self, key: CacheKey) -> str:
        """The architecture of ``key``'s model (its registry name when unknown)."""
        loaded = self.loaded_of(key)
        return self._arch(loaded.name if loaded is not None else key.model.split("@", 1)[0])

    def _arch(self, name: str) -> str:
        return model_arch(self.slots, name) or name

    def loaded_of(self, key: CacheKey):
        """The LoadedModel whose weights ``key`` names, or None (no slot holds them now)."""
        return next((m for m in self.slots.loaded.values()
                     if m is not None and self._model_id(m) == key.model), None)

    def busy(self) -> list[tuple[CacheKey, VisStatus]]:
        """The queued and running keys, the running one first."""
        with self._lock:
            items = [(k, VisStatus(p.state, None, p.progress, p.preview, p.revision))
                     for k, p in self._pending.items()]
        return sorted(items, key=lambda kv: kv[1].state != "running")

    # -- requests -------------------------------------------------------------------------
    def request_channel(self, model: str, checkpoint: int, layer: str, channel: int,
                        retry: bool = True) -> None:
        self._request(self._key(model, checkpoint, layer, channel), model, checkpoint, retry)

    def request_class(self, model: str, checkpoint: int, index: int, retry: bool = True) -> None:
        self._request(self._key(model, checkpoint, LOGIT, index), model, checkpoint, retry,
                      queue=self._later)

    def ready(self) -> bool:
        """True once after one or more requested images were finished."""
        if self._ready.is_set():
            self._ready.clear()
            return True
        return False

    # -- the Feat. Vis. plane -------------------------------------------------------------
    def spec_key(self, spec: str) -> CacheKey:
        """The key of ``<layer>:<channel>`` / ``logit:<class>`` for Model 1; ValueError
        with a message for the user when the spec, layer or channel is not valid."""
        layer, channel, loaded = self._parse_spec(spec)
        return self._key(loaded.name, loaded.checkpoint, layer, channel)

    def spec_image(self, spec: str) -> np.ndarray | None:
        """The picture for ``spec``; None while it is being made (asked for here, once).

        Raises ValueError for a bad spec, RuntimeError when making it failed.
        """
        layer, channel, loaded = self._parse_spec(spec)
        key = self._key(loaded.name, loaded.checkpoint, layer, channel)
        image = self._get(key)
        if image is not None:
            return image
        if key in self.errors:
            raise RuntimeError(f"making {spec} failed: {self.errors[key]}")
        self._request(key, loaded.name, loaded.checkpoint, retry=False)
        return None

    def _parse_spec(self, spec: str):
        target = Target.parse(spec)  # ValueError naming the form it expects
        layer, channel = target.layer, target.channel
        loaded = self.slots.loaded.get("model1")
        if loaded is None:
            raise ValueError("Model 1 is not loaded: its layers name the visualisations")
        model = loaded.model
        if layer == LOGIT:
            from nets.labels import class_names

            n = len(class_names(model))
            if channel >= n:
                raise ValueError(f"class {channel} is out of range: {loaded.title} has "
                                 f"classes 0..{n - 1}")
            return layer, channel, loaded
        names = [l.name for l in model.layers]
        if layer not in names:
            shown = ", ".join(names) if len(names) <= 12 else ", ".join(names[:6] + ["..."] + names[-3:])
            raise ValueError(f"unknown layer {layer!r}: Model 1 ({loaded.title}) has {shown}")
        n = model.layer(layer).channels
        if channel >= n:
            raise ValueError(f"{layer} of Model 1 has {n} channels (0..{n - 1}); "
                             f"{channel} is out of range")
        return layer, channel, loaded

    # -- internals --------------------------------------------------------------------------
    def _loaded(self, model: str, checkpoint: int):
        return next((m for m in self.slots.loaded.values() if m is not None
                     and m.name == model and m.checkpoint == checkpoint), None)

    def _model_id(self, loaded) -> str:
        """The weights' id; an unnamed Edited Model gets one per model object."""
        if loaded.key != EPHEMERAL:
            return loaded.key
        serial = self._serials.get(loaded.model)
        if serial is None:
            serial = self._serials[loaded.model] = next(_SERIALS)
        return f"{EPHEMERAL}~{serial}"

    def _key(self, model: str, checkpoint: int, layer: str, channel: int) -> CacheKey | None:
        loaded = self._loaded(model, checkpoint)
        if loaded is None:
            return None
        return CacheKey(self._model_id(loaded), layer, int(channel), bool(self.naive()),
                        self.size, self.steps)

    def _get(self, key: CacheKey | None) -> np.ndarray | None:
        if key is None:
            return None
        with self._lock:
            image = self._memory.get(key)
            if image is not None:
                self._memory.move_to_end(key)
                return image
        if _ephemeral(key):
            return None
        now = self._clock()
        with self._lock:
            looked = self._absent.get(key)
        if looked is not None and now - looked < ABSENT_S:
            return None  # not on disk a moment ago: the views ask every frame
        image = self.cache.get(key)
        if image is not None:
            with self._lock:
                self._absent.pop(key, None)
            self._remember(key, image)
            return image
        with self._lock:
            if len(self._absent) >= ABSENT_KEYS:
                self._absent.clear()
            self._absent[key] = now
        return None

    def _remember(self, key: CacheKey, image: np.ndarray) -> None:
        with self._lock:
            self._memory[key] = image
            self._memory.move_to_end(key)
            while len(self._memory) > MEMORY:
                self._memory.popitem(last=False)

    def _request(self, key: CacheKey | None, model: str, checkpoint: int, retry: bool,
                 queue: list | None = None) -> None:
        if self.paused or key is None:
            return
        queue = self._order if queue is None else queue
        with self._lock:
            if key in self._pending:
                for waiting in (self._order, self._later):
                    if key in waiting:  # asked again: to the front of its queue
                        waiting.remove(key)
                        waiting.append(key)
                return
            if key in self.errors and not retry:
                return
        if self._get(key) is not None:
            return
        if not available():
            self._fail(key, "torch-lucent is not installed")
            self.on_error(INSTALL)
            return
        loaded = self._loaded(model, checkpoint)
        with self._lock:
            self.errors.pop(key, None)
            self._pending[key] = _Pending(loaded)
            queue.append(key)
            self.progress[key] = 0.0
            while len(queue) > QUEUED:  # views ask for what they show on every change: the
                stale = queue.pop(0)    # oldest requests are for classes no longer on screen,
                self._pending.pop(stale, None)   # and each holds its model (a slot may have
                self.progress.pop(stale, None)   # moved on to another since)
            self.version += 1
        self._wake.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="feature-vis", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(0.2)
            with self._lock:
                queue = self._order or self._later
                key = queue.pop() if queue else None  # newest first
                if not self._order and not self._later:
                    self._wake.clear()
                pending = self._pending.get(key) if key is not None else None
            if pending is None:
                continue
            self._make(key, pending)

    def _make(self, key: CacheKey, pending: _Pending) -> None:
        start = time.perf_counter()
        try:
            self._publish(key, pending, 0.0, None)
            result = self.runner.run(key.model, pending.loaded.model, key,
                                     lambda f, preview: self._publish(key, pending, f, preview))
            if result is None or self._stop:
                return
            image, settings = result
            seconds = time.perf_counter() - start
            if not _ephemeral(key):
                self.cache.put(key, image, {**settings, "seconds": round(seconds, 2)})
            self._remember(key, image)
            self.timings.append(seconds)
            self.costs.record(self._arch(pending.loaded.name), seconds, key.steps)
        except Exception as exc:  # a failed picture must not take the app down
            if self._stop:
                return  # the process was ended with the app: not a failure
            message = str(exc) or type(exc).__name__
            self._fail(key, message)
            self.on_error(f"feature visualisation {key.model} {key.objective}: {message}")
        finally:
            with self._lock:
                self._pending.pop(key, None)
                self.progress.pop(key, None)
                self.version += 1
            self._ready.set()

    def _fail(self, key: CacheKey, message: str) -> None:
        with self._lock:
            self.errors[key] = message
            while len(self.errors) > ERRORS:
                self.errors.pop(next(iter(self.errors)))
            self.version += 1

    def _publish(self, key: CacheKey, pending: _Pending, progress: float, preview) -> bool:
        """A report from the runner; True tells it to stop (the service is going away)."""
        with self._lock:
            pending.state, pending.progress = "running", progress
            if preview is not None:
                pending.preview = preview
            pending.revision += 1
            self.progress[key] = progress
            self.version += 1
        return self._stop

    def wait(self, timeout: float = 300.0) -> bool:
        """Block until every request is done (tests, CLI); False on timeout."""
        end = time.monotonic() + timeout
        while self._pending and time.monotonic() < end:
            time.sleep(0.02)
        return not self._pending

    def destroy(self) -> None:
        self._stop = True
        self._wake.set()
        self.runner.close()  # a job in a process ends now, not after its next report
        if self._thread is not None:
            self._thread.join(5.0)


    def _shipped(self, key: CacheKey) -> bool:
        shipped = self.cache.shipped
        return shipped is not None and not _ephemeral(key) and \
            self.cache.path(key).is_relative_to(shipped)


def _ephemeral(key: CacheKey) -> bool:
    return key.model.startswith(EPHEMERAL + "~")
