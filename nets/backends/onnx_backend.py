"""onnxruntime on the cached graph of ``export``: every tappable layer from one session.

One intra-op and one inter-op thread, sequential execution, all graph optimisations:
the app shares the CPU with rendering. onnxruntime computes the whole graph whatever
outputs are asked for, so unlike ``TorchBackend`` a pass without logits is not shorter.
"""
import logging
from pathlib import Path

import torch

from ..classifier import INPUT_SIZE, Classifier
from ..forward import ForwardOutput
from . import export
from .base import Backend

log = logging.getLogger(__name__)


class OnnxUnavailable(ImportError):
    """onnxruntime does not import here; the message says how to get it."""


def import_onnxruntime():
    """The onnxruntime module, or OnnxUnavailable."""
    try:
        import onnxruntime
    except ImportError as exc:
        what = ("is not installed here" if exc.name == "onnxruntime"
                else f"does not import here ({exc})")
        raise OnnxUnavailable(f"onnxruntime {what}: pip install onnxruntime, "
                              "or run the networks on torch") from exc
    return onnxruntime


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

    path = export.cache_path(model, root, size)
    expected = export.output_names(model)
    if path.is_file():
        try:
            return open_session(path, expected)
        except Exception as error:  # onnxruntime has its own error types for a bad file
            log.warning("re-exporting %s: cached %s is unreadable (%s)", model.name, path, error)
    export.export(model, path, size)
    return open_session(path, expected)


class OnnxBackend(Backend):
    """``model`` (on the CPU) through onnxruntime; layers are the model's tappable ones."""

    name = "onnx"
    concurrent = True  # one intra-op thread; onnxruntime releases the GIL in ``run``

    def __init__(self, model: Classifier, cache_root: Path | None = None,
                 size: int = INPUT_SIZE):
        if any(p.device.type != "cpu" for p in model.parameters()):
            raise ValueError(f"{model.name} is not on the CPU; onnxruntime here runs on the CPU")
        super().__init__(model)
        self.size = size
        self.session = cached_session(model, cache_root, size)

    def forward(self, images: torch.Tensor, layer: str | None = None,
                logits: bool = True) -> ForwardOutput:
        if images.dim() == 3:
            images = images.unsqueeze(0)
        if layer is not None:
            self.model.layer(layer)  # KeyError naming the tappable layers
        wanted = ([export.LOGITS] if logits else []) + (
            [export.output_name(layer)] if layer is not None else [])
        if not wanted:
            return ForwardOutput(None, None)
        if tuple(images.shape[-2:]) != (self.size, self.size):
            raise ValueError(f"the graph of {self.model.name} takes {self.size} x {self.size} "
                             f"images, not {tuple(images.shape[-2:])}")
        x = images.detach().to("cpu", torch.float32).contiguous().numpy()
        outputs = dict(zip(wanted, self.session.run(wanted, {export.INPUT: x})))
        return ForwardOutput(
            torch.from_numpy(outputs[export.output_name(layer)]) if layer is not None else None,
            torch.from_numpy(outputs[export.LOGITS]) if logits else None)
