"""The interactive app with an empty ONNX cache: its models run on torch until exported."""
import time

from game.app.root import PerturberApp
from game.core.params import ParamState


def test_the_interactive_app_shows_models_on_torch_until_their_graphs_are_exported(
        background_file, tmp_path, monkeypatch):
    """With background exports and an empty cache, frames go on while children export."""
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    params = ParamState()
    params.update({"object": "sphere_box", "background": str(background_file)})
    app = PerturberApp(params=params, offscreen=True, background_exports=True)
    try:
        app.step(3)
        assert [o.model for o in app.engine.result.outputs] == ["mobilenet_v2", "efficientnet_lite0"]
        for slot in ("model1", "model2"):
            assert app.slots.loaded[slot].backend.name == "torch"
            assert "ONNX" in app.slots_view.slots[slot]._message
        deadline = time.monotonic() + 300
        while app.slots.live:
            assert time.monotonic() < deadline, "the exports did not end"
            app.step()  # the app's own task polls the slots
            time.sleep(0.05)
        assert [m.backend.name for m in app.slots.enabled()] == ["onnx", "onnx"]
        assert all(app.slots_view.slots[s]._message == "" for s in ("model1", "model2"))
        app.params.set("yaw", 20.0)
        app.step(2)
        assert app.engine.result.outputs[0].top  # inference goes on, now on onnx
    finally:
        app.destroy()
