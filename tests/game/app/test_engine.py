"""The inference engine with tiny exact models and Panda3D's real task manager."""
import numpy as np
import pytest
import torch
from direct.task.Task import TaskManager
from torch import nn

from game.app.engine import InferenceEngine, most_active
from game.app.slots import ModelSlots
from game.core.params import ParamState
from game.render.pipeline import Frame
from nets.classifier import Classifier, Layer
from nets.taps import hook_count


def tiny(name: str, seed: int, depth: int = 2) -> Classifier:
    torch.manual_seed(seed)
    convs = [nn.Conv2d(3, 6, 3, stride=2, padding=1), nn.ReLU()]
    for _ in range(depth - 1):
        convs += [nn.Conv2d(6, 6, 3, padding=1), nn.ReLU()]
    net = nn.Sequential(*convs, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 10))
    layers = tuple(Layer(f"{name}_c{i}", str(2 * i + 1), 6, 112) for i in range(depth))
    return Classifier(name, net, (0.5,) * 3, (0.25,) * 3, layers)


MODELS = {"a": lambda: tiny("a", 0), "b": lambda: tiny("b", 1, depth=4)}


def loader(name, checkpoint):
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}")
    return MODELS[name](), f"Tiny {name.upper()}", f"{name}@{checkpoint}"


def frame(serial: int) -> Frame:
    rng = np.random.default_rng(serial)
    return Frame(rng.integers(0, 256, (224, 224, 3), dtype=np.uint8), serial, serial)


@pytest.fixture
def setup():
    params = ParamState()
    params.update({"model1": "a", "model2": "b", "layer": "a_c1"})
    errors, results = [], []
    slots = ModelSlots(params, loader, on_error=errors.append)
    mgr = TaskManager()
    engine = InferenceEngine(mgr, params, slots, results.append, on_error=errors.append)
    yield params, slots, engine, mgr, results, errors
    engine.destroy()
    slots.destroy()
    mgr.destroy()


def test_sync_mode_infers_each_new_frame_once_in_order(setup):
    params, slots, engine, _, results, errors = setup
    for serial in (1, 2, 2, 3):
        engine.submit(frame(serial))
    assert [r.frame_serial for r in results] == [1, 2, 3] and engine.runs == 3
    last = results[-1]
    assert [o.slot for o in last.outputs] == ["model1", "model2"]
    a, b = last.outputs
    assert a.layer == "a_c1" and b.layer == "b_c3"  # same relative depth in the deeper net
    assert a.activations.shape == (6, 112, 112) and len(a.top) == 5
    assert a.top[0]["prob"] >= a.top[1]["prob"]
    assert np.isclose(a.layer_std, a.activations.std())
    assert a.groups["most_active"] == most_active(a.activations)
    assert (last.image == frame(3).image).all() and not errors


def test_reruns_only_when_the_models_or_the_view_change(setup):
    params, slots, engine, _, results, _ = setup
    engine.submit(frame(1))
    params.set("n_neurons", 7)       # view only: no new inference
    params.set("act_normalization", 2)
    engine.submit()
    assert engine.runs == 1
    params.set("layer", "a_c0")
    engine.submit()
    assert engine.runs == 2 and results[-1].outputs[0].layer == "a_c0"
    params.set("model2_enabled", 0)
    engine.submit()
    assert [o.slot for o in results[-1].outputs] == ["model1"]
    params.set("show_predictions", 0)
    engine.submit()
    assert results[-1].outputs[0].top is None and results[-1].outputs[0].activations is not None
    params.set("show_activations", 0)
    params.set("show_predictions", 1)
    engine.submit()
    out = results[-1].outputs[0]
    assert out.activations is None and out.top is not None and engine.runs == 5


def test_a_model_that_fails_to_load_is_reported_and_the_slot_keeps_its_model(setup):
    params, slots, engine, _, results, errors = setup
    params.set("model2", "missing")
    assert "could not load 'missing'" in errors[-1]
    assert params["model2"] == "b" and slots.loaded["model2"].name == "b"


def test_worker_mode_latest_input_wins_and_leaves_no_hooks(setup):
    params, slots, engine, mgr, results, errors = setup
    params.set("inference_mode", "worker")
    assert engine.mode == "worker"
    for serial in range(1, 30):
        engine.submit(frame(serial))
        mgr.step()
        engine.poll()
    engine.wait_idle()
    engine.poll()
    serials = [r.frame_serial for r in results]
    assert serials == sorted(serials) and serials[-1] == 29
    assert engine.runs <= 29
    for loaded in slots.enabled():
        assert hook_count(loaded.model) == 0
    params.set("inference_mode", "sync")
    engine.submit(frame(30))
    assert results[-1].frame_serial == 30 and not errors


def test_an_exception_in_a_model_is_reported_and_the_engine_carries_on(setup):
    params, slots, engine, _, results, errors = setup

    class Broken(nn.Module):
        layers = ()

        def forward(self, x):
            raise RuntimeError("boom")

    slots.set_edited(Broken())
    params.set("edited_enabled", 1)
    engine.submit(frame(1))
    assert "boom" in errors[-1] and not results
    params.set("edited_enabled", 0)
    engine.submit()
    assert results[-1].frame_serial == 1


def declaring(name: str) -> Classifier:
    """A tiny network that declares the registry entry ``name``'s tappable layers."""
    from nets import registry

    net = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 10))
    return Classifier(name, net, (0.5,) * 3, (0.25,) * 3, registry.get(name).layers)


@pytest.mark.parametrize("wanted,tapped", [
    ("block13", ("block13", "block12")),      # Lite0's block13 is deeper: the depth wins
    ("conv_first", ("conv_first", "stem")), ("conv_last", ("conv_last", "head")),
    ("mixed4d", ("block13", "block12")),      # no layer of Model 1: the default depth
])
def test_model2_is_tapped_at_model1s_relative_depth(wanted, tapped):
    params = ParamState()
    params.update({"model1": "mobilenet_v2", "model2": "efficientnet_lite0", "layer": wanted,
                   "show_activations": 0})
    results, mgr = [], TaskManager()
    slots = ModelSlots(params, lambda name, _checkpoint: (declaring(name), name, name))
    engine = InferenceEngine(mgr, params, slots, results.append)
    engine.submit(frame(1))
    assert tuple(o.layer for o in results[-1].outputs) == tapped
    engine.destroy()
    slots.destroy()
    mgr.destroy()


def test_input_filters_replace_the_frame_and_rerun_when_their_version_changes(setup):
    params, slots, engine, _, results, _ = setup

    class Grey:
        version = 0

        def __call__(self, f):
            return Frame(np.full_like(f.image, 128), f.serial, f.params_version)

    grey = Grey()
    engine.input_filters.append(grey)
    engine.submit(frame(1))
    engine.submit()
    assert engine.runs == 1 and (results[-1].image == 128).all()
    grey.version += 1
    engine.submit()
    assert engine.runs == 2
    engine.input_filters.remove(grey)
    engine.submit()
    assert engine.runs == 3 and not (results[-1].image == 128).all()


def test_closing_in_worker_mode_stops_the_worker_thread():
    params = ParamState()
    params.update({"model1": "a", "model2": "b", "layer": "a_c1", "inference_mode": "worker"})
    results, mgr = [], TaskManager()
    slots = ModelSlots(params, loader)
    engine = InferenceEngine(mgr, params, slots, results.append)
    engine.submit(frame(1))
    engine.wait_idle()
    engine.destroy()
    chain = mgr.mgr.findTaskChain("perturber-inference")
    assert chain.getNumRunningThreads() == 0 and engine.runs == 1
    slots.destroy()
    mgr.destroy()


def test_the_edited_slot_runs_on_torch_unless_it_holds_a_slots_own_model(setup):
    from nets.backends import TorchBackend

    params, slots, *_ = setup
    model1 = slots.loaded["model1"]
    slots.set_edited(model1.model)
    assert slots.loaded["edited"].backend is model1.backend
    slots.set_edited(tiny("edit", 3))
    assert isinstance(slots.loaded["edited"].backend, TorchBackend)


def test_switching_the_backend_reruns_with_the_same_results(setup, tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))  # the ONNX exports go there
    params, slots, engine, _, results, errors = setup
    engine.submit(frame(1))
    slots.set_backend("onnx")
    engine.submit()
    assert engine.runs == 2 and [m.backend.name for m in slots.enabled()] == ["onnx", "onnx"]
    for on_torch, on_onnx in zip(results[-2].outputs, results[-1].outputs):
        assert [t["index"] for t in on_torch.top] == [t["index"] for t in on_onnx.top]
        assert np.allclose(on_torch.activations, on_onnx.activations, rtol=1e-4, atol=1e-5)
    assert not errors


@pytest.mark.parametrize("backend", ["onnx", "openvino"])
def test_worker_mode_on_a_graph_backend_gives_the_numbers_of_torch(backend, tmp_path,
                                                                     monkeypatch):
    """Panda3D's task-chain thread runs every job with a new Python thread state: a
    backend must keep nothing per thread (OpenVINO once kept its requests so, and the
    process crashed when the thread state was deleted after the task)."""
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    results = {}
    for name in ("torch", backend):
        params = ParamState()
        params.update({"model1": "a", "model2": "b", "layer": "a_c1",
                       "inference_mode": "sync" if name == "torch" else "worker"})
        errors, got = [], []
        slots = ModelSlots(params, loader, on_error=errors.append, backend=name)
        mgr = TaskManager()
        engine = InferenceEngine(mgr, params, slots, got.append, on_error=errors.append)
        try:
            for serial in range(1, 13):
                engine.submit(frame(serial))
                mgr.step()
                if name != "torch":
                    engine.wait_idle()  # every frame a job of its own, a task run each
                    mgr.step()
                    engine.poll()
        finally:
            engine.destroy()
            slots.destroy()
            mgr.destroy()
        assert not errors and {m.backend.name for m in slots.enabled()} == {name}
        results[name] = {r.frame_serial: r for r in got}
    assert sorted(results[backend]) == list(range(1, 13))
    for serial, expected in results["torch"].items():
        for a, b in zip(results[backend][serial].outputs, expected.outputs):
            assert [t["index"] for t in a.top] == [t["index"] for t in b.top]
            assert np.allclose(a.activations, b.activations, atol=1e-4)
