"""The neuron activation view: channel choice, colours, normalisation, rows, controls."""
import time

import numpy as np
import pytest

from game.core.params import ParamState
from game.core.texconv import texture_to_numpy
from ui import theme
from ui.activation_view import ActivationView, group_entries
from ui.heatmap import (LUT, choose_channels, colourise, divisor, most_active, normalise,
                        row_channels)

from .conftest import listeners, step
from .fake_results import output, plausible, result

LAYERS = ["block%d" % i for i in range(1, 17)]


# -- pure functions ----------------------------------------------------------------------
def test_normalise_by_four_layer_stds_at_zero():
    acts = np.array([2.0, -1.0, 0.5, 100.0, -100.0], np.float32)
    out = normalise(acts, layer_std=0.5, act_normalization=0.0)  # divisor 4 * 0.5 = 2
    assert out.tolist() == [1.0, -0.5, 0.25, 1.0, -1.0]
    assert out.dtype == np.float32


def test_normalise_by_power_of_ten_above_zero():
    acts = np.array([1.0, -0.05, 3.0], np.float32)
    assert divisor(123.0, 2.0) == 1.0                     # 10 ** (2 - 2), layer std ignored
    assert divisor(123.0, 3.0) == pytest.approx(10.0)
    assert divisor(123.0, 0.5) == pytest.approx(10 ** -1.5)
    assert normalise(acts, 123.0, 2.0).tolist() == pytest.approx([1.0, -0.05, 1.0])
    assert normalise(acts, 123.0, 3.0).tolist() == pytest.approx([0.1, -0.005, 0.3])


def test_normalise_survives_a_constant_layer():
    assert divisor(0.0, 0.0) == 1.0
    assert normalise(np.zeros(3), 0.0, 0.0).tolist() == [0.0, 0.0, 0.0]


def test_colour_map_positive_red_negative_blue_zero_black():
    rgb = colourise(np.array([1.0, -1.0, 0.0, 0.5]))
    assert rgb.dtype == np.uint8
    assert rgb[0].tolist() == [round(255 * c) for c in theme.ACT_POS]
    assert rgb[1].tolist() == [round(255 * c) for c in theme.ACT_NEG]
    assert rgb[2].tolist() == [0, 0, 0]
    assert rgb[3][0] == pytest.approx(255 * theme.ACT_POS[0] / 2, abs=2)
    assert rgb[0][0] > rgb[0][2] and rgb[1][2] > rgb[1][0]
    assert len(LUT) % 2 == 1


def test_most_active_is_by_mean_largest_first():
    acts = np.zeros((5, 2, 2), np.float32)
    acts[3] = 2.0
    acts[1] = 1.0
    acts[4] = -3.0
    assert most_active(acts, 3) == (3, 1, 0)


def test_channels_follow_the_group_then_fall_back():
    acts = np.zeros((16, 2, 2), np.float32)
    acts[7] = 1.0
    groups = {"cat": (12, 3, 99, 5, 1)}  # 99 does not exist in a 16-channel layer
    assert choose_channels(groups, "cat", acts, 3) == (12, 3, 5)
    assert choose_channels(groups, "cat", acts, 8) == (12, 3, 5, 1)
    assert choose_channels(groups, "dog", acts, 2)[0] == 7          # missing: most active
    assert choose_channels({}, "most_active", acts, 1) == (7,)
    assert choose_channels({}, "dog", None, 2, previous=(4, 9, 1)) == (4, 9)
    assert choose_channels({}, "dog", None, 2) == (0, 1)


def test_row_channels_typed_then_group_and_shared_within_an_architecture():
    acts = np.zeros((64, 2, 2), np.float32)
    outs = [output("model1", acts, groups={"dog": (8, 48, 24, 44)}),
            output("model2", acts[:32], groups={"dog": (1, 2, 3, 4)}),
            output("edited", acts, groups={"dog": (63, 48, 7, 22)})]
    arch = {"mobilenet_v2": "mnv2", "efficientnet_lite0": "effnet", "edited": "mnv2"}.get
    assert row_channels(outs, "dog", 4) == [(8, 48, 24, 44), (1, 2, 3, 4), (63, 48, 7, 22)]
    assert row_channels(outs, "dog", 4, same=True, arch_of=arch) == \
        [(8, 48, 24, 44), (1, 2, 3, 4), (8, 48, 24, 44)]
    # typed: where the layer has them (Model 2's has 32 channels); none of them: its group
    assert row_channels(outs, "dog", 4, typed=(40, 5)) == [(40, 5), (5,), (40, 5)]
    assert row_channels(outs, "dog", 4, typed=(40,))[1] == (1, 2, 3, 4)
    # an unknown architecture ("") shares with nobody
    assert row_channels(outs, "dog", 4, same=True, arch_of=lambda m: "")[2] == (63, 48, 7, 22)


def test_group_menu_lists_present_groups_after_most_active():
    outs = [output("model1", groups={"race_car": (1,), "cat": (2,)}),
            output("model2", groups={"dog": (3,)})]
    keys = [e.value for e in group_entries(outs, "cat")]
    assert keys == ["most_active", "dog", "cat", "race_car"]
    missing = group_entries(outs, "fire_truck")
    assert missing[-1].value == "fire_truck" and not missing[-1].enabled


# -- the view, rendered ------------------------------------------------------------------
@pytest.fixture
def view(showbase):
    params = ParamState()
    looked_up, requested = [], []

    def featvis(model, ckpt, layer, channel):
        looked_up.append((model, ckpt, layer, channel))
        return None if channel % 2 else np.full((8, 8, 3), 0.5, np.float32)

    v = ActivationView(showbase.aspect2d, params, theme.px(318), theme.px(560),
                       (-0.4, 0.9), LAYERS, featvis,
                       on_request_featvis=lambda *k: requested.append(k))
    step(showbase)
    v.looked_up, v.requested, v.params = looked_up, requested, params
    yield v
    v.destroy()


def signed_result():
    """Two outputs, 16 channels of 14x14: channel c is filled with (c - 8) / 8 * 4 std."""
    acts = np.stack([np.full((14, 14), (c - 8) / 8 * 4.0, np.float32) for c in range(16)])
    groups = {"cat": (15, 0, 8, 4, 2, 1, 3, 5)}
    return result(output("model1", acts, groups=groups, layer_std=1.0),
                  output("model2", acts * -1, groups={}, layer_std=1.0))


def test_one_row_per_output_with_n_maps(view):
    view.update(signed_result())
    assert [r.slot for r in view.rows] == ["model1", "model2"]
    assert all(r.count == 4 for r in view.rows)  # n_neurons default 4
    view.params.set("n_neurons", 7)
    assert [len(r.maps) for r in view.rows] == [7, 7]
    assert len(view.rows_root.findAllMatches("**/map")) == 14


def test_channels_follow_group_and_n_neurons(view):
    view.params.set("neuron_group", "cat")
    view.params.set("n_neurons", 3)
    view.update(signed_result())
    # model1 has the group; model2 does not: its most active channels (-acts: 0, 1, 2).
    assert view.rows[0].channels == (15, 0, 8)
    assert view.rows[1].channels == (0, 1, 2)
    assert [t.text for t in view.rows[0].index_texts] == ["#15", "#0", "#8"]
    assert [e.value for e in view.group_menu.entries] == ["most_active", "cat"]


def test_map_textures_hold_the_colour_mapped_activations(view):
    view.params.set("neuron_group", "cat")
    view.params.set("n_neurons", 3)
    view.update(signed_result())
    tex = view.rows[0].textures
    assert (tex[0].getXSize(), tex[0].getYSize()) == (14, 14)
    full_pos = texture_to_numpy(tex[0])      # channel 15: +3.5 std -> 3.5 / 4 of full red
    full_neg = texture_to_numpy(tex[1])      # channel 0: -4 std -> full blue
    zero = texture_to_numpy(tex[2])          # channel 8: 0 -> black
    assert full_neg[0, 0].tolist() == [round(255 * c) for c in theme.ACT_NEG]
    assert full_pos[5, 5].tolist() == colourise(np.array(3.5 / 4)).tolist()
    assert zero.max() == 0


def test_act_normalization_param_redraws_at_once(view):
    view.params.set("neuron_group", "cat")
    view.update(signed_result())
    before = texture_to_numpy(view.rows[0].textures[0])[0, 0].copy()
    view.params.set("act_normalization", 3.0)  # divide by 10: 3.5 -> 0.35
    after = texture_to_numpy(view.rows[0].textures[0])[0, 0]
    assert after.tolist() == colourise(np.array(0.35)).tolist()
    assert after[0] < before[0]
    assert "10" in view.divisor_text.text


def test_show_activations_off_hides_maps_but_keeps_featvis(view):
    view.update(signed_result())
    view.params.set("show_activations", 0)
    row = view.rows[0]
    assert all(m.isHidden() for m in row.maps)
    assert not row.off_text.np.isHidden()
    assert not row.featvis[0].isHidden()
    view.params.set("show_activations", 1)
    assert not any(m.isHidden() for m in row.maps)


def test_featvis_lookup_only_when_the_key_changes(view):
    view.update(signed_result())
    first = len(view.looked_up)
    assert first == 8  # 2 rows x 4 channels
    assert view.looked_up[0] == ("mobilenet_v2", 0, "block13", view.rows[0].channels[0])
    for _ in range(5):
        view.update(signed_result())
    assert len(view.looked_up) == first  # nothing new to look up
    row = view.rows[0]
    for i, ch in enumerate(row.channels):
        assert row.featvis_shown[i] == (ch % 2 == 0)
        assert row.no_vis[i].np.isHidden() == (ch % 2 == 0)
    view.refresh_featvis()
    assert len(view.looked_up) == 2 * first


def test_missing_featvis_has_a_request_hook(view):
    view.update(signed_result())
    row = view.rows[0]
    i = next(i for i, ch in enumerate(row.channels) if ch % 2)
    row.request_buttons[i]["command"]()
    assert view.requested == [("model1", "mobilenet_v2", 0, "block13", row.channels[i])]


def test_menus_write_params(view):
    view.update(plausible())
    view.layer_menu.pick("block7")
    assert view.params["layer"] == "block7"
    view.group_menu.pick("dog")
    assert view.params["neuron_group"] == "dog"
    view.params.set("layer", "block2")  # from elsewhere: the menu follows
    assert view.layer_menu.value == "block2"
    view.set_layers(["a", "b"])
    assert view.layer_menu.value == "block2"  # kept (greyed) until the param changes
    assert [e.enabled for e in view.layer_menu.entries] == [True, True, False]


def enter(entry, text):
    """Type ``text`` into a DirectEntry and press Enter."""
    entry.enterText(text)
    entry["command"](text)


def test_typed_channels_show_in_every_row_and_a_group_pick_clears_them(view):
    view.params.set("neuron_group", "cat")
    view.update(signed_result())
    enter(view.channel_entry, "3, 12 7")
    assert view.params["channels"] == "3, 12 7"
    assert [r.channels for r in view.rows] == [(3, 12, 7), (3, 12, 7)]
    assert all(r.count == 3 for r in view.rows)  # as many maps as channels typed
    assert [t.text for t in view.rows[1].index_texts] == ["#3", "#12", "#7"]
    view.group_menu.pick("cat")
    assert view.params["channels"] == "" and view.channel_entry.get() == ""
    assert view.rows[0].channels == (15, 0, 8, 4)
    view.params.set("channels", "1,2")  # from elsewhere (CLI, a replay): the entry follows
    assert view.channel_entry.get() == "1,2" and view.rows[0].channels == (1, 2)


def test_a_refused_channel_entry_is_reported_beside_it_and_taken_back(view):
    errors = []
    view.on_error = lambda message, widget: errors.append((message, widget))
    view.update(signed_result())  # 16 channels
    for bad, words in (("3,x", "not a whole number"), ("3, 16", "0..15"), ("2 2", "twice")):
        enter(view.channel_entry, bad)
        assert words in errors[-1][0] and errors[-1][1] is view.channel_entry
        assert view.params["channels"] == "" and view.channel_entry.get() == ""


def test_same_in_every_row_compares_one_unit_across_one_architecture(view):
    view.arch_of = {"mobilenet_v2": "mnv2", "efficientnet_lite0": "effnet",
                    "edited": "mnv2"}.get
    acts = np.zeros((64, 4, 4), np.float32)
    view.params.set("neuron_group", "dog")
    view.update(result(output("model1", acts, groups={"dog": (8, 48, 24, 44)}),
                       output("model2", acts, groups={"dog": (1, 2, 3, 4)}),
                       output("edited", acts, groups={"dog": (63, 48, 76 % 64, 22)})))
    assert view.rows[2].channels == (63, 48, 12, 22)
    view.same_check.button["command"]()
    assert view.params["same_channels"] == 1
    assert [r.channels for r in view.rows] == [(8, 48, 24, 44), (1, 2, 3, 4), (8, 48, 24, 44)]


def test_sliders_and_checkbox_write_params(view, showbase):
    view.sliders["n_neurons"].slider["value"] = 6
    step(showbase)
    assert view.params["n_neurons"] == 6
    view.sliders["act_normalization"].slider["value"] = 2.5
    step(showbase)
    assert view.params["act_normalization"] == pytest.approx(2.5)
    view.show_check.button["command"]()
    assert view.params["show_activations"] == 0


def test_rows_are_reused_between_updates(view):
    view.update(plausible(seed=1))
    rows = list(view.rows)
    view.update(plausible(seed=2))
    assert view.rows == rows
    view.update(plausible(seed=3, slots=("model1",)))
    assert len(view.rows) == 1


def test_unsubscribes_on_destroy(showbase):
    params = ParamState()
    v = ActivationView(showbase.aspect2d, params, 0.8, 1.4, (0, 0), LAYERS, lambda *k: None)
    v.destroy()
    params.set("n_neurons", 2)  # would raise on the removed nodes if still subscribed
    assert listeners(params) == []


@pytest.mark.parametrize("size", [14, 112])
def test_update_is_cheap(view, size, capsys):
    view.params.set("n_neurons", 8)
    results = [plausible(seed=s, size=size, channels=96) for s in range(4)]
    view.update(results[0])
    n = 40
    t0 = time.perf_counter()
    for i in range(n):
        view.update(results[i % 4])
    ms = (time.perf_counter() - t0) / n * 1000
    with capsys.disabled():
        print(f"\n[activation view] 2 models x 8 maps of {size}x{size}: {ms:.2f} ms per update")
    assert ms < (15 if size == 14 else 40)


# -- feature visualisations being made ------------------------------------------------------
class FakeStatus:
    """A status source: what the service would say per channel (VisStatus objects)."""

    def __init__(self):
        self.by_channel = {}
        self.asked = []

    def __call__(self, model, ckpt, layer, channel):
        from game.tools.featvis.service import MISSING

        self.asked.append(channel)
        return self.by_channel.get(channel, MISSING)


def green(n=8):
    img = np.zeros((n, n, 3), np.uint8)
    img[..., 1] = 255
    return img


def odd_slots(view):
    """(row, [slot indices whose channel has no finished picture in the view fixture])."""
    row = view.rows[0]
    return row, [i for i, ch in enumerate(row.channels) if ch % 2]


def test_naive_parameterization_checkbox_looks_the_pictures_up_again(view):
    view.update(signed_result())
    looked = len(view.looked_up)
    view.naive_check.button["command"]()
    assert view.params["naive_param"] == 1
    assert len(view.looked_up) == 2 * looked
    assert not view.naive_check._tick.isHidden()


def test_a_slot_being_made_shows_its_progress_and_the_picture_so_far(view, showbase):
    from game.tools.featvis.service import VisStatus

    status = FakeStatus()
    view.set_featvis_status(status)
    view.update(signed_result())
    row, (i, j) = odd_slots(view)[0], odd_slots(view)[1][:2]
    status.by_channel[row.channels[i]] = VisStatus("running", progress=0.37, preview=green(),
                                                  revision=3)
    status.by_channel[row.channels[j]] = VisStatus("queued")
    view.refresh_progress()
    bar, fill, text = row.bars[i]
    assert row.featvis_state[i] == "running" and not bar.isHidden() and text.text == "37 %"
    assert fill.getSx() == pytest.approx(0.37)
    assert texture_to_numpy(row.featvis[i].getTexture())[0, 0].tolist() == [0, 255, 0]
    assert row.request_buttons[i].isHidden() and row.no_vis[i].np.isHidden()
    assert row.featvis_state[j] == "queued" and row.bars[j][2].text == "queued"
    # the next report: a new preview; then the finished picture
    status.by_channel[row.channels[i]] = VisStatus("running", progress=0.75,
                                                  preview=green() // 2, revision=4)
    view.refresh_progress()
    assert text.text == "75 %"
    assert texture_to_numpy(row.featvis[i].getTexture())[0, 0].tolist() == [0, 127, 0]
    done = np.full((8, 8, 3), 1.0, np.float32)
    status.by_channel[row.channels[i]] = VisStatus("done", image=done, progress=1.0)
    view.refresh_progress()
    assert row.featvis_shown[i] and bar.isHidden() and row.featvis_state[i] == "done"
    asked = len(status.asked)
    view.refresh_progress()  # finished slots are not asked again
    waiting = sum(1 for r in view.rows for k in range(r.count)
                  if r._fv_keys[k] is not None and not r.featvis_shown[k])
    assert len(status.asked) - asked == waiting and row.featvis_shown[i]


def test_a_failed_slot_says_so_and_offers_the_button_again(view):
    from game.tools.featvis.service import VisStatus

    status = FakeStatus()
    view.set_featvis_status(status)
    view.update(signed_result())
    row, (i, *_) = odd_slots(view)
    status.by_channel[row.channels[i]] = VisStatus("failed", error="torch-lucent is not installed")
    view.refresh_progress()
    assert row.no_vis[i].text == "failed" and not row.no_vis[i].np.isHidden()
    assert row.reasons[i].text.startswith("torch")  # a few words of why (ellipsised)
    assert not row.request_buttons[i].isHidden() and row.bars[i][0].isHidden()


def test_the_play_button_shows_queued_at_once(view):
    from game.tools.featvis.service import VisStatus

    status = FakeStatus()
    view.set_featvis_status(status)
    view.update(signed_result())
    row, (i, *_) = odd_slots(view)
    view.requested.clear()
    original = view.on_request_featvis

    def request(slot, model, ckpt, layer, channel):  # what the service does: queue it
        status.by_channel[channel] = VisStatus("queued")
        original(slot, model, ckpt, layer, channel)

    row._on_request = request
    row.request_buttons[i]["command"]()
    assert view.requested == [("model1", "mobilenet_v2", 0, "block13", row.channels[i])]
    assert row.featvis_state[i] == "queued" and row.request_buttons[i].isHidden()


def test_progress_is_on_screen(view, showbase, tmp_path):
    """Rendered: the preview's colour fills the slot and the dark band is drawn over it."""
    from PIL import Image
    from panda3d.core import Filename

    from game.tools.featvis.service import VisStatus

    status = FakeStatus()
    view.set_featvis_status(status)
    view.update(signed_result())
    row, odd = odd_slots(view)
    for i in odd:
        status.by_channel[row.channels[i]] = VisStatus("running", progress=0.5,
                                                      preview=green(), revision=1)
    view.refresh_progress()
    view.set_featvis_note("making block13:1 50 %")
    step(showbase, 2)
    path = tmp_path / "progress.png"
    assert showbase.win.saveScreenshot(Filename.fromOsSpecific(str(path)))
    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    pure_green = (img[..., 1] > 240) & (img[..., 0] < 15) & (img[..., 2] < 15)
    side_px = view.rows[0].size / 2 * img.shape[0]  # aspect2d units -> pixels
    assert pure_green.sum() > len(odd) * side_px * (side_px - 20) * 0.8
    assert view.featvis_note.text == "making block13:1 50 %"
