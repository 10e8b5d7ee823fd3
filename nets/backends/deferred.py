"""A live backend that never waits for an ONNX export: torch at once, onnx when it is there.

    live = start_backend("auto", model)   # live.backend runs now
    ...
    better = live.poll()                  # once a frame: the onnx backend, once, when ready
    live.release()                        # not wanted any more: its export stops

``make_backend("auto", model)`` exports the model's graph when the cache lacks it, which
takes ~1-10 s on two cores (longer for bigger networks). ``start_backend`` gives a
``TorchBackend`` at once instead and writes the graph in a child process: a separate
interpreter (the GIL stays free), one torch thread, lowered priority (``nets.child``),
and a crash of the exporter cannot take the caller down. ``poll`` opens the onnx backend on the new
file when the child is done. When the export fails, ``failure`` says why and the torch
backend stays. Every other case (a cached graph, a named backend, no onnxruntime)
is ``make_backend``'s, done at once.

One child writes one file: live backends waiting for the same graph share it, and it
stops when the last one is released with ``stop=True`` (a release with ``stop=False``
lets it finish into the cache). The child gets the model through a pipe (the caller's
own object, pickled by value and sent by a thread, so the caller does not wait for the
child to import torch) and imports only ``nets``.
"""
from __future__ import annotations

import logging
import multiprocessing
import pickle
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from ..child import export_graph
from ..classifier import Classifier
from . import export
from .base import Backend
from .factory import make_backend
from .onnx_backend import OnnxBackend, OnnxUnavailable, import_onnxruntime
from .torch_backend import TorchBackend

log = logging.getLogger(__name__)

class _Export:
    """The child process writing the graph of one model to ``path``."""

    def __init__(self, model: Classifier, path: Path):
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        self.path, self.users = path, 0
        self.process = context.Process(target=export_graph, args=(receiver, str(path)),
                                       daemon=True, name=f"onnx-export-{model.name}")
        self.process.start()
        receiver.close()
        threading.Thread(target=_send, args=(sender, model), daemon=True,
                         name=f"onnx-export-{model.name}-send").start()
        log.info("exporting the onnx graph of %s in process %s", model.name, self.process.pid)

    def running(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Ends the child (nothing is left behind: the export writes atomically)."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


def _send(connection: Connection, model: Classifier) -> None:
    """Pickles ``model`` by value and sends it. (``Connection.send`` would share its
    tensors' memory with the child, moving each storage while the caller may be running
    the model.)"""
    try:
        connection.send_bytes(pickle.dumps(model, pickle.HIGHEST_PROTOCOL))
    except OSError:  # the child is gone: its exit code tells
        pass
    finally:
        connection.close()


_EXPORTS: dict[Path, _Export] = {}  # by the file they write
_LOCK = threading.Lock()


def _join(model: Classifier, path: Path) -> _Export:
    """The running export of ``path``, or a new one; counted as one more user."""
    with _LOCK:
        job = _EXPORTS.get(path)
        if job is None or not job.running():
            job = _EXPORTS[path] = _Export(model, path)
        job.users += 1
        return job


def _leave(job: _Export, stop: bool) -> None:
    with _LOCK:
        job.users -= 1
        if job.users > 0:
            return
        if stop or not job.running():
            if _EXPORTS.get(job.path) is job:
                del _EXPORTS[job.path]
            if stop:
                job.stop()


class LiveBackend:
    """The backend to run now (``backend``) and, while ``pending``, an export on its way."""

    def __init__(self, model: Classifier, backend: Backend, cache_root: Path | None = None,
                 job: _Export | None = None):
        self.model, self.backend, self.cache_root = model, backend, cache_root
        self.failure = ""
        self._job = job

    @property
    def pending(self) -> bool:
        return self._job is not None

    def poll(self) -> Backend | None:
        """The onnx backend once the child has written the graph (once; ``backend`` is
        then that one too), else None. A failed export is logged, kept in ``failure``,
        and leaves the torch backend."""
        job = self._job
        if job is None or job.running():
            return None
        self.release()
        try:
            if job.process.exitcode != 0:
                raise RuntimeError(f"the export process exited with code {job.process.exitcode}")
            self.backend = OnnxBackend(self.model, self.cache_root)
        except Exception as error:
            self.failure = f"{type(error).__name__}: {error}"
            log.warning("%s stays on torch: onnx backend unavailable (%s)", self.model.name,
                        self.failure)
            return None
        log.info("%s now runs on onnx", self.model.name)
        return self.backend

    def release(self, stop: bool = True) -> None:
        """Waits no more for the export; it stops when no other live backend waits for it
        and ``stop`` is true, else it runs to its end."""
        job, self._job = self._job, None
        if job is not None:
            _leave(job, stop)


def start_backend(name: str, model: Classifier, cache_root: Path | None = None) -> LiveBackend:
    """``make_backend(name, model, cache_root)`` as a ``LiveBackend``, except that "auto"
    with onnxruntime here and no cached graph runs on torch until a child process has
    exported it."""
    path = export.cache_path(model, cache_root)
    if name != "auto" or not _onnxruntime_here() or path.is_file():
        return LiveBackend(model, make_backend(name, model, cache_root), cache_root)
    return LiveBackend(model, TorchBackend(model), cache_root, _join(model, path))


def _onnxruntime_here() -> bool:
    try:
        import_onnxruntime()
    except OnnxUnavailable:
        return False
    return True
