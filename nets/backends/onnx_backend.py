"""onnxruntime on the cached graph of ``export``: every tappable layer from one session.

One intra-op and one inter-op thread, sequential execution, all graph optimisations:
the app shares the CPU with rendering. onnxruntime computes the whole graph whatever
outputs are asked for, so unlike ``TorchBackend`` a pass without logits is not shorter.
"""
from pathlib import Path

import numpy as np

from ..classifier import INPUT_SIZE, Classifier
from . import export
from .graph import GraphBackend, import_runtime


class OnnxUnavailable(ImportError):
    """onnxruntime does not import here; the message says how to get it."""


def import_onnxruntime():
    """The onnxruntime module, or OnnxUnavailable."""
    return import_runtime("onnxruntime", OnnxUnavailable, "torch")


def open_session(path: Path, expected_outputs: list[str]):
    """An onnxruntime session on ``path``; raises when the file is unreadable or not ours."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    found = [o.name for o in session.get_outputs()]
    if found != expected_outputs:
        raise ValueError(f"{path} has outputs {found}, expected {expected_outputs}")
    return session


def cached_session(model: Classifier, root: Path | None = None, size: int = INPUT_SIZE):
    """A session on the cached graph of ``model``, exported first when absent or unreadable."""
    import_onnxruntime()  # fail before a pointless export
    expected = export.output_names(model)
    return export.opened(model, lambda path: open_session(path, expected), root, size)


class OnnxBackend(GraphBackend):
    """``model`` (on the CPU) through onnxruntime; layers are the model's tappable ones."""

    name = "onnx"
    runtime = "onnxruntime"
    concurrent = True  # one intra-op thread; onnxruntime releases the GIL in ``run``

    def __init__(self, model: Classifier, cache_root: Path | None = None,
                 size: int = INPUT_SIZE):
        super().__init__(model, size)
        self.session = cached_session(model, cache_root, size)

    def _run(self, names: list[str], images: np.ndarray) -> list[np.ndarray]:
        return self.session.run(names, {export.INPUT: images})
