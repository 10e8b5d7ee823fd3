"""Frames -> InferenceResults, scheduled by Panda3D's task manager.

Two modes (parameter ``inference_mode``):

* ``sync`` (the thesis' choice): the frame is inferred in the task that read it back,
  and the result is delivered at once, so input -> inference -> display never goes
  out of order. The window waits for the networks.
* ``worker``: a task on its own task chain (a real thread; torch releases the GIL)
  infers the latest submitted job; a newer job replaces a pending one ("latest input
  wins") and the main loop collects finished results. The window never waits.

Inference runs only when something it depends on changed: the frame, the models,
the tapped layer or what is shown. When predictions are off the forward pass stops
at the tapped layer.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from game.app.slots import LoadedModel, ModelSlots
from game.core.params import ParamState
from game.render.pipeline import Frame
from game.core.results import InferenceResult, SlotOutput
from nets.forward import forward
from nets.predict import topk
from nets.labels import class_names
from nets.registry import corresponding_layer

log = logging.getLogger(__name__)

CHAIN = "perturber-inference"
WORKER_TASK = "perturber-inference-worker"
TOP_K = 5

# (model key, layer) -> {group: channels best first}; see game/tools/featvis/groups.py
GroupLookup = Callable[[LoadedModel, str], dict[str, tuple[int, ...]]]


@dataclass(frozen=True)
class Job:
    frame: Frame
    models: tuple[LoadedModel, ...]
    layers: tuple[str, ...]   # the tapped layer of each model
    activations: bool
    predictions: bool
    key: tuple                # equal keys give equal results


def _layers(loaded: LoadedModel) -> tuple:
    return tuple(getattr(loaded.model, "layers", ()))


def most_active(acts: np.ndarray, k: int = 8) -> tuple[int, ...]:
    means = acts.reshape(acts.shape[0], -1).mean(axis=1)
    return tuple(int(i) for i in np.argsort(-means, kind="stable")[:k])


def run_job(job: Job, groups: GroupLookup | None = None) -> InferenceResult:
    """Run every model of ``job`` on its frame (any thread)."""
    start = time.perf_counter()
    x = torch.from_numpy(job.frame.as_float()).unsqueeze(0)
    outputs = []
    for loaded, layer in zip(job.models, job.layers):
        t0 = time.perf_counter()
        tapped = layer if job.activations else None
        if tapped is None and not job.predictions:
            continue
        out = forward(loaded.model, x, tapped, job.predictions)
        acts = std = None
        chosen: dict[str, tuple[int, ...]] = {}
        if out.activations is not None:
            acts = out.activations[0].float().numpy().copy()
            std = float(acts.std())
            chosen = dict(groups(loaded, layer)) if groups else {}
            chosen["most_active"] = most_active(acts)
        top = None
        if out.logits is not None:
            top = topk(out.logits, TOP_K, class_names(loaded.model).label)[0]
        outputs.append(SlotOutput(
            slot=loaded.slot, model=loaded.name, title=loaded.title, layer=layer or "",
            activations=acts, layer_std=std or 0.0, top=top, groups=chosen,
            checkpoint=loaded.checkpoint, ms=(time.perf_counter() - t0) * 1e3))
    return InferenceResult(job.frame.serial, job.frame.params_version, job.frame.image,
                           tuple(outputs), (time.perf_counter() - start) * 1e3)


class InferenceEngine:
    def __init__(self, task_mgr, params: ParamState, slots: ModelSlots,
                 on_result: Callable[[InferenceResult], None],
                 groups: GroupLookup | None = None,
                 on_error: Callable[[str], None] | None = None,
                 worker_threads: int = 1):
        self.task_mgr = task_mgr
        self.params = params
        self.slots = slots
        self.on_result = on_result
        self.groups = groups
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self.worker_threads = worker_threads
        self.result: InferenceResult | None = None
        self.runs = 0                       # jobs actually computed
        self._frame: Frame | None = None
        self._last_key = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: Job | None = None    # worker: the newest job not yet started
        self._done: InferenceResult | None = None
        self._worker = False
        # f(frame) -> frame, applied in order before inference (e.g. an attack replaces
        # the rendered frame by the attacked image). A filter with a ``version``
        # attribute re-infers when it changes; any other calls ``invalidate()``.
        self.input_filters: list[Callable[[Frame], Frame]] = []
        self._unsubscribe = params.watch("inference_mode", self._changed)
        self._set_mode(params["inference_mode"])

    @property
    def mode(self) -> str:
        return "worker" if self._worker else "sync"

    # -- input ------------------------------------------------------------------------
    def submit(self, frame: Frame | None = None) -> None:
        """A new frame (or ``None``: the last one again, after a model/view change)."""
        if frame is not None:
            self._frame = frame
        if self._frame is None:
            return
        frame = self._frame
        for f in self.input_filters:
            frame = f(frame)
        job = self._job(frame)
        if job.key == self._last_key:
            return
        self._last_key = job.key
        if self._worker:
            with self._lock:
                self._pending = job  # replaces an older job that has not started
            self._wake.set()
        else:
            self._deliver(self._run(job))

    def invalidate(self) -> None:
        """Infer the current frame again at the next ``submit()`` (any thread)."""
        self._last_key = None

    def poll(self) -> InferenceResult | None:
        """Main thread, every frame: hand a finished worker result to ``on_result``."""
        with self._lock:
            done, self._done = self._done, None
        if done is not None:
            self._deliver(done)
        return done

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until the worker has nothing pending (tests, CLI)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                busy = self._pending is not None or self._busy
            if not busy:
                return
            time.sleep(0.002)
        raise TimeoutError("the inference worker did not finish in time")

    # -- internals ---------------------------------------------------------------------
    def _job(self, frame: Frame) -> Job:
        models = tuple(self.slots.enabled())
        acts = self.params.flag("show_activations")
        preds = self.params.flag("show_predictions")
        wanted = self.params["layer"]
        reference = _layers(models[0]) if models else ()
        layers = tuple(corresponding_layer(wanted, _layers(m), reference) for m in models)
        filters = tuple(getattr(f, "version", 0) for f in self.input_filters)
        key = (frame.serial, filters, self.slots.version, layers, acts, preds)
        return Job(frame, models, layers, acts, preds, key)

    def _run(self, job: Job) -> InferenceResult | None:
        try:
            result = run_job(job, self.groups)
        except Exception as exc:  # a broken model must not stop the app
            log.exception("inference failed")
            self.on_error(f"inference failed: {exc}")
            return None
        self.runs += 1
        return result

    def _deliver(self, result: InferenceResult | None) -> None:
        if result is None:
            return
        self.result = result
        self.on_result(result)

    def _changed(self, _name: str, mode) -> None:
        self._set_mode(mode)
        self._last_key = None
        self.submit()

    def _set_mode(self, mode: str) -> None:
        worker = mode == "worker"
        if worker == self._worker:
            return
        self._worker = worker
        if worker:
            self._busy = False
            self.task_mgr.setupTaskChain(CHAIN, numThreads=1, frameSync=False)
            self.task_mgr.add(self._worker_task, WORKER_TASK, taskChain=CHAIN)
        else:
            self._stop_worker()

    def _stop_worker(self) -> None:
        self.task_mgr.remove(WORKER_TASK)
        self._wake.set()
        with self._lock:
            self._pending = None
        self._busy = False

    def _worker_task(self, task):
        """Runs on the inference chain's own thread."""
        if not self._wake.wait(0.05):
            return task.cont
        with self._lock:
            job, self._pending = self._pending, None
            self._wake.clear()
            self._busy = job is not None
        if job is None:
            return task.cont
        torch.set_num_threads(self.worker_threads)
        result = self._run(job)
        with self._lock:
            if result is not None:
                self._done = result
            self._busy = False
        return task.cont

    _busy = False

    def destroy(self) -> None:
        self._unsubscribe()
        if self._worker:
            self._stop_worker()
            self.task_mgr.stopThreads()
