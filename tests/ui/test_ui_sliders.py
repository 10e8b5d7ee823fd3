"""The scene panel's sliders are generated from PARAMS and stay in sync with ParamState."""
import pytest

from game.core.params import PARAMS, ParamState
from ui.slider import format_value

from .conftest import spy_sets


SCENE_PARAMS = [p for p in PARAMS if p.scene]


def test_every_scene_param_has_exactly_one_slider(ui):
    assert sorted(ui.panel.sliders) == sorted(p.name for p in SCENE_PARAMS)
    bars = ui.panel.root.findAllMatches("**/+PGSliderBar")
    assert bars.getNumPaths() == len(SCENE_PARAMS)
    for p in SCENE_PARAMS:
        row = ui.panel.sliders[p.name]
        assert row.slider["range"] == (p.min, p.max)
        assert row.slider["value"] == pytest.approx(p.default, abs=1e-5)
        assert row.label["text"] == p.label


def test_construction_sets_nothing(ui):
    calls = spy_sets(ui.params)
    ui.step(3)
    assert calls == []
    assert ui.params.values() == ParamState().values()


def test_moving_a_slider_sets_the_param(ui):
    row = ui.panel.sliders["hue"]
    row.slider["value"] = 0.25
    ui.step()
    assert ui.params["hue"] == pytest.approx(0.25)
    assert row.value_button["text"] == "0.25"


def test_integer_param_snaps_to_whole_numbers(ui):
    row = ui.panel.sliders["patch_shuffle"]
    row.slider["value"] = 3.4
    ui.step(3)
    assert ui.params["patch_shuffle"] == 3.0
    assert row.slider["value"] == pytest.approx(3.0)
    assert row.value_button["text"] == "3"


def test_set_from_elsewhere_moves_slider_without_echo(ui):
    calls = spy_sets(ui.params)
    heard = []
    ui.params.watch_all(lambda name, value: heard.append(name))
    ParamState.set(ui.params, "yaw", 90.0)  # e.g. the mouse orbit or the CLI
    ParamState.set(ui.params, "custom", 0.3)
    ui.step(4)
    assert ui.panel.sliders["yaw"].slider["value"] == pytest.approx(90.0)
    assert ui.panel.sliders["yaw"].value_button["text"] == format_value(
        ui.panel.sliders["yaw"].param, 90.0)
    assert ui.panel.sliders["custom"].slider["value"] == pytest.approx(0.3, abs=1e-6)
    assert calls == []                 # the sliders never set anything back
    assert heard == ["yaw", "custom"]  # one notification per change
    assert ui.params["custom"] == 0.3  # not replaced by the slider's float32 value


def test_a_slider_does_not_hear_its_own_change_back(ui):
    row = ui.panel.sliders["hue"]
    shown = []
    real_show = row.show
    row.show = lambda value: (shown.append(value), real_show(value))
    row.slider["value"] = 0.25  # the user
    ui.step()
    assert ui.params["hue"] == 0.25 and shown == [0.25]  # shown once, by the slider itself
    ui.params.set("hue", -0.1)  # from elsewhere
    assert shown == [0.25, -0.1]
    ui.step(3)
    assert ui.params["hue"] == -0.1  # the slider's report of -0.1 set nothing back


def test_moving_back_to_a_position_the_model_left_sets_it_again(ui):
    row = ui.panel.sliders["alpha"]
    row.slider["value"] = 0.0  # the user drags to the end
    ui.step()
    assert ui.params["alpha"] == 0.0
    ui.params.set("alpha", 0.5)  # e.g. the gamepad
    ui.step()
    row.slider["value"] = 0.0  # and the user drags back to the same end
    ui.step()
    assert ui.params["alpha"] == 0.0


def test_linked_overall_morph_moves_both_halves_once(ui):
    calls = spy_sets(ui.params)
    ui.panel.sliders["overall_morph"].slider["value"] = 0.7
    ui.step(4)
    assert calls == [("overall_morph", 0.7)]
    for name in ("shape_morph", "texture_morph"):
        assert ui.params[name] == pytest.approx(0.7)
        assert ui.panel.sliders[name].slider["value"] == pytest.approx(0.7, abs=1e-6)


def test_reset_to_default(ui):
    ui.params.set("saturation", 0.2)
    row = ui.panel.sliders["saturation"]
    row.value_button["command"]()  # clicking the value read-out
    ui.step()
    assert ui.params["saturation"] == 1.0
    assert row.slider["value"] == pytest.approx(1.0)


def test_groups_have_headers_and_morph_label(ui):
    groups = ui.panel.columns.groups
    assert [g for g in groups] == ["scene", "morph", "post", "frequency", "camera"]
    assert "Post Processing" in groups["post"].header["text"]
    ui.panel.set_morph_label("Catness")
    assert "Catness" in groups["morph"].header["text"]


def test_collapsing_a_group_restacks_the_column(ui):
    groups = ui.panel.columns.groups
    z_before = groups["morph"].root.getZ()
    ui.panel.set_collapsed("scene", True)
    assert groups["morph"].root.getZ() > z_before
    assert groups["scene"].body.isStashed()
    groups["scene"].header["command"]()  # click the header again
    assert groups["morph"].root.getZ() == pytest.approx(z_before)
