"""The sweep panel on its own: the form it reads, pictures of the right size, toggles,
progress, everything inside its frame."""
import numpy as np
import pytest
from panda3d.core import Point3, SamplerState

from game.tools.sweep.tool import SweepForm, sweepable
from ui import theme
from ui.sweep_panel import SweepPanel

from .conftest import step


@pytest.fixture
def panel(showbase):
    calls = []
    p = SweepPanel(showbase.aspect2d, theme.px(624), theme.px(402), (-1.55, 0.0), sweepable(),
                   SweepForm(layer="block13", channels="3, 5"),
                   on_run=lambda: calls.append("run"), on_cancel=lambda: calls.append("cancel"),
                   on_close=lambda: calls.append("close"))
    p.set_models([("model1", "Model 1: A", True), ("model2", "Model 2: B", False)])
    p.set_layers(["block12", "block13"])
    p.show()
    p.calls = calls
    step(showbase)
    yield p
    p.destroy()


def test_the_form_reads_what_the_controls_hold(panel):
    form = panel.read_form()
    assert (form.x, form.y, form.layer, form.channels) == ("yaw", "pitch", "block13", "3, 5")
    assert form.x_range == ("-90", "90", "5") and form.slots == ("model1",)
    (_, xm, xf), (_, ym, _yf) = panel.axis_rows
    xm.pick("hue")
    ym.pick("")                                   # (none): one axis
    xf[2].enterText("7")
    panel.layer_menu.pick("")
    form = panel.read_form()
    assert (form.x, form.y, form.x_range[2], form.layer) == ("hue", "", "7", "")


def test_model_toggles_skip_unavailable_slots(panel):
    panel.toggle_model("model2")                  # not enabled: stays off
    assert panel.read_form().slots == ("model1",)
    panel.toggle_model("model1")
    assert panel.read_form().slots == ()
    assert panel.model_buttons["model1"]["frameColor"][0] == pytest.approx(theme.BUTTON_BG)
    panel.toggle_model("model1")
    assert panel.model_buttons["model1"]["frameColor"][0] == pytest.approx(theme.MODEL1)


def test_buttons_call_back(panel):
    panel.run_button.commandFunc(None)
    panel.set_progress(3, 10, 1.5, running=True)
    panel.cancel_button.commandFunc(None)
    panel.close_button.commandFunc(None)
    assert panel.calls == ["run", "cancel", "close"] and not panel.is_open
    assert panel.progress_text.text == "3/10 points  1.5 s"


def test_pictures_keep_their_size_and_fit_their_boxes(panel, showbase):
    heat = np.zeros((2 * 24, 5 * 24, 3), np.uint8)
    heat[:, :, 0] = 200
    legend = [(f"class {i}", (i * 20, 100, 50), 10 - i) for i in range(10)]
    tune = np.full((64, 160, 3), 90, np.uint8)
    panel.show_results([("Model 1", heat, legend)], [("c1 #0", tune), ("c1 #2", tune)],
                       ("Yaw -90 to 90, 5 steps", "Pitch -40 to 20, 2 steps"))
    step(showbase)
    pic = panel.heatmaps[0]
    assert (pic.texture.getXSize(), pic.texture.getYSize()) == (120, 48) and pic.shape == (48, 120)
    assert pic.texture.getMagfilter() == SamplerState.FT_nearest  # cells stay crisp
    assert panel.heatmaps[1].root.isHidden() and panel.tunings[2].root.isHidden()
    assert panel.legends[0][0][1].text.startswith("class 0 10")
    assert "more" in panel.legends[0][-1][1].text      # 10 classes, 8 lines
    top = panel.frame.getTop()
    x0, x1, z0, z1 = panel.frame["frameSize"]
    lo = top.getRelativePoint(panel.frame, Point3(x0, 0, z0))
    hi = top.getRelativePoint(panel.frame, Point3(x1, 0, z1))
    for node in [p.root for p in panel.heatmaps[:1] + panel.tunings[:2]]:
        a, b = node.getTightBounds(top)
        assert lo.x <= a.x and b.x <= hi.x and lo.z <= a.z and b.z <= hi.z, node
    from game.app.input.focus import bounds
    for widget in (panel.run_button, panel.channels_entry, panel.close_button,
                   panel.axis_rows[1][2][2]):
        left, right, bottom, up = bounds(widget, top)
        assert lo.x <= left and right <= hi.x and lo.z <= bottom and up <= hi.z, widget
    # the tuning curves (left, bottom) and the heat maps (right) do not overlap
    ta, tb = panel.tunings[1].root.getTightBounds(top)
    ha, hb = panel.heatmaps[0].root.getTightBounds(top)
    assert tb.x < ha.x or tb.z < ha.z


def test_class_names_are_written_in_the_cells_where_they_fit(panel, showbase):
    from ui.sweep_panel import CELL_TEXT

    heat = np.zeros((2 * 24, 3 * 24, 3), np.uint8)
    heat[:24] = (243, 195, 0)                     # a light cell colour: dark ink
    heat[24:] = (0, 103, 165)                     # a dark one: light ink
    labels = [["malinois", "boxer", ""], ["tabby", "Siamese cat", "x"]]
    panel.show_results([("Model 1", heat, [])], [], ("", ""), [labels])
    step(showbase)
    pic = panel.heatmaps[0]
    shown = [t for t in pic.cell_texts if not t.np.isHidden()]
    assert len(shown) == 5                         # no name for the empty cell
    cell = pic.box / 3
    assert all(t.width() <= cell for t in shown)
    assert shown[0].text.startswith("mal") and shown[4].text == "x"
    assert shown[0].node.getTextColor()[0] < 0.5 and shown[3].node.getTextColor()[0] > 0.5
    # cells too small for three letters get no names
    panel.show_results([("Model 1", np.zeros((40 * 4, 40 * 4, 3), np.uint8), [])], [], ("", ""),
                       [[["malinois"] * 40] * 40])
    assert all(t.np.isHidden() for t in pic.cell_texts) and CELL_TEXT > 0
