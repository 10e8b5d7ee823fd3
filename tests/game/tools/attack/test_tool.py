"""The PGD tool in a real offscreen app: composite, overlay, network input, resets."""
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from game.core.attack_image import GREY, composite, gain_factor, image_eps, l2_linf, to_uint8
from game.core.parsers import parse_target
from game.core.params import ParamError

SHOT = Path(os.environ.get("PERTURBER_ATTACK_SHOT", "/tmp/attack.png"))


# -- pure helpers -------------------------------------------------------------------------
def test_composite_fades_the_perturbation_and_the_original_to_grey():
    rng = np.random.default_rng(0)
    original = rng.random((3, 4, 4)).astype(np.float32)
    delta = (rng.random((3, 4, 4)).astype(np.float32) - 0.5) * 0.1
    assert np.allclose(composite(original, delta, 1, 1), np.clip(original + delta, 0, 1))
    assert np.allclose(composite(original, delta, 0, 1), original)
    assert np.allclose(composite(original, delta, 0, 0), GREY)
    assert np.allclose(composite(original, delta, 1, 0), np.clip(GREY + delta, 0, 1))
    half = composite(original, delta, 0.5, 0.5)
    assert np.allclose(half, np.clip(GREY + (original - GREY) / 2 + delta / 2, 0, 1))
    assert composite(np.ones((3, 2, 2)), np.ones((3, 2, 2)), 1, 1).max() == 1.0
    assert to_uint8(np.full((2, 2, 3), 0.5)).ravel().tolist() == [128] * 12


def test_gain_amplifies_the_perturbation_auto_brings_its_peak_to_full_contrast():
    original = np.full((3, 2, 2), 0.5, np.float32)
    delta = np.array([0.01, -0.02, 0.0, 0.005] * 3, np.float32).reshape(3, 2, 2)
    assert np.allclose(composite(original, delta, 1, 0, 10.0), GREY + 10 * delta)
    assert gain_factor(10.0, delta) == 10.0 and gain_factor(1.0, delta) == 1.0
    auto = gain_factor(0.0, delta)
    assert auto == pytest.approx(25.0)              # 0.5 / 0.02
    assert np.abs(composite(original, delta, 1, 0, auto) - GREY).max() == pytest.approx(0.5)
    assert gain_factor(0.0, delta, attack_alpha=0.5) == pytest.approx(50.0)
    assert gain_factor(0.0, np.zeros((3, 2, 2))) == 1.0  # nothing to amplify yet


def test_eps_units_and_target_parsing():
    assert image_eps("l2", 1.5) == 1.5
    assert image_eps("linf", 8) == pytest.approx(8 / 255)
    for bad in (("l1", 1), ("l2", -1), ("linf", float("nan"))):
        with pytest.raises(ParamError):
            image_eps(*bad)
    assert parse_target("") is None and parse_target(" 291 ") == 291
    with pytest.raises(ParamError, match="class index"):
        parse_target("lion")
    assert l2_linf(np.array([3.0, -4.0])) == (5.0, 4.0)


# -- the tool in the app ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def app():
    from game.app.root import PerturberApp

    a = PerturberApp(offscreen=True, size=(1280, 800))  # the default dog on the lawn
    if hasattr(a.featvis, "paused"):  # no class pictures made in the background: faster
        a.featvis.paused = True
    a.controller.use_preferred_camera()
    a.step(3)
    yield a
    a.destroy()


@pytest.fixture
def tool(app):
    t = app.tools["attack"]
    app.params.update({"attack_model": "model1", "attack_norm": "l2", "attack_eps": 1.0,
                       "attack_target": "", "attack_alpha": 1.0, "original_alpha": 1.0,
                       "model1_enabled": 1, "model2_enabled": 0})  # one network: faster
    t.reset()
    app.step(2)
    yield t
    t.reset()
    app.step()


def slot_logits(app, slot="model1"):
    out = app.engine.result.output(slot)
    return {e["index"]: e["logit"] for e in out.top}


def model_logits(app, values, slot="model1"):
    with torch.no_grad():
        return app.slots.loaded[slot].model(torch.from_numpy(values)[None])[0]


def test_a_step_changes_the_overlay_and_the_networks_input(app, tool):
    app.params.update({"attack_norm": "linf", "attack_eps": 8})  # visible in 8 bits
    live = app.pipeline.frame
    assert not tool.overlay.visible and tool.filter not in app.engine.input_filters
    assert tool.step() and tool.active
    app.step()
    assert tool.session.frame is live  # started on the frame the networks saw
    assert tool.overlay.visible and tool.filter in app.engine.input_filters
    shown = tool.overlay.image
    assert shown.shape == (224, 224, 3) and not np.array_equal(shown, live.image)
    result = app.engine.result
    assert np.array_equal(result.image, shown)  # the networks saw the composite
    # ... the exact float composite, not its 8-bit picture
    want = model_logits(app, tool.filter.values)
    for index, logit in slot_logits(app).items():
        assert logit == pytest.approx(float(want[index]), abs=1e-3)
    # the perturbation is one Linf step of eps/8 = 1/255
    delta = tool.session.attack.perturbation[0].numpy()
    assert np.abs(delta).max() == pytest.approx(1 / 255, abs=1e-6)
    texts = tool.overlay.texts()
    original = tool.session.original
    assert texts["top_left"].startswith("before") and f"{original['prob']:.1%}" in texts["top_left"]
    assert texts["top_right"].startswith("after") and texts["bottom_right"].startswith("now")
    version = tool.filter.version
    tool.step()
    app.step()
    assert tool.filter.version > version and tool.session.attack.steps_done == 2
    assert not np.array_equal(app.engine.result.image, shown)


def test_untargeted_steps_lower_the_original_class(app, tool):
    for _ in range(3):
        assert tool.step()
    app.step()
    probs = tool.last_probs
    assert probs["after"]["index"] == tool.session.original["index"]
    assert probs["after"]["prob"] < tool.session.original["prob"]


def test_alphas_recompose_without_restarting(app, tool):
    app.params.update({"attack_norm": "linf", "attack_eps": 8})
    tool.step()
    tool.step()
    app.step()
    live = app.pipeline.frame.image
    app.params.set("attack_alpha", 0.0)  # the original again
    app.step()
    assert tool.active and tool.session.attack.steps_done == 2
    assert np.array_equal(app.engine.result.image, live)
    assert np.array_equal(tool.overlay.image, live)
    app.params.set("original_alpha", 0.0)  # and nothing but 50% grey
    app.step()
    assert (app.engine.result.image == 128).all()
    app.params.set("attack_alpha", 1.0)  # the perturbation on grey
    app.step()
    values = tool.filter.values
    delta = tool.session.attack.perturbation[0].numpy()
    assert np.allclose(values, np.clip(GREY + delta, 0, 1), atol=1e-6)


def test_gain_shows_the_perturbation_amplified_and_says_by_how_much(app, tool):
    app.params.update({"original_alpha": 0.0, "attack_gain": 1.0})  # perturbation only
    try:
        assert tool.step()
        app.step()
        delta = tool.session.attack.perturbation[0].numpy()
        faint = tool.overlay.image.astype(int)
        assert np.allclose(tool.filter.values, np.clip(GREY + delta, 0, 1), atol=1e-6)
        assert "perturbation" not in tool.overlay.texts()["bottom_left"]
        app.params.set("attack_gain", 10.0)
        app.step()
        assert tool.active and tool.session.attack.steps_done == 1  # re-composed only
        assert np.allclose(tool.filter.values, np.clip(GREY + 10 * delta, 0, 1), atol=1e-6)
        assert np.array_equal(app.engine.result.image, tool.overlay.image)  # what they see
        assert "perturbation x10" in tool.overlay.texts()["bottom_left"]
        app.params.set("attack_gain", 0.0)  # auto
        app.step()
        assert tool.gain == pytest.approx(0.5 / np.percentile(np.abs(delta), 99), rel=1e-4)
        assert np.abs(tool.filter.values - GREY).max() == pytest.approx(0.5, abs=1e-4)
        assert "(auto)" in tool.overlay.texts()["bottom_left"]
        shown = tool.overlay.image.astype(int)
        assert np.abs(shown - 128).mean() > 5 * max(np.abs(faint - 128).mean(), 0.2)
        app.save_window_screenshot(SHOT.with_name(SHOT.stem + "-gain.png"))
    finally:
        app.params.update({"original_alpha": 1.0, "attack_gain": 1.0})


def test_with_three_models_the_panel_folds_and_unfolding_clears_its_note(app, tool):
    panel, view = tool.panel, app.prediction_view
    app.params.update({"model2_enabled": 1, "edited_enabled": 1})
    try:
        app.step(3)
        assert len(view.blocks) == 3
        assert panel.collapsed and "folded: no room" in panel.header["text"]
        panel.header["command"]()  # opened again: prediction blocks fold instead
        app.step(2)
        assert not panel.collapsed and "folded" not in panel.header["text"]
        assert any(view.collapsed.values())
    finally:
        app.params.update({"model2_enabled": 0, "edited_enabled": 0})
        for slot in list(view.collapsed):
            view.set_collapsed(slot, False)
        app.step(2)


def test_reset_restores_the_live_frame(app, tool):
    tool.step()
    app.step()
    assert not np.array_equal(app.engine.result.image, app.pipeline.frame.image) or \
        tool.filter in app.engine.input_filters
    tool.reset()
    app.step()
    assert not tool.active and not tool.overlay.visible
    assert tool.filter not in app.engine.input_filters
    assert np.array_equal(app.engine.result.image, app.pipeline.frame.image)
    assert app.shown_serial == app.pipeline.frame.serial


def test_a_click_in_the_scene_view_resets_a_drag_orbits(app, tool):
    left, right, bottom, top = app.layout.scene_view_bounds()
    x, y = (left + right) / 2, (bottom + top) / 2
    vm = app.virtual_mouse
    tool.step()
    vm.move_to(x, y)
    app.step()
    vm.press()
    app.step()
    vm.release()
    app.step()
    assert not tool.active and "scene clicked" in tool.panel.status.text
    tool.step()
    yaw = app.params["yaw"]
    vm.press()
    app.step()
    vm.move_to(x + 0.05, y)  # a drag changes the camera: the scene changed
    app.step()
    vm.release()
    app.step()
    assert app.params["yaw"] != yaw and not tool.active


def test_scene_and_attack_setting_changes_reset_alphas_do_not(app, tool):
    for name, value in (("hue", 0.1), ("overall_morph", 0.3), ("attack_eps", 2.0),
                        ("attack_norm", "linf"), ("attack_target", "281"),
                        ("attack_model", "model2")):
        assert tool.step(), name
        app.params.set(name, value)
        assert not tool.active, name
    app.params.update({"hue": 0.0, "overall_morph": 0.0, "attack_model": "model1"})
    app.step()
    assert tool.step()
    app.params.set("original_alpha", 0.5)
    assert tool.active


def test_targeted_attack_raises_the_target(app, tool):
    app.params.update({"attack_target": "281", "attack_norm": "linf", "attack_eps": 8})
    tool.step()
    app.step()
    first = float(torch.softmax(model_logits(app, tool.filter.values), 0)[281])
    for _ in range(2):
        tool.step()
    app.step()
    assert float(torch.softmax(model_logits(app, tool.filter.values), 0)[281]) > first
    assert "tabby" in tool.overlay.texts()["bottom_left"]


def test_an_attack_on_a_disabled_model_is_refused(app, tool):
    app.params.update({"attack_model": "model2"})  # Model 2 is off
    app.step()
    before = len(app.messages)
    assert tool.step() is False and not tool.active
    assert len(app.messages) == before + 1 and "switched off" in app.messages[-1]
    assert "switched off" in tool.panel.status.text
    entries = {e.value: e.enabled for e in tool.panel.model_menu.entries}
    assert entries == {"model1": True, "model2": False, "edited": False}
    app.params.set("model2_enabled", 1)
    app.step()
    assert tool.step() and tool.session.loaded.slot == "model2"
    app.params.set("model2_enabled", 0)  # switching the attacked model off ends the attack
    app.step()
    assert not tool.active


def test_a_bad_target_is_refused_with_a_message(app, tool):
    app.params.set("attack_target", "5000")
    assert tool.step() is False
    assert "not a class" in app.messages[-1]


def test_the_target_is_searched_among_the_attacked_models_own_classes(app, tool):
    from nets.classifier import Classifier

    m1 = app.slots.loaded["model1"].model
    own = Classifier("own", m1.net, m1.mean.flatten().tolist(), m1.std.flatten().tolist(),
                     m1.layers, labels=tuple(f"thing {i}" for i in range(1000)))
    before = app.slots.loaded["edited"]
    app.slots.set_edited(own)
    app.params.set("attack_model", "edited")
    try:
        assert tool.panel.search("thing 99")[:2] == [(99, "thing 99"), (990, "thing 990")]
        assert tool.panel.search("7")[0] == (7, "thing 7")
        assert tool.panel.search("tabby") == []   # an ImageNet name, not one of its classes
    finally:
        app.params.set("attack_model", "model1")
        app.slots.set_edited(before.model if before else None)
    assert tool.panel.search("tabby") == [(281, "tabby")]


def test_steps_are_quick_and_the_actions_are_named(app, tool):
    tool.step_ms.clear()
    for _ in range(3):
        tool.step()
    assert sorted(tool.step_ms)[1] < 3000  # ~100 ms; generous for a loaded CI machine
    if hasattr(app, "actions"):
        assert app.actions["attack.step"] == tool.step and app.actions["attack.reset"] == tool.reset


def test_panel_and_predictions_do_not_overlap(app, tool):
    from ui.prediction_block import BLOCK_GAP
    from ui.prediction_view import CHECK_H

    view, panel = app.prediction_view, tool.panel
    app.params.set("model2_enabled", 1)
    app.step()
    assert len(view.blocks) == 2
    used = CHECK_H + sum(b.height + BLOCK_GAP for b in view.blocks) - BLOCK_GAP
    assert used <= view.h + 1e-6
    view_bottom = view.root.getZ() - view.h
    assert panel.root.getZ() < view_bottom  # the panel starts below the view's area
    _, body_h = app.layout.columns["Predictions"].body_size
    assert panel.root.getZ() - panel.height >= -body_h  # and ends inside the column
    panel.header["command"]()  # folding the panel gives the pictures their room back
    app.step()
    assert view.h > used
    panel.header["command"]()


def test_screenshot_after_three_l2_steps(app, tool):
    app.params.reset()  # the default dog scene, seen from its preferred camera
    app.controller.use_preferred_camera()
    app.params.set("model2_enabled", 1)
    app.step()
    for _ in range(3):
        assert tool.step()
    app.step()
    path = app.save_window_screenshot(SHOT)
    from PIL import Image

    shot = np.asarray(Image.open(path))
    assert shot.shape[:2] == (800, 1280)
    texts = tool.overlay.texts()
    assert texts["top_left"].startswith("before") and texts["top_left"].endswith("%")
    assert texts["top_right"].endswith("%") and texts["bottom_right"].endswith("%")
