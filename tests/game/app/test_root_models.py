"""The app with live models, offscreen: inference order, modes, slots, hooks."""
from pathlib import Path

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


def test_after_a_failed_load_the_menu_shows_the_model_still_loaded(app, tmp_path):
    from game.app.slots import registry_choices
    from nets import registry

    broken = tmp_path / "broken_weights.pth"
    broken.write_bytes(b"not a checkpoint")
    registry.register_user_checkpoint(broken, "mobilenet_v2", name="broken_weights")
    row = app.slots_view.slots["model2"]
    try:
        app.slots_view.set_choices(registry_choices())  # listed and pickable: it is here
        n = len(app.messages)
        row.menu.pick("broken_weights")                # the visitor picks it; it fails
        app.step(2)
        assert len(app.messages) == n + 1 and "broken_weights" in app.messages[-1]
        assert app.params["model2"] == "efficientnet_lite0"
        assert row.menu.value == "efficientnet_lite0"  # the model actually loaded
        assert app.engine.result.outputs[1].model == "efficientnet_lite0"
        assert "broken_weights" in row.status.text  # said at the slot, not on the status line
        assert not (app.status_line.visible and app.status_line.error)
        assert "broken_weights" not in app.scene_panel.controls.status["text"]
        app.save_window_screenshot(Path(__file__).resolve().parents[3] / "out" /
                                   "app_failed_model_load.png")
        row.menu.pick("mobilenet_v2_adv")              # a good one clears the message
        app.step(2)                                    # (its robustness note shows again)
        assert row.status.text == registry.get("mobilenet_v2_adv").robustness
        assert row.menu.value == "mobilenet_v2_adv"
    finally:
        app.params.set("model2", "efficientnet_lite0")
        registry.unregister("broken_weights")
        app.slots_view.set_choices(registry_choices())
        app.step(2)


def test_picking_a_model_without_the_shown_checkpoint_loads_its_final_weights(app):
    """Model 2 on a training checkpoint; a model without that checkpoint picked in the
    menu comes with its final weights, without an error."""
    row = app.slots_view.slots["model2"]
    n = len(app.messages)
    try:
        row.menu.pick("mobilenet_v2_adv")
        app.params.set("model2_checkpoint", 31)
        app.step(2)
        assert (app.slots.loaded["model2"].name, app.slots.loaded["model2"].checkpoint) == (
            "mobilenet_v2_adv", 31)
        row.menu.pick("efficientnet_lite0")
        app.step(2)
        assert len(app.messages) == n and "model2" not in app.slots.errors
        assert (app.slots.loaded["model2"].name, app.slots.loaded["model2"].checkpoint) == (
            "efficientnet_lite0", 0)
        assert app.params["model2_checkpoint"] == 0 and row.menu.value == "efficientnet_lite0"
        assert app.engine.result.outputs[1].model == "efficientnet_lite0"
    finally:
        app.params.update({"model2": "efficientnet_lite0", "model2_checkpoint": 0})
        app.step(2)


def test_errors_show_on_one_status_line_under_what_failed(app):
    line = app.status_line
    app.params.set("background", "/no/such/background.png")  # a scene input that fails
    app.step()
    menu = app.scene_panel.background_menu.menu
    assert line.visible and "background.png" in line.message
    from game.app.input.focus import bounds

    left, _right, bottom, _top = bounds(menu, app.base.aspect2d)
    x, z = line.root.getX(), line.root.getZ()
    assert abs(x - left) < 0.05 and bottom - 0.06 < z <= bottom     # right under the menu
    assert "background.png" not in app.scene_panel.controls.status["text"]  # not the GLSL's
    assert line.text.width() <= 2 * app.base.getAspectRatio()      # one line, in the window
    app.save_window_screenshot(Path(__file__).resolve().parents[3] / "out" / "app_status_line.png")
    line.hide()
    app.actions.do("no.such.action")
    assert line.visible and "no.such.action" in line.message


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
