"""Model slots with background exports: torch at once, onnx when the graph is written."""
import time

import pytest

from game.app.slots import ModelSlots
from game.core.params import ParamState
from nets.backends import OnnxBackend, TorchBackend
from tests.game.app.test_engine import loader

TIMEOUT_S = 180


@pytest.fixture
def slots(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))  # the ONNX exports go there
    params = ParamState()
    params.update({"model1": "a", "model2": "b", "layer": "a_c1"})
    changed, errors = [], []
    s = ModelSlots(params, loader, on_error=errors.append, on_change=changed.append,
                   backend="auto", background_exports=True)
    yield s, params, changed, errors
    s.destroy()


def settle(slots):
    deadline = time.monotonic() + TIMEOUT_S
    while slots.live:
        assert time.monotonic() < deadline, "the exports did not end"
        slots.poll()
        time.sleep(0.05)


def test_slots_run_on_torch_with_a_note_then_move_to_onnx_without_a_rerun(slots):
    s, _params, changed, errors = slots
    assert [type(m.backend) for m in s.enabled()] == [TorchBackend, TorchBackend]
    assert set(s.notes) == {"model1", "model2"} and "ONNX" in s.notes["model1"]
    s.set_edited(s.loaded["model1"].model)  # the Edited slot holds Model 1's own model
    version, changed[:] = s.version, []
    settle(s)
    assert [type(m.backend) for m in s.enabled()] == [OnnxBackend, OnnxBackend]
    assert s.loaded["edited"].backend is s.loaded["model1"].backend
    assert s.notes == {} and sorted(changed) == ["model1", "model2"]  # the views hear of it
    assert s.version == version  # the numbers agree within tolerance: nothing re-inferred
    assert not errors


def test_a_model_picked_while_its_predecessor_exports_stops_that_export(slots):
    s, params, _changed, errors = slots
    job = s.live["model1"]._job
    params.set("model1", "b")  # b's graph is being exported for Model 2: shared
    assert not job.running() and s.live["model1"]._job is s.live["model2"]._job
    assert s.loaded["model1"].name == "b" and "model1" in s.notes
    settle(s)
    assert {type(m.backend) for m in s.enabled()} == {OnnxBackend} and not errors


def test_without_background_exports_the_load_waits_for_the_graph(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    params = ParamState()
    params.update({"model1": "a", "model2": "b"})
    s = ModelSlots(params, loader, backend="auto")
    try:
        assert {type(m.backend) for m in s.enabled()} == {OnnxBackend} and s.live == {}
    finally:
        s.destroy()
