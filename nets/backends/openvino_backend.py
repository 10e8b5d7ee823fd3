"""OpenVINO on the cached graph of ``export``: every tappable layer from one compiled model.

The ONNX file the onnx backend uses is read as it is (no conversion step, no other
cache). Compiled for the CPU with one inference thread and one stream, threads not
pinned to cores (the app shares the CPU with rendering), and f32 arithmetic: on CPUs
with bf16 support OpenVINO would otherwise compute in bf16, far outside the 1e-3 of
torch that the live pass must keep. Like onnxruntime it computes the whole graph
whatever outputs are asked for. A call takes an idle inference request (a new one when
all are in use) and gives it back, so one backend serves several threads at once; the
GIL is released while a request runs. Requests are not kept per thread: a Panda3D task
chain thread runs every task with a new Python thread state, and a request held in a
``threading.local`` would be freed inside the interpreter's deletion of that state (a
segfault).
"""
import threading
from pathlib import Path

import numpy as np

from ..classifier import INPUT_SIZE, Classifier
from . import export
from .graph import GraphBackend, import_runtime

CONFIG = {
    "INFERENCE_NUM_THREADS": 1,
    "NUM_STREAMS": 1,
    "PERFORMANCE_HINT": "LATENCY",
    "INFERENCE_PRECISION_HINT": "f32",
    "ENABLE_CPU_PINNING": False,
}


class OpenVinoUnavailable(ImportError):
    """openvino does not import here; the message says how to get it."""


def import_openvino():
    """The openvino module, or OpenVinoUnavailable."""
    return import_runtime("openvino", OpenVinoUnavailable, "onnx or torch")


def compile_graph(path: Path, expected_outputs: list[str]):
    """``path`` compiled for the CPU; raises when the file is unreadable or not ours."""
    ov = import_openvino()
    compiled = ov.Core().compile_model(str(path), "CPU", CONFIG)
    found = [output.get_any_name() for output in compiled.outputs]
    if found != expected_outputs:
        raise ValueError(f"{path} has outputs {found}, expected {expected_outputs}")
    return compiled


class OpenVinoBackend(GraphBackend):
    """``model`` (on the CPU) through OpenVINO; layers are the model's tappable ones."""

    name = "openvino"
    runtime = "OpenVINO"
    concurrent = True  # one inference thread; the GIL is released while a request runs

    def __init__(self, model: Classifier, cache_root: Path | None = None,
                 size: int = INPUT_SIZE):
        import_openvino()  # fail before a pointless export
        super().__init__(model, size)
        expected = export.output_names(model)
        self.compiled = export.opened(model, lambda path: compile_graph(path, expected),
                                      cache_root, size)
        self._idle: list = []  # requests no call is using
        self._lock = threading.Lock()

    def _run(self, names: list[str], images: np.ndarray) -> list[np.ndarray]:
        with self._lock:
            request = self._idle.pop() if self._idle else None
        if request is None:
            request = self.compiled.create_infer_request()
        try:
            request.infer({export.INPUT: images})
            # The request's output memory is overwritten by its next call: copies.
            return [np.array(request.get_tensor(name).data) for name in names]
        finally:
            with self._lock:
                self._idle.append(request)
