"""Run a probe job's points in chunks: in this process, on local processes, or on Ray.

    with Pool("local", workers=2) as pool:
        results = pool.map(job, points, progress=lambda done, total: ...)

    run = pool.start(job, points)     # in the background (the app): poll run.partial(),
    run.done, run.error, run.cancel()

Results come back in point order and are identical whichever backend ran them.
``inference`` picks what runs the networks in every worker (``nets.backends``: torch,
onnx or auto).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable

from game.core.params import ParamError
from game.batch.sweep.job import PointResult, ProbeJob

BACKENDS = ("inprocess", "local", "ray")
DEFAULT_THREADS = 1
DEFAULT_CHUNK = 16  # points per task: few enough for progress and cancelling, enough to batch
Progress = Callable[[int, int], None]


def _init_process(threads: int) -> None:
    import torch

    torch.set_num_threads(max(1, threads))


def _chunks(points: list[dict], size: int) -> list[list[tuple[int, dict]]]:
    indexed = list(enumerate(points))
    return [indexed[i:i + size] for i in range(0, len(indexed), size)]


def default_chunk(job: ProbeJob) -> int:
    """About ``DEFAULT_CHUNK`` points per task, a multiple of the job's batch: every
    chunk size that is a multiple of the batch forms the same batches, so the same
    floats (a point's position in a batch can change their last bits)."""
    return max(1, DEFAULT_CHUNK // job.batch) * job.batch


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


class Pool:
    """A backend and its workers, kept between jobs (processes and Ray start once)."""

    def __init__(self, backend: str = "local", workers: int | None = None,
                 ray_address: str | None = None, threads: int | None = None,
                 inference: str = "auto"):
        if backend not in BACKENDS:
            raise ParamError(f"backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.backend = backend
        self.inference = inference
        self.workers = workers or default_workers()
        # One torch thread per worker in every backend: the same thread count gives the
        # same float results everywhere, and one thread per process was the fastest per
        # core measured here (docs/sweeps.md); scale out with workers.
        self.threads = threads or DEFAULT_THREADS
        self.ray_address = ray_address
        self._executor = None
        self._ray = None

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._ray is not None:
            self._ray.close()
            self._ray = None

    # -- running ----------------------------------------------------------------------------
    def map(self, job: ProbeJob, points: list[dict], chunk: int | None = None,
            progress: Progress | None = None,
            on_results: Callable[[list[PointResult]], None] | None = None,
            cancelled: Callable[[], bool] = lambda: False) -> list[PointResult]:
        """Every point's result, in point order. ``progress(done, total)`` and
        ``on_results(chunk_results)`` are called (in the calling thread) as chunks finish.
        ``chunk``: points per task (default ``default_chunk(job)``); results are the same
        bits for every chunk size that is a multiple of ``job.batch``."""
        job.check()
        if chunk is not None and chunk < 1:
            raise ParamError(f"chunk {chunk}: choose at least 1 point per chunk")
        chunks = _chunks(points, chunk or default_chunk(job))
        results: list[PointResult] = []

        def finished(part: list[PointResult]) -> None:
            results.extend(part)
            if on_results:
                on_results(part)
            if progress:
                progress(len(results), len(points))

        if progress:
            progress(0, len(points))
        if self.backend == "inprocess":
            self._map_inprocess(job, chunks, finished, cancelled)
        elif self.backend == "local":
            self._map_local(job, chunks, finished, cancelled)
        else:
            if self._ray is None:
                from game.batch.sweep.ray_backend import RayRunner

                self._ray = RayRunner(self.ray_address, self.threads, self.workers,
                                      self.inference)
            self._ray.map(job, chunks, finished, cancelled)
        return sorted(results, key=lambda r: r.index)

    def _map_inprocess(self, job, chunks, finished, cancelled) -> None:
        from game.batch.sweep.worker import run_points
        from nets.threads import torch_threads

        with torch_threads(self.threads):
            for c in chunks:
                if cancelled():
                    break
                finished(run_points(job, c, self.inference))

    def _map_local(self, job, chunks, finished, cancelled) -> None:
        if self._executor is None:
            import multiprocessing

            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_process, initargs=(self.threads,))
        from game.batch.sweep.worker import run_points

        pending = {self._executor.submit(run_points, job, c, self.inference) for c in chunks}
        try:
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for f in done:
                    finished(f.result())
                if cancelled():
                    break
        finally:
            for f in pending:
                f.cancel()

    def start(self, job: ProbeJob, points: list[dict], chunk: int | None = None) -> "Run":
        """Run ``map`` on a background thread; poll the returned ``Run``."""
        return Run(self, job, points, chunk)


class Run:
    """A job running in the background: progress, partial results, error, cancel."""

    def __init__(self, pool: Pool, job: ProbeJob, points: list[dict], chunk: int | None):
        self.job, self.total = job, len(points)
        self._lock = threading.Lock()
        self._results: list[PointResult] = []
        self._cancel = threading.Event()
        self.error: BaseException | None = None
        self.done = False

        def body():
            try:
                pool.map(job, points, chunk, on_results=self._add, cancelled=self._cancel.is_set)
            except BaseException as exc:  # reported to whoever polls
                self.error = exc
            finally:
                self.done = True

        self._thread = threading.Thread(target=body, name="perturber-sweep", daemon=True)
        self._thread.start()

    def _add(self, part: list[PointResult]) -> None:
        with self._lock:
            self._results.extend(part)

    @property
    def finished(self) -> int:
        with self._lock:
            return len(self._results)

    def partial(self) -> list[PointResult]:
        """The results so far, in point order."""
        with self._lock:
            return sorted(self._results, key=lambda r: r.index)

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
