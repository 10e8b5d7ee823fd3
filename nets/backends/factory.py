"""``make_backend(name, classifier)``: a backend by name, or the best one that works here."""
import logging
from pathlib import Path

from ..classifier import Classifier
from .base import Backend
from .onnx_backend import OnnxBackend, OnnxUnavailable
from .openvino_backend import OpenVinoBackend
from .torch_backend import TorchBackend

log = logging.getLogger(__name__)

BACKENDS = ("torch", "onnx", "openvino", "auto")


def make_backend(name: str, model: Classifier, cache_root: Path | None = None) -> Backend:
    """``"torch"``, ``"onnx"``, ``"openvino"`` (each raises when it cannot be had:
    ``OnnxUnavailable`` where onnxruntime does not import, ``OpenVinoUnavailable`` where
    openvino does not) or ``"auto"``.

    ``"auto"`` is onnx when onnxruntime imports and the export (or the cached graph)
    works, else torch, logging why: a warning when the export or the session failed, an
    info line when onnxruntime is not there (torch is what auto means then).
    ``cache_root`` replaces the export cache folder.
    """
    if name == "torch":
        return TorchBackend(model)
    if name == "onnx":
        return OnnxBackend(model, cache_root)
    if name == "openvino":
        return OpenVinoBackend(model, cache_root)
    if name != "auto":
        raise ValueError(f"unknown backend {name!r}; known: {list(BACKENDS)}")
    try:
        return OnnxBackend(model, cache_root)
    except Exception as error:  # missing onnxruntime/onnx, export or session failure
        level = logging.INFO if isinstance(error, OnnxUnavailable) else logging.WARNING
        log.log(level, "%s runs on torch: onnx backend unavailable (%s: %s)",
                model.name, type(error).__name__, error)
        return TorchBackend(model)
