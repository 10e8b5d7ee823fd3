"""The export cache and backend choice, on a tiny classifier that exports in a blink."""
import logging
import sys

import pytest
import torch
from torch import nn

from concurrent.futures import ThreadPoolExecutor

from nets.backends import (
    OnnxBackend, OnnxUnavailable, OpenVinoBackend, OpenVinoUnavailable, TorchBackend,
    make_backend,
)
from nets.backends import export
from nets.classifier import Classifier, Layer


def tiny(seed: int = 0) -> Classifier:
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))
    layers = (Layer("conv", "0", 4, 112), Layer("relu", "2", 4, 112))
    return Classifier("tiny", net, (0.5,) * 3, (0.25,) * 3, layers)


@pytest.fixture
def exports(monkeypatch):
    """The paths ``export.export`` wrote during the test."""
    written = []
    real = export.export

    def counting(model, path, size=224):
        written.append(path)
        return real(model, path, size)

    monkeypatch.setattr(export, "export", counting)
    return written


GRAPH_BACKENDS = pytest.mark.parametrize("name", ["onnx", "openvino"])


@GRAPH_BACKENDS
def test_second_backend_reuses_the_cached_graph(tmp_path, exports, name):
    model, x = tiny(), torch.rand(2, 3, 224, 224)
    first = make_backend(name, model, tmp_path)
    second = make_backend(name, model, tmp_path)
    assert isinstance(second, (OnnxBackend, OpenVinoBackend)) and second.name == name
    assert len(exports) == 1
    assert [p.name for p in tmp_path.iterdir()] == [exports[0].name]  # no temporary file left
    assert torch.equal(first.forward(x, "relu").activations, second.forward(x, "relu").activations)
    assert torch.allclose(second.forward(x).logits, model(x), atol=1e-5)


def test_exporting_leaves_the_model_as_it_was(tmp_path):
    model = tiny()
    model.net[1].train()  # one module in training mode on purpose
    modes = [m.training for m in model.modules()]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    make_backend("onnx", model, tmp_path)
    assert [m.training for m in model.modules()] == modes
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())


@GRAPH_BACKENDS
def test_a_corrupt_cached_graph_is_exported_again(tmp_path, exports, name):
    model = tiny()
    path = export.cache_path(model, tmp_path)
    path.write_bytes(b"not an onnx file")
    backend = make_backend(name, model, tmp_path)
    assert exports == [path] and path.stat().st_size > 100
    x = torch.rand(1, 3, 224, 224)
    assert torch.allclose(backend.forward(x).logits, model(x), atol=1e-5)


def test_onnx_and_openvino_read_one_export(tmp_path, exports):
    model, x = tiny(), torch.rand(3, 3, 224, 224)
    on_onnx, on_openvino = make_backend("onnx", model, tmp_path), make_backend("openvino", model, tmp_path)
    assert len(exports) == 1
    a, b = on_onnx.forward(x, "conv"), on_openvino.forward(x, "conv")
    assert (a.logits - b.logits).abs().max().item() < 1e-5
    assert (a.activations - b.activations).abs().max().item() < 1e-5


def test_openvino_serves_several_threads_at_once(tmp_path):
    """Calls at once each get a request of their own: results are never another call's."""
    model = tiny()
    backend = make_backend("openvino", model, tmp_path)
    inputs = [torch.rand(1, 3, 224, 224) for _ in range(8)]
    expected = [backend.forward(x).logits for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            got = list(pool.map(lambda x: backend.forward(x).logits, inputs))
            assert all(torch.equal(g, e) for g, e in zip(got, expected))
    kept = backend.forward(inputs[0]).logits
    backend.forward(inputs[1])
    assert torch.equal(kept, expected[0])  # an output is not the request's memory


def test_openvino_without_openvino_says_how_to_get_it(tmp_path, monkeypatch, exports):
    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino -> ImportError
    with pytest.raises(OpenVinoUnavailable, match="not installed here: pip install openvino"):
        make_backend("openvino", tiny(), tmp_path)
    assert exports == []  # refused before exporting
    assert isinstance(make_backend("auto", tiny(), tmp_path), OnnxBackend)


def test_the_cache_key_follows_the_weights():
    assert export.weights_id(tiny(0)) == export.weights_id(tiny(0))
    edited = tiny(0)
    with torch.no_grad():
        edited.net[0].weight[0, 0, 0, 0] += 1e-3
    assert export.weights_id(edited) != export.weights_id(tiny(0))
    assert export.weights_id(tiny(1)) != export.weights_id(tiny(0))
    assert export.weights_id(tiny(0), size=112) != export.weights_id(tiny(0))


def test_the_cache_folder_follows_perturber_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    assert export.cache_path(tiny()).parent == tmp_path / "onnx"
    monkeypatch.delenv("PERTURBER_CACHE")
    assert export.cache_dir() == export.REPO_ROOT / "cache" / "onnx"


def test_a_failed_export_leaves_no_file(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(torch.onnx, "export", broken)
    with pytest.raises(RuntimeError):
        make_backend("onnx", tiny(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_auto_is_onnx_when_it_works_and_torch_without_onnxruntime(tmp_path, monkeypatch, caplog,
                                                                   exports):
    assert isinstance(make_backend("auto", tiny(), tmp_path), OnnxBackend)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with caplog.at_level(logging.INFO, logger="nets.backends"):
        backend = make_backend("auto", tiny(1), tmp_path)
    assert isinstance(backend, TorchBackend) and len(exports) == 1
    assert "onnx backend unavailable" in caplog.text and "onnxruntime" in caplog.text
    assert all(r.levelno < logging.WARNING for r in caplog.records)  # auto: torch, quietly
    with pytest.raises(ImportError):
        make_backend("onnx", tiny(1), tmp_path)
    with pytest.raises(OnnxUnavailable, match="not installed here: pip install onnxruntime"):
        make_backend("onnx", tiny(1), tmp_path)
    with pytest.raises(ValueError):
        make_backend("tensorrt", tiny(), tmp_path)


def test_torch_backend_is_nets_forward():
    model, x = tiny(), torch.rand(2, 3, 224, 224)
    out = make_backend("torch", model).forward(x, "conv", logits=False)
    assert out.logits is None and out.activations.shape == (2, 4, 112, 112)
    assert torch.equal(make_backend("torch", model).forward(x).logits, model(x))
