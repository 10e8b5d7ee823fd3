"""The Feat. Vis. row beside the view: checkbox + entry <-> params["feat_vis"]."""
from pathlib import Path

from panda3d.core import Filename

from ui.feat_vis_plane import PLACEHOLDER
from ui.widgets import frame_bounds

OUT = Path(__file__).resolve().parents[2] / "out"


def center(widget):
    b = frame_bounds(widget)
    p = widget.getTop().getRelativePoint(widget, ((b[0] + b[1]) / 2, 0, (b[2] + b[3]) / 2))
    return p.x, p.z


def rect(widget):
    """(left, right, bottom, top) in render2d coordinates."""
    b = frame_bounds(widget)
    top = widget.getTop()
    lo = top.getRelativePoint(widget, (b[0], 0, b[2]))
    hi = top.getRelativePoint(widget, (b[1], 0, b[3]))
    return lo.x, hi.x, lo.z, hi.z


def test_starts_off_with_a_placeholder(ui):
    fv = ui.panel.feat_vis
    assert not fv.checked and fv.entry.get() == PLACEHOLDER
    assert ui.params["feat_vis"] == ""


def test_checkbox_sets_and_clears_the_param(ui, pointer):
    fv = ui.panel.feat_vis
    fv.entry.enterText("/data/fv/mixed4a_222.png")
    pointer.move_to(*center(fv.check))
    pointer.click()  # a real click on the checkbox
    assert fv.checked and ui.params["feat_vis"] == "/data/fv/mixed4a_222.png"
    pointer.click()
    assert not fv.checked and ui.params["feat_vis"] == ""
    assert fv.entry.get() == "/data/fv/mixed4a_222.png"  # kept for the next time


def test_enter_in_the_entry_applies_only_while_checked(ui):
    fv = ui.panel.feat_vis
    fv.entry.enterText("a.png")
    fv.entry.commandFunc(None)  # Enter
    assert ui.params["feat_vis"] == ""
    fv.check.commandFunc(None)  # check
    fv.entry.enterText("mixed4a:222")
    fv.entry.commandFunc(None)
    assert ui.params["feat_vis"] == "mixed4a:222"


def test_checked_with_an_empty_entry_stays_off(ui):
    fv = ui.panel.feat_vis
    fv.entry.enterText("  ")
    fv.check.commandFunc(None)
    assert ui.params["feat_vis"] == "" and not fv.checked


def test_a_param_change_updates_the_widgets_without_echo(ui):
    fv = ui.panel.feat_vis
    heard = []
    ui.params.watch_all(lambda name, value: heard.append((name, value)))
    ui.params.set("feat_vis", "/data/fv/conv2d0_3.png")
    assert fv.checked and fv.entry.get() == "/data/fv/conv2d0_3.png"
    ui.params.set("feat_vis", "")
    assert not fv.checked and fv.entry.get() == "/data/fv/conv2d0_3.png"
    ui.step()
    assert heard == [("feat_vis", "/data/fv/conv2d0_3.png"), ("feat_vis", "")]


def test_row_sits_below_the_glsl_status_inside_the_side_area(ui):
    fv, controls = ui.panel.feat_vis, ui.panel.controls
    ui.panel.controls.show_code_status("\n".join(f"0:{i}(1): error: a rather long compiler message "
                                        "that wraps over the width" for i in range(30)))
    side = rect(ui.layout.view_side)
    status = rect(controls.status)
    for w in (fv.check, fv.entry):
        left, right, bottom, top = rect(w)
        assert side[0] - 1e-6 <= left and right <= side[1] + 1e-6
        assert side[2] - 1e-6 <= bottom and top < status[2]  # below the longest status


def test_screenshot_side_panel(ui):
    ui.calls.code_result = "0:3(12): error: syntax error, unexpected IDENTIFIER"
    ui.panel.controls.apply_code()
    ui.params.set("feat_vis", "/data/feature_vis/mixed4a_222.png")
    ui.step(3)
    OUT.mkdir(exist_ok=True)
    assert ui.base.win.saveScreenshot(Filename.fromOsSpecific(str(OUT / "ui_feat_vis.png")))


def test_status_note_at_the_end_of_the_entry(ui):
    fv = ui.panel.feat_vis
    assert fv.status.text == "" and fv._status_bg.isHidden()
    ui.params.set("feat_vis", "block13:42")
    fv.set_status("making 37 %")
    assert fv.status.text == "making 37 %" and not fv._status_bg.isHidden()
    left, right, _, _ = rect(fv.entry)
    lo, hi = fv.status.np.getTightBounds(fv.status.np.getTop())
    assert left < lo.x and hi.x <= right + 1e-6 and hi.x > (left + right) / 2  # at its right end
    fv.set_status("failed", error=True)
    assert tuple(fv.status.node.getTextColor())[0] > 0.9
    fv.set_status("")
    assert fv._status_bg.isHidden() and fv.entry.get() == "block13:42"
