"""Frames -> InferenceResults, scheduled by Panda3D's task manager.

Two modes (parameter ``inference_mode``):

* ``sync`` (the thesis' choice): the frame is inferred in the task that read it back,
  and the result is delivered at once, so input -> inference -> display never goes
  out of order. The window waits for the networks.
* ``worker``: a task on its own task chain (a real thread; torch releases the GIL)
  infers the latest submitted job; a newer job replaces a pending one ("latest input
  wins") and the main loop collects finished results. The window never waits.

Inference runs only when something it depends on changed: the frame, the models,
the tapped layer or what is shown. Each model runs on its slot's backend
(``LoadedModel.backend``). In sync mode, models whose backends can run side by side
(onnxruntime, one thread each, the GIL released) run at once on the engine's model
threads: on 2 idle cores two models take as long as the slower one. In worker mode they
run one after the other on the worker's thread, which leaves the other core to the window.
On torch, when predictions are off, the forward pass stops at the tapped layer.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from game.app.slots import LoadedModel, ModelSlots
from game.core.params import ParamState
from game.render.pipeline import Frame
from game.core.results import SLOTS, InferenceResult, SlotOutput
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


def run_job(job: Job, groups: GroupLookup | None = None,
            pool: Executor | None = None) -> InferenceResult:
    """Run every model of ``job`` on its frame (any thread). With ``pool``, models whose
    backends are all ``concurrent`` run at once: the first on this thread, the others on
    the pool's threads, or on this one after the first if no pool thread took them yet
    (the other core is busy: this one does not wait for it)."""
    start = time.perf_counter()
    x = torch.from_numpy(job.frame.as_float()).unsqueeze(0)
    runs = [(loaded, layer) for loaded, layer in zip(job.models, job.layers)
            if job.activations or job.predictions]

    def one(loaded: LoadedModel, layer: str):
        t0 = time.perf_counter()
        out = loaded.backend.forward(x, layer if job.activations else None, job.predictions)
        return out, time.perf_counter() - t0

    if pool is not None and len(runs) > 1 and all(m.backend.concurrent for m, _ in runs):
        others = [pool.submit(one, *run) for run in runs[1:]]
        passes = [one(*runs[0])]  # this thread runs one model itself, then any model no
        for run, future in zip(runs[1:], others):  # pool thread started (its core is busy)
            passes.append(one(*run) if future.cancel() else future.result())
    else:
        passes = [one(*run) for run in runs]
    outputs = []
    for (loaded, layer), (out, seconds) in zip(runs, passes):
        t0 = time.perf_counter() - seconds  # its forward pass, then what is made of it
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
        self.models_pool = ThreadPoolExecutor(len(SLOTS) - 1, "perturber-model")
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
            # Side by side only in sync mode: in worker mode the window needs the other core.
            pool = None if self._worker else self.models_pool
            result = run_job(job, self.groups, pool)
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
            self.task_mgr.mgr.findTaskChain(CHAIN).stopThreads()  # waits for a running job
        self.models_pool.shutdown(wait=True)
