"""The model slots: checkboxes, variant menus and checkpoint sliders <-> ParamState."""
from types import SimpleNamespace

import pytest
from panda3d.core import MouseButton

from game.core.params import ParamState
from ui import theme
from ui.checkpoint_slider import checkpoint_stops, format_iteration, nearest_index
from ui.slots_view import ModelSlotsView

from .conftest import listeners, spy_sets, step
from .fake_results import choices


@pytest.fixture
def slots(showbase):
    params = ParamState()
    s = ModelSlotsView(showbase.aspect2d, params, theme.px(318), (-0.5, 0.8), choices())
    step(showbase)
    s.params = params
    yield s
    s.destroy()


def thumb_at(slider):
    """render2d position of a DirectSlider's thumb."""
    p = slider.thumb.getPos(slider.getTop())
    return p.x, p.z


def trough_x(slider, fraction):
    top = slider.getTop()
    x0, x1, _, _ = slider["frameSize"]
    return top.getRelativePoint(slider, (x0 + fraction * (x1 - x0), 0, 0)).x


# -- pure helpers ------------------------------------------------------------------------
def test_checkpoint_stops_put_the_final_weights_last():
    assert checkpoint_stops([20000, 1000, 5000, 1000]) == [1000, 5000, 20000, 0]
    assert checkpoint_stops([0, 500]) == [500, 0]
    assert checkpoint_stops([]) == [0]
    assert nearest_index([1000, 5000, 20000, 0], 4000) == 1
    assert nearest_index([1000, 5000, 20000, 0], 0) == 3
    assert [format_iteration(i) for i in (0, 500, 2500, 20000)] == ["final", "500", "2.5k", "20k"]


# -- widgets -----------------------------------------------------------------------------
def test_three_slots_in_their_colours(slots):
    assert list(slots.slots) == ["model1", "model2", "edited"]
    for name, colour in (("model1", theme.MODEL1), ("model2", theme.MODEL2),
                         ("edited", theme.EDITED)):
        slot = slots.slots[name]
        assert tuple(slot.strip.getColor()) == pytest.approx(colour, abs=1e-3)
        assert slot.check.colour == colour
    assert slots.slots["edited"].menu is None


def test_checkboxes_write_the_enabled_params(slots):
    assert slots.params["edited_enabled"] == 0
    check = slots.slots["edited"].check
    assert not check._hole.isHidden()          # drawn empty
    check.button["command"]()
    assert slots.params["edited_enabled"] == 1
    assert check._hole.isHidden() and not check._tick.isHidden()
    slots.params.set("model1_enabled", 0)      # from elsewhere: the box follows
    assert not slots.slots["model1"].check._hole.isHidden()


def test_checkbox_real_click(slots, pointer):
    check = slots.slots["model2"].check.button
    b = check.getBounds()
    p = check.getTop().getRelativePoint(check, ((b[0] + b[1]) / 2, 0, (b[2] + b[3]) / 2))
    pointer.move_to(p.x, p.z)
    pointer.click()
    assert slots.params["model2_enabled"] == 0


def test_menu_lists_titles_and_greys_unavailable(slots):
    menu = slots.slots["model1"].menu
    assert menu.value == "mobilenet_v2"
    assert menu.menu.get() == "MobileNetV2 \u2219 Standard"  # the font lacks the middle dot
    assert [e.enabled for e in menu.entries] == [True, True, False]
    long_item = menu.menu["items"][2]
    assert long_item.endswith("\u2026")                       # cut to the menu's width
    menu.pick("mobilenet_v2_adv")                              # unavailable: ignored
    assert slots.params["model1"] == "mobilenet_v2"


def test_menu_pick_sets_the_model_and_resets_a_foreign_checkpoint(slots):
    slots.params.set("model2_checkpoint", 5000)
    slots.slots["model2"].menu.pick("mobilenet_v2")           # has 5000: kept
    assert (slots.params["model2"], slots.params["model2_checkpoint"]) == ("mobilenet_v2", 5000)
    slots.slots["model2"].menu.pick("efficientnet_lite0")     # has no 5000: final weights
    assert (slots.params["model2"], slots.params["model2_checkpoint"]) == ("efficientnet_lite0", 0)


def test_checkpoint_slider_only_with_checkpoints(slots):
    s1, s2 = slots.slots["model1"].slider, slots.slots["model2"].slider
    assert s1.stops == [1000, 5000, 20000, 0] and not s1.slider.isHidden()
    assert s1.readout.text == "final"
    assert s2.stops == [0] and s2.slider.isHidden() and not s2.only_final.np.isHidden()
    slots.params.set("model2", "mobilenet_v2")                # model -> its checkpoints
    assert s2.stops == [1000, 5000, 20000, 0] and not s2.slider.isHidden()


def test_checkpoint_slider_sets_the_param_only_on_release(slots, showbase):
    calls = spy_sets(slots.params)
    s = slots.slots["model1"].slider
    s.slider["value"] = 1.2          # dragging: the read-out follows, nothing loads
    step(showbase)
    assert s.readout.text == "5k"
    assert calls == [] and slots.params["model1_checkpoint"] == 0
    showbase.messenger.send(s.slider.thumb.guiItem.getReleaseEvent(MouseButton.one()), [None])
    assert calls == [("model1_checkpoint", 5000)]
    assert s.slider["value"] == pytest.approx(1.0)           # snapped to the checkpoint


def test_checkpoint_slider_real_drag(slots, pointer, showbase):
    calls = spy_sets(slots.params)
    s = slots.slots["model1"].slider
    x, z = thumb_at(s.slider)
    pointer.move_to(x, z)
    pointer.mouse.pressButton(MouseButton.one())
    step(showbase, 1)
    # PGSliderBar applies a drag one mouse move late: the last position is sent twice.
    for f in (0.8, 0.5, 0.05, 0.04):
        pointer.move_to(trough_x(s.slider, f), z)
    step(showbase, 1)
    assert s.readout.text == "1k"
    assert calls == []                                       # still dragging
    pointer.mouse.releaseButton(MouseButton.one())
    step(showbase, 2)
    assert calls == [("model1_checkpoint", 1000)]


def test_param_change_moves_the_slider_without_setting(slots, showbase):
    calls = spy_sets(slots.params)
    ParamState.set(slots.params, "model1_checkpoint", 20000)
    step(showbase)
    s = slots.slots["model1"].slider
    assert s.slider["value"] == pytest.approx(2.0) and s.readout.text == "20k"
    assert calls == []


def test_status_per_slot(slots):
    slots.set_status("model2", "loading\u2026")
    assert slots.slots["model2"].status.text == "loading\u2026"
    slots.set_status("edited", "could not mix the weights: " + "x" * 200, error=True)
    status = slots.slots["edited"].status
    assert status.text.endswith("\u2026") and status.width() <= theme.px(318)
    assert tuple(status.node.getTextColor()) == pytest.approx(theme.ERROR)


def test_set_choices_refreshes_availability(slots):
    fresh = [SimpleNamespace(name=c.name, title=c.title, available=True,
                             checkpoints=c.checkpoints) for c in choices()]
    slots.set_choices(fresh)
    assert all(e.enabled for e in slots.slots["model1"].menu.entries)


def test_available_may_be_a_method(showbase):
    entry = SimpleNamespace(name="mobilenet_v2", title="MobileNetV2", available=lambda: False,
                            checkpoints=[])
    s = ModelSlotsView(showbase.aspect2d, ParamState(), 0.8, (0, 0), [entry])
    assert [e.enabled for e in s.slots["model1"].menu.entries] == [False]
    s.destroy()


def test_unsubscribes_on_destroy(showbase):
    params = ParamState()
    ModelSlotsView(showbase.aspect2d, params, 0.8, (0, 0), choices()).destroy()
    assert listeners(params) == []


def test_the_picked_models_robustness_note_shows_under_its_slot_until_a_message(showbase):
    from types import SimpleNamespace

    params = ParamState()
    choices = [SimpleNamespace(name="mobilenet_v2", title="MobileNetV2", available=True,
                               checkpoints=(), note="0 % robust (L2 PGD 0.5)"),
               SimpleNamespace(name="mobilenet_v2_adv", title="MobileNetV2 Adv.", available=True,
                               checkpoints=(), note="3.1 % robust (L2 PGD 0.5)")]
    view = ModelSlotsView(showbase.aspect2d, params, theme.px(318), (-0.5, 0.8), choices)
    try:
        status = view.slots["model1"].status
        assert status.text == "0 % robust (L2 PGD 0.5)"
        params.set("model1", "mobilenet_v2_adv")
        assert status.text == "3.1 % robust (L2 PGD 0.5)"
        view.set_status("model1", "loading...")
        assert status.text == "loading..."
        view.set_status("model1", "")
        assert status.text == "3.1 % robust (L2 PGD 0.5)"
    finally:
        view.destroy()
