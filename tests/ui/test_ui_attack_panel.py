"""The Adversarial Attack panel <-> ParamState: menus, epsilon unit, target search, buttons."""
from types import SimpleNamespace

import pytest

from game.core.params import BY_NAME, ParamState
from ui import theme
from ui.attack_panel import HEADER_H, HINT, AttackPanel, body_height
from ui.menus import Entry

from .conftest import step

CLASSES = ["tench", "goldfish", "tabby", "tiger cat", "Persian cat", "Siamese cat",
           "lion", "tiger"]


def search(text):
    return [(i, n) for i, n in enumerate(CLASSES) if text.lower() in n.lower()]


def label_of(index):
    if not 0 <= index < len(CLASSES):
        raise IndexError(index)
    return CLASSES[index]


MODELS = [Entry("model1", "Model 1"), Entry("model2", "Model 2"),
          Entry("edited", "Edited", False)]


@pytest.fixture
def panel(showbase):
    params = ParamState()
    calls = SimpleNamespace(step=0, reset=0, toggles=[])

    def on_step():
        calls.step += 1

    def on_reset():
        calls.reset += 1

    p = AttackPanel(showbase.aspect2d, params, theme.px(258), MODELS, on_step, on_reset,
                    search, label_of, on_toggle=calls.toggles.append)
    p.root.setPos(0.2, 0, 0.5)
    step(showbase)
    p.params, p.calls, p.base = params, calls, showbase
    yield p
    p.destroy()


def test_menus_write_the_params_and_disabled_models_cannot_be_picked(panel):
    panel.model_menu.pick("model2")
    assert panel.params["attack_model"] == "model2"
    panel.model_menu.pick("edited")  # greyed out: ignored
    assert panel.params["attack_model"] == "model2"
    panel.norm_menu.pick("linf")
    assert panel.params["attack_norm"] == "linf"
    panel.set_models([Entry("model1", "Model 1"), Entry("model2", "Model 2", False),
                      Entry("edited", "Edited", True)])
    assert panel.model_menu.value == "model2"  # still shown: the truth, even if off
    panel.model_menu.pick("edited")
    assert panel.params["attack_model"] == "edited"


def test_epsilon_label_names_the_unit_of_the_norm(panel):
    row = panel.sliders["attack_eps"]
    assert row.label["text"] == "Epsilon L2 norm"  # no "(0-1)": the slider goes to 16
    panel.params.set("attack_norm", "linf")  # from elsewhere (CLI, gamepad)
    assert panel.norm_menu.value == "linf"
    assert row.label["text"] == "Epsilon Linf /255"


def test_sliders_follow_the_params_and_write_them(panel):
    panel.params.update({"attack_eps": 8, "attack_alpha": 0.25, "original_alpha": 0.5})
    assert panel.sliders["attack_eps"].slider["value"] == pytest.approx(8)
    assert panel.sliders["original_alpha"].slider["value"] == pytest.approx(0.5)
    panel.sliders["attack_alpha"].slider["value"] = 0.75
    step(panel.base)
    assert panel.params["attack_alpha"] == pytest.approx(0.75)
    assert set(panel.sliders) == {"attack_eps", "attack_alpha", "original_alpha", "attack_gain"}
    assert panel.sliders["attack_eps"].param is BY_NAME["attack_eps"]


def test_typing_searches_and_picking_a_match_sets_the_target(panel):
    assert panel.untargeted["indicatorValue"] == 1 and panel.params["attack_target"] == ""
    assert panel.hint.text == HINT
    panel.entry.enterText("cat")
    found = panel.search(panel.entry.get())
    assert [n for _, n in found] == ["tiger cat", "Persian cat", "Siamese cat"]
    shown = [b for b in panel.match_buttons if not b.isHidden()]
    assert [b["text"] for b in shown] == ["tiger cat (3)", "Persian cat (4)", "Siamese cat (5)"]
    shown[1]["command"]()  # click "Persian cat"
    assert panel.params["attack_target"] == "4"
    assert panel.entry.get() == "Persian cat (4)"
    assert panel.untargeted["indicatorValue"] == 0
    assert all(b.isHidden() for b in panel.match_buttons)


def test_enter_picks_the_first_match_an_index_or_clears(panel):
    panel._entered("tig")
    assert panel.params["attack_target"] == "3"  # tiger cat comes before tiger
    panel._entered("7")
    assert panel.params["attack_target"] == "7" and panel.entry.get() == "tiger (7)"
    panel._entered("zebra")
    assert panel.params["attack_target"] == "7"  # unchanged
    assert "no class matches" in panel.status.text
    panel._entered("")
    assert panel.params["attack_target"] == ""


def test_untargeted_box_clears_the_target_and_the_target_shows_from_elsewhere(panel):
    panel.params.set("attack_target", "6")
    assert panel.entry.get() == "lion (6)" and panel.untargeted["indicatorValue"] == 0
    panel.untargeted.commandFunc(None)  # tick "Untargeted"
    assert panel.params["attack_target"] == "" and panel.entry.get() == ""
    panel.untargeted.commandFunc(None)  # untick with nothing searched: stays untargeted
    assert panel.params["attack_target"] == "" and panel.untargeted["indicatorValue"] == 1
    assert "type a class" in panel.status.text


def test_buttons_call_back_and_the_header_folds_the_group(panel):
    panel.step_button["command"]()
    panel.reset_button["command"]()
    assert (panel.calls.step, panel.calls.reset) == (1, 1)
    assert panel.height == pytest.approx(HEADER_H + body_height())
    panel.header["command"]()
    assert panel.collapsed and panel.height == pytest.approx(HEADER_H)
    assert panel.body.isStashed() and panel.calls.toggles == [True]
    assert panel.header["text"].startswith("+")
    panel.set_note("folded: no room")
    assert "folded: no room" in panel.header["text"]
    panel.header["command"]()
    assert not panel.collapsed and panel.calls.toggles == [True, False]
    assert "folded" not in panel.header["text"]  # the remark went with the fold


def test_everything_fits_inside_its_width_and_height(panel):
    """No widget pokes out of the panel's w x height box."""
    root = panel.root
    w = theme.px(258)
    lo, hi = root.getTightBounds(root)
    assert lo.x >= -1e-6 and hi.x <= w + theme.px(1)
    assert lo.z >= -panel.height - theme.px(1) and hi.z <= theme.px(1)


def test_status_is_cut_to_the_width(panel):
    panel.set_status("x" * 400, error=True)
    assert panel.status.width() <= panel._status_w + 1e-6
    assert tuple(panel.status.node.getTextColor()) == pytest.approx(theme.ERROR)
