"""The live pass on onnxruntime and on OpenVINO gives what it gives on torch, on really
rendered frames.

For every registered model with weights here: the same top-5 and logits within 1e-3
per frame, and every tappable layer's activations within 1e-4 of the layer's largest
absolute activation, through ``run_job`` as the app runs it. One export per model, into
a cache folder shared by this module.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from game.app.engine import Job, run_job
from game.app.slots import LoadedModel
from nets import registry
from nets.backends import OnnxBackend, OpenVinoBackend, TorchBackend

LOGIT_ATOL = 1e-3
ACTIVATION_RTOL = 1e-4  # of the layer's largest |activation|
# Frames far apart: the default view, another camera and hue, a morph on a blurred
# background, shuffled patches.
SETTINGS = ({}, {"yaw": 40.0, "pitch": 20.0, "hue": 0.2},
            {"overall_morph": 1.0, "background_blur": 0.5}, {"patch_shuffle": 3})
ENTRIES = [pytest.param(e.name, marks=pytest.mark.skipif(not e.available(),
                                                         reason=f"no weights for {e.name} here"))
           for e in registry.entries()]


@pytest.fixture(scope="module")
def frames(scene):
    params, pipeline, _ = scene
    camera = dict(pipeline.scene.pair.camera)
    out = []
    for values in SETTINGS:
        params.reset()
        params.update({**camera, **values})
        out.append(pipeline.render_now())
    params.reset()
    params.update(camera)
    return out


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx")


def loaded(name: str, backend) -> LoadedModel:
    return LoadedModel("model1", name, 0, backend.model, name, name, backend=backend)


@pytest.fixture(scope="module", params=ENTRIES)
def name(request):
    return request.param


@pytest.fixture(scope="module", params=[OnnxBackend, OpenVinoBackend], ids=["onnx", "openvino"])
def pair(request, name, onnx_cache):
    """The model of one registry entry on torch and on a graph backend."""
    model = registry.load(name)
    return (loaded(name, TorchBackend(model)), loaded(name, request.param(model, onnx_cache)))


def job(frame, models, layers, activations=True, predictions=True) -> Job:
    return Job(frame, tuple(models), tuple(layers), activations, predictions, key=())


def test_top5_and_logits_match_torch(pair, frames):
    on_torch, on_graph = pair
    layer = registry.get(on_torch.name).default_layer
    for frame in frames:
        expected, = run_job(job(frame, [on_torch], [layer])).outputs
        got, = run_job(job(frame, [on_graph], [layer])).outputs
        assert [t["index"] for t in got.top] == [t["index"] for t in expected.top]
        assert np.allclose([t["logit"] for t in got.top], [t["logit"] for t in expected.top],
                           rtol=0, atol=LOGIT_ATOL)
        scale = np.abs(expected.activations).max()
        assert np.abs(got.activations - expected.activations).max() <= ACTIVATION_RTOL * scale
    x = torch.from_numpy(np.stack([f.as_float() for f in frames]))
    logits = on_graph.backend.forward(x).logits
    assert (logits - on_torch.backend.forward(x).logits).abs().max().item() < LOGIT_ATOL


def test_every_layer_matches_torch(pair, frames):
    on_torch, on_graph = pair
    frame = frames[1]
    for layer in on_torch.model.layers:
        expected, = run_job(job(frame, [on_torch], [layer.name], predictions=False)).outputs
        got, = run_job(job(frame, [on_graph], [layer.name], predictions=False)).outputs
        assert got.activations.shape == expected.activations.shape == layer.shape, layer.name
        scale = np.abs(expected.activations).max()
        assert (np.abs(got.activations - expected.activations).max()
                <= ACTIVATION_RTOL * scale), layer.name
        assert got.top is None and np.isclose(got.layer_std, expected.layer_std, rtol=1e-3)


@pytest.mark.parametrize("backend", [OnnxBackend, OpenVinoBackend], ids=["onnx", "openvino"])
def test_models_side_by_side_give_the_same_numbers_as_one_after_the_other(frames, onnx_cache,
                                                                          backend):
    names = [n for n in ("mobilenet_v2", "efficientnet_lite0") if registry.get(n).available()]
    if len(names) < 2:
        pytest.skip("needs the weights of the default two models")
    models = [loaded(n, backend(registry.load(n), onnx_cache)) for n in names]
    layers = [registry.get(n).default_layer for n in names]
    with ThreadPoolExecutor(1) as pool:
        for frame in frames[:2]:
            alone = run_job(job(frame, models, layers))
            together = run_job(job(frame, models, layers), pool=pool)
            for a, b in zip(alone.outputs, together.outputs):
                assert a.model == b.model and a.top == b.top
                assert np.array_equal(a.activations, b.activations)
