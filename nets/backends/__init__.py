"""Forward-only inference backends: the same ``ForwardOutput`` as ``nets.forward``, faster.

    backend = make_backend("auto", registry.load("mobilenet_v2"))
    out = backend.forward(images, "block13", logits=True)   # (B, 3, 224, 224) in [0, 1]
    out.activations, out.logits                              # torch tensors on the CPU

- ``TorchBackend``: today's eager pass (``nets.forward``); the reference, and the one
  for anything that needs gradients or a layer that is not declared tappable.
- ``OnnxBackend``: onnxruntime on one graph per model whose outputs are the logits and
  every tappable layer (``export`` caches the graph on disk, keyed by the weights);
  ``OnnxUnavailable`` (an ImportError saying how to get it) where onnxruntime does not
  import, also from ``import_onnxruntime()``.
- ``OpenVinoBackend``: OpenVINO on the same cached graph; ``OpenVinoUnavailable`` where
  openvino does not import, also from ``import_openvino()``.
- ``make_backend(name, classifier)``: ``"torch"``, ``"onnx"``, ``"openvino"`` or
  ``"auto"`` (onnx when it can be had, else torch, with the reason logged).
- ``start_backend(name, classifier)``: a ``LiveBackend``, the same choice without
  waiting for a missing ONNX export ("auto" runs on torch until a child process has
  written the graph; ``poll()`` then gives the onnx backend).

Outputs are torch tensors whatever the backend, so callers stay the same
(``torch.from_numpy`` makes the onnxruntime ones without a copy).
"""
from .base import Backend
from .deferred import LiveBackend, start_backend
from .factory import BACKENDS, make_backend
from .onnx_backend import OnnxBackend, OnnxUnavailable, import_onnxruntime
from .openvino_backend import OpenVinoBackend, OpenVinoUnavailable, import_openvino
from .torch_backend import TorchBackend

__all__ = ["BACKENDS", "Backend", "LiveBackend", "OnnxBackend", "OnnxUnavailable",
           "OpenVinoBackend", "OpenVinoUnavailable", "TorchBackend", "import_onnxruntime",
           "import_openvino", "make_backend", "start_backend"]
