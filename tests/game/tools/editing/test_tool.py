"""Weight editing in the live app: the Edited Model is rebuilt from the parameters."""
import numpy as np
import pytest
import torch

from tests.game.conftest import sphere_box_app
from nets import registry
from nets.threads import torch_threads

PERTURBED = "mobilenet_v2_perturbed_test"


@pytest.fixture(scope="module")
def app(background_file):
    a = sphere_box_app(background_file)
    # The Edited Model runs on torch: Model 1 and 2 too, so that the same weights give the
    # same numbers in every slot.
    a.slots.set_backend("torch")
    # Every distinct edit has its own weights key: keep the background work those keys
    # start (neuron groups, class visualisations: seconds of CPU each) out of these tests.
    a.engine.groups = None
    a.featvis.paused = True
    # With the cores shared (rendering, other processes), two OpenMP threads wait at
    # every op's barrier for a descheduled partner: these tests took 150 s instead of 20.
    with torch_threads(1):
        a.step(3)
        yield a
        a.destroy()


@pytest.fixture
def tool(app):
    yield app.tools["editing"]
    app.tools["editing"].close_panel()
    app.params.update({"edit_weights": "", "edit_mode": "mix", "edited_enabled": 0,
                       "model1": "mobilenet_v2", "model2": "efficientnet_lite0"})
    app.step(2)


def logits(app, slot):
    return [(t["index"], t["logit"]) for t in app.engine.result.output(slot).top]


def weights(model):
    return {k: v.clone() for k, v in model.net.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_prune_makes_a_live_third_model_and_model1_stays(app, tool):
    m1 = app.slots.loaded["model1"]
    before = weights(m1.model)
    app.params.update({"edited_enabled": 1, "edit_mode": "prune",
                       "edit_weights": "block3=0.3:0.9,block13=0:0.5"})
    app.step(2)
    result = app.engine.result
    assert [o.slot for o in result.outputs] == ["model1", "model2", "edited"]
    edited = app.slots.loaded["edited"]
    assert edited.title == "pruned Model 1" and edited.key.startswith("edited-")
    assert edited.model is not m1.model
    assert logits(app, "edited") != logits(app, "model1")
    assert result.output("edited").activations.shape == result.output("model1").activations.shape
    assert same(weights(m1.model), before)  # Model 1 is never changed
    assert tool.built.edited and tool.built.blocks == 2
    print(f"\nin-app prune rebuild: {tool.built.ms:.1f} ms")
    key = edited.key
    app.params.set("edit_weights", "block3=0.3:0.9")  # another edit, another key
    app.step(2)
    assert app.slots.loaded["edited"].key not in (key, m1.key)
    assert "pruned 1 block" in app.slots_view.slots["edited"].status.text


def test_no_settings_for_the_mode_is_model1_itself(app, tool):
    app.params.update({"edited_enabled": 1, "edit_mode": "mix", "edit_weights": "block3=0.2:0.5"})
    app.step(2)
    m1, edited = app.slots.loaded["model1"], app.slots.loaded["edited"]
    assert edited.model is m1.model and edited.key == m1.key  # caches shared, rightly
    assert logits(app, "edited") == logits(app, "model1")


def test_mix_of_two_architectures_says_so_and_keeps_model1(app, tool):
    app.params.update({"edited_enabled": 1, "edit_mode": "mix", "edit_weights": "block3=0.5"})
    panel = tool.open_panel()
    app.step(2)
    assert app.params["model2"] == "efficientnet_lite0"
    assert "Mix needs Model 1 and Model 2 of the same architecture" in panel.message.text
    assert "Prune works on Model 1" in panel.message.text
    assert app.slots.loaded["edited"].model is app.slots.loaded["model1"].model
    app.params.set("edit_mode", "prune")  # prune still works
    app.params.set("edit_weights", "block3=0.5,block5=0.5:1")
    app.step(2)
    assert app.slots.loaded["edited"].title == "pruned Model 1"
    assert "pruned 1 block" in panel.message.text


def test_mix_with_a_second_mobilenet(app, tool, tmp_path):
    torch.manual_seed(0)
    base = app.slots.loaded["model1"].model.net.state_dict()
    noisy = {k: v * (1 + 0.05 * torch.randn_like(v)).abs() if v.is_floating_point() else v
             for k, v in base.items()}
    torch.save(noisy, tmp_path / "perturbed.pth")
    registry.register_user_checkpoint(tmp_path / "perturbed.pth", "mobilenet_v2", name=PERTURBED)
    try:
        app.params.set("model2", PERTURBED)
        names = tool.blocks()
        app.params.update({"edited_enabled": 1, "edit_mode": "mix",
                           "edit_weights": ",".join(f"{b}=1" for b in names)})
        app.step(2)
        assert app.slots.loaded["edited"].title == "mix of Model 1 and 2"
        assert logits(app, "edited") == logits(app, "model2")  # all from Model 2: exactly it
        app.params.set("edit_weights", "block3=0.5,classifier=0.5")
        app.step(2)
        assert logits(app, "edited") not in (logits(app, "model1"), logits(app, "model2"))
        print(f"\nin-app mix rebuild: {tool.built.ms:.1f} ms")
    finally:
        app.params.set("model2", "efficientnet_lite0")
        registry.unregister(PERTURBED)


def test_a_malformed_string_is_refused_and_nothing_is_lost(app, tool):
    app.params.update({"edited_enabled": 1, "edit_mode": "prune", "edit_weights": "block3=0.2:0.8"})
    app.step(2)
    key, n = app.slots.loaded["edited"].key, len(app.messages)
    for bad, words in (("block3=0.9:0.2", "above its high end"), ("block3=1.5", "outside [0, 1]"),
                       ("blok3=0.5", "did you mean block3")):
        app.params.set("edit_weights", bad)
        assert app.params["edit_weights"] == "block3=0.2:0.8"
        assert words in app.messages[-1] and "'" + bad + "'" in app.messages[-1]
    app.step(2)
    assert len(app.messages) == n + 3
    assert app.slots.loaded["edited"].key == key


def test_the_edit_button_opens_the_panel_whose_sliders_write_the_params(app, tool):
    vm, button = app.virtual_mouse, tool._button
    top = button.getTop()
    x0, x1, z0, z1 = button["frameSize"]
    centre = top.getRelativePoint(button, ((x0 + x1) / 2, 0, (z0 + z1) / 2))
    vm.move_to(centre.x, centre.z)
    app.step()
    vm.press()
    app.step()
    vm.release()
    app.step()
    panel = tool.panel
    assert panel is not None and panel.is_open
    assert app.layout.scene_panel.isHidden()  # it covers the scene sliders
    assert app.params.flag("edited_enabled")  # and shows what it edits
    builds = tool.builds
    panel.set_mode("prune")
    panel.rows["block5"].slider.commit((0.25, 0.75))
    assert app.params["edit_mode"] == "prune" and app.params["edit_weights"] == "block5=0.25:0.75"
    app.step(2)
    assert tool.builds == builds + 1 and app.slots.loaded["edited"].title == "pruned Model 1"
    panel.reset_button["command"]()
    assert app.params["edit_weights"] == ""
    panel.close_button["command"]()
    assert not panel.is_open and not app.layout.scene_panel.isHidden()


def test_blocks_of_an_earlier_model1_are_kept_but_ignored(app, tool):
    app.params.update({"edited_enabled": 1, "edit_mode": "prune",
                       "edit_weights": "conv_first=0:0.5,block3=0.2:1"})
    app.params.update({"model1": "efficientnet_lite0", "model2": "mobilenet_v2"})
    app.step(2)
    assert "stem" in tool.blocks() and "conv_first" not in tool.blocks()
    assert "ignored" in tool.built.note and "conv_first" in tool.built.note
    assert tool.built.edited and tool.built.blocks == 1
    app.params.set("edit_weights", "conv_first=0:0.5,block3=0.2:1,stem=0.5:1")  # kept: accepted
    assert app.params["edit_weights"] == "conv_first=0:0.5,block3=0.2:1,stem=0.5:1"
    app.params.set("edit_weights", "conv_first=0:0.5,conv_last=0:1")  # a new unknown: refused
    assert app.params["edit_weights"] == "conv_first=0:0.5,block3=0.2:1,stem=0.5:1"
    app.step(2)
    assert app.engine.result.output("edited").model == "edited"


def test_window_with_the_panel_open(app, tool, tmp_path):
    app.params.update({"edited_enabled": 1, "edit_mode": "prune", "edit_weights": "block4=0.1:0.9"})
    tool.open_panel()
    path = app.save_window_screenshot(tmp_path / "edit.png")
    from PIL import Image

    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    yellow = (np.abs(img - np.array([245, 204, 56])).sum(-1) < 40)
    left = yellow[:, : img.shape[1] // 2].sum()
    assert left > 3000  # the panel's kept ranges and strip, in the Edited Model's yellow
