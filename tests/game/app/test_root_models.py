"""The app with live models, offscreen: inference order, modes, slots, hooks."""
import numpy as np
import pytest

from tests.game.conftest import sphere_box_app
from nets.taps import hook_count


@pytest.fixture(scope="module")
def app(background_file):
    a = sphere_box_app(background_file)
    a.step(3)
    yield a
    a.params.set("inference_mode", "sync")
    a.destroy()


def test_both_bundled_models_are_live(app):
    result = app.engine.result
    assert [o.slot for o in result.outputs] == ["model1", "model2"]
    assert [o.model for o in result.outputs] == ["mobilenet_v2", "efficientnet_lite0"]
    for out in result.outputs:
        assert len(out.top) == 5 and out.activations.ndim == 3
    assert result.outputs[0].layer == "block13"


def test_sync_mode_never_shows_activations_older_than_the_frame(app):
    app.params.set("inference_mode", "sync")
    for k in range(6):
        app.params.set("yaw", -40.0 + 3 * k)
        app.step()
        # the scene view shows the frame the views' result was computed from
        assert app.shown_serial == app.engine.result.frame_serial == app.pipeline.frame.serial
        assert np.array_equal(app.engine.result.image, app.pipeline.frame.image)
    shown = app.layout._image.getTexture()
    assert shown.getName() == app.shown_texture.getName() == "shown-frame"


def test_no_new_inference_without_a_change_and_hooks_never_leak(app):
    app.step(2)
    runs = app.engine.runs
    app.step(5)
    assert app.engine.runs == runs
    app.params.set("n_neurons", 6)  # a view setting: redraw, no inference
    app.step(2)
    assert app.engine.runs == runs
    for k in range(20):
        app.params.set("hue", 0.01 * (k % 3))
        app.step()
    assert app.engine.runs >= runs + 2
    for loaded in app.slots.enabled():
        assert hook_count(loaded.model) == 0


def test_predictions_off_truncates_and_model2_off_leaves_one_row(app):
    app.params.update({"show_predictions": 0, "model2_enabled": 0})
    app.step(2)
    result = app.engine.result
    assert [o.slot for o in result.outputs] == ["model1"] and result.outputs[0].top is None
    app.params.update({"show_predictions": 1, "model2_enabled": 1})
    app.step(2)
    assert len(app.engine.result.outputs) == 2


def test_worker_mode_keeps_the_window_going_and_catches_up(app):
    app.params.set("inference_mode", "worker")
    app.step()
    assert app.layout._image.getTexture().getName() == app.pipeline.output.getName()  # live
    for k in range(8):
        app.params.set("yaw", -30.0 - k)
        app.step()
    app.engine.wait_idle()
    app.step()
    assert app.engine.result.frame_serial == app.pipeline.frame.serial
    app.params.set("inference_mode", "sync")
    app.step(2)


def test_an_unloadable_model_is_reported_and_the_slot_keeps_its_model(app):
    n = len(app.messages)
    app.params.set("model2", "resnet50")  # registered, but no weights on this machine
    app.step(2)
    assert len(app.messages) > n and "resnet50" in app.messages[-1]
    assert app.params["model2"] == "efficientnet_lite0"
    assert app.engine.result.outputs[1].model == "efficientnet_lite0"


def test_window_screenshot_with_both_models_live(app, tmp_path):
    path = app.save_window_screenshot(tmp_path / "models.png")
    from PIL import Image

    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    # the Model 1 bars (dark blue) and Model 2 bars (light blue) are on screen
    for colour in ((33, 77, 163), (125, 186, 245)):
        close = (np.abs(img - np.array(colour)).sum(-1) < 40).sum()
        assert close > 500, colour


def test_neuron_groups_arrive_for_both_models(app):
    app.groups.wait(300)
    app.step(3)
    for out in app.engine.result.outputs:
        assert set(out.groups) == {"most_active", "dog", "cat", "fire_truck", "race_car"}
        assert all(len(ch) == 8 and max(ch) < out.activations.shape[0]
                   for ch in out.groups.values())
