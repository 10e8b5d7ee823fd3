"""One ONNX graph per classifier: the logits and every tappable layer as outputs, cached on disk.

    path = cache_path(model)     # <cache>/onnx/mobilenet_v2-<weights id>.onnx
    export(model, path)          # what ``opened`` does when it is absent
    session = opened(model, open_fn)  # open_fn(path) on the cached graph, made if need be

The graph takes ``images`` (B, 3, S, S) in [0, 1] with the normalisation inside, as the
``Classifier`` does; its outputs are ``logits`` and ``output_name(layer)`` per tappable
layer, batch size free, input size S fixed at export (EfficientNet's TF "SAME" padding
is computed from it).

The cache folder is ``$PERTURBER_CACHE/onnx`` when that is set, else ``<repo>/cache/onnx``.
A file's name holds ``weights_id(model)``: other weights, layers, torch version or opset
give another file. Files are written under a unique temporary name in the same folder
and renamed into place, so a reader never sees half a file.
"""
import hashlib
import logging
import os
import re
import tempfile
import time
import warnings
from contextlib import suppress
from pathlib import Path
from typing import Callable, TypeVar

import torch
from torch import nn

from ..classifier import INPUT_SIZE, Classifier
from ..taps import tap

log = logging.getLogger(__name__)
T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
OPSET = 17
# Part of every cache key: raise it when what ``_AllOutputs`` exports changes.
GRAPH_FORMAT = 1
INPUT = "images"
LOGITS = "logits"


def output_name(layer: str) -> str:
    """The graph output holding the activations of the tappable layer ``layer``."""
    return f"layer.{layer}"


def output_names(model: Classifier) -> list[str]:
    return [LOGITS] + [output_name(layer.name) for layer in model.layers]


def cache_dir() -> Path:
    root = os.environ.get("PERTURBER_CACHE")
    return (Path(root) if root else REPO_ROOT / "cache") / "onnx"


def weights_id(model: Classifier, size: int = INPUT_SIZE) -> str:
    """Hex id of what the exported graph depends on.

    The bytes of every state_dict tensor (normalisation buffers included), the model's
    name, its tappable layers, its module tree, the torch version, the opset, the input
    size and ``GRAPH_FORMAT``.
    """
    digest = hashlib.sha256()
    header = (f"{GRAPH_FORMAT}|{model.name}|torch {torch.__version__}|opset {OPSET}|{size}|"
              f"{[(l.name, l.module) for l in model.layers]}|{model.net!r}")
    digest.update(header.encode())
    for key, tensor in sorted(model.state_dict().items()):
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{key}:{tensor.dtype}:{tuple(tensor.shape)};".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()[:16]


def cache_path(model: Classifier, root: Path | None = None, size: int = INPUT_SIZE) -> Path:
    stem = re.sub(r"\W+", "_", model.name).strip("_") or "model"
    return (root or cache_dir()) / f"{stem}-{weights_id(model, size)}.onnx"


class _AllOutputs(nn.Module):
    """``model`` returning (logits, activations of each tappable layer), for tracing."""

    def __init__(self, model: Classifier):
        super().__init__()
        self.model = model
        self.names = [layer.name for layer in model.layers]

    def forward(self, images):
        with tap(self.model, self.names, detach=False) as acts:
            logits = self.model(images)
        return (logits, *(acts[name] for name in self.names))


def export(model: Classifier, path: Path, size: int = INPUT_SIZE) -> Path:
    """Write the graph of ``model`` (on the CPU) to ``path``, atomically; returns ``path``.

    Uses torch's TorchScript-based exporter (needs the ``onnx`` package, no network).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    names = output_names(model)
    # The exporter leaves every module in the mode of the module it was given; a new
    # wrapper is in training mode, which would let BatchNorm update its statistics.
    modes = {module: module.training for module in model.modules()}
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # The exporter's deprecation notice, and TracerWarnings for the padding that
            # EfficientNet computes from the input size, which is fixed here on purpose.
            warnings.simplefilter("ignore")
            torch.onnx.export(_AllOutputs(model), (torch.zeros(1, 3, size, size),), tmp,
                              dynamo=False, opset_version=OPSET, input_names=[INPUT],
                              output_names=names,
                              dynamic_axes={n: {0: "batch"} for n in [INPUT, *names]})
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        for module, training in modes.items():
            module.training = training
    log.info("exported %s to %s in %.1f s", model.name, path, time.perf_counter() - start)
    return path


def opened(model: Classifier, open_fn: Callable[[Path], T], root: Path | None = None,
           size: int = INPUT_SIZE) -> T:
    """``open_fn(path)`` on the cached graph of ``model``: exported first when absent, and
    again when ``open_fn`` cannot read the file there (logged)."""
    path = cache_path(model, root, size)
    if path.is_file():
        try:
            return open_fn(path)
        except Exception as error:  # each runtime has its own error types for a bad file
            log.warning("re-exporting %s: cached %s is unreadable (%s)", model.name, path, error)
    export(model, path, size)
    return open_fn(path)
