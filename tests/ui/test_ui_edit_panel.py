"""The weight-editing panel: rows per block, mode toggle, sliders write edit_weights."""
import subprocess
import sys

import pytest
from panda3d.core import MouseButton, Point3

from game.core.params import ParamState
from nets.editing.settings import FULL, format_edits, read_edits
from ui import theme
from ui.edit_panel import EditFormat, EditPanel
from ui.range_slider import RangeSlider

from .conftest import spy_sets, step

BLOCKS = ["conv_first"] + [f"block{i}" for i in range(1, 18)] + ["conv_last", "classifier"]
EDITS = EditFormat(read_edits, format_edits, FULL)  # what the editing tool gives the panel


@pytest.fixture
def panel(showbase):
    params = ParamState()
    p = EditPanel(showbase.aspect2d, params, EDITS, theme.px(624), theme.px(402), (-1.55, 0.0),
                  BLOCKS)
    p.show()
    step(showbase)
    yield p
    p.destroy()


def track_point(slider: RangeSlider, fraction: float):
    """render2d point on ``slider``'s track at ``fraction``."""
    p = slider.root.getTop().getRelativePoint(slider.root, Point3(fraction * slider.w, 0,
                                                                  -slider.h / 2))
    return p.x, p.z


def drag(pointer, slider, start, end):
    pointer.move_to(*track_point(slider, start))
    pointer.mouse.pressButton(MouseButton.one())
    step(pointer.base, 1)
    pointer.move_to(*track_point(slider, end))
    step(pointer.base, 1)
    pointer.mouse.releaseButton(MouseButton.one())
    step(pointer.base, 1)


def test_one_row_per_block_in_two_columns_inside_the_panel(panel):
    assert list(panel.rows) == BLOCKS
    top = panel.frame.getTop()
    x0, x1, z0, z1 = panel.frame["frameSize"]
    lo = top.getRelativePoint(panel.frame, Point3(x0, 0, z0))
    hi = top.getRelativePoint(panel.frame, Point3(x1, 0, z1))
    xs = set()
    for row in panel.rows.values():
        a, b = row.root.getTightBounds(top)
        assert lo.x <= a.x and b.x <= hi.x and lo.z <= a.z and b.z <= hi.z, row.block
        xs.add(round(row.root.getX(panel.frame), 4))
    assert len(xs) == 2  # two columns
    assert panel.rows["block3"].readout.text == "0.00"
    assert panel.mode_buttons["mix"]["frameColor"][0] == pytest.approx(theme.EDITED)


def test_a_click_on_a_mix_track_sets_that_blocks_alpha(panel, pointer):
    calls = spy_sets(panel.params)
    slider = panel.rows["block3"].slider
    pointer.move_to(*track_point(slider, 0.5))
    pointer.click()
    assert panel.params["edit_weights"] == "block3=0.5"
    assert calls == [("edit_weights", "block3=0.5")]  # one write per gesture
    assert panel.rows["block3"].readout.text == "0.50"


def test_dragging_only_writes_on_release(panel, pointer):
    slider = panel.rows["block7"].slider
    pointer.move_to(*track_point(slider, 0.2))
    pointer.mouse.pressButton(MouseButton.one())
    step(pointer.base, 1)
    pointer.move_to(*track_point(slider, 0.9))
    step(pointer.base, 2)
    assert panel.params["edit_weights"] == ""           # nothing yet
    assert panel.rows["block7"].readout.text == "0.90"  # but the read-out follows
    pointer.mouse.releaseButton(MouseButton.one())
    step(pointer.base, 1)
    assert panel.params["edit_weights"] == "block7=0.9"


def test_prune_rows_have_two_thumbs_and_write_ranges(panel, pointer):
    panel.mode_buttons["prune"]["command"]()
    assert panel.params["edit_mode"] == "prune"
    slider = panel.rows["block4"].slider
    assert slider.values == (0.0, 1.0) and len(slider.thumbs) == 2
    drag(pointer, slider, 0.98, 0.8)      # the high thumb
    assert panel.params["edit_weights"] == "block4=0:0.8"
    drag(pointer, slider, 0.05, 0.25)     # the low thumb
    assert panel.params["edit_weights"] == "block4=0.25:0.8"
    drag(pointer, slider, 0.3, 0.95)      # the low thumb stops at the high one
    assert panel.params["edit_weights"] == "block4=0.8:0.8"
    assert panel.rows["block4"].readout.text == "0.80 - 0.80"


def test_modes_keep_each_others_settings_and_reset_clears_one(panel):
    panel.params.set("edit_weights", "block1=0.5,block2=0.1:0.9")
    assert panel.rows["block1"].slider.values == (0.5,)
    panel.set_mode("prune")
    assert panel.rows["block2"].slider.values == (0.1, 0.9)
    assert panel.rows["block1"].slider.values == (0.0, 1.0)
    panel.rows["block5"].slider.commit((0.0, 0.5))
    assert panel.params["edit_weights"] == "block1=0.5,block2=0.1:0.9,block5=0:0.5"
    panel.reset_button["command"]()
    assert panel.params["edit_weights"] == "block1=0.5"
    panel.set_mode("mix")
    assert panel.rows["block1"].slider.values == (0.5,)


def test_changes_from_elsewhere_move_the_thumbs_without_echo(panel, showbase):
    calls = spy_sets(panel.params)
    ParamState.set(panel.params, "edit_weights", "conv_last=0.75,stem=0.5")  # stem: not shown
    step(showbase, 2)
    assert panel.rows["conv_last"].slider.values == (0.75,)
    assert panel.rows["conv_last"].readout.text == "0.75"
    assert calls == []
    panel.rows["block1"].slider.commit((0.25,))  # unknown blocks are kept, not dropped
    assert panel.params["edit_weights"] == "block1=0.25,conv_last=0.75,stem=0.5"


def test_right_click_resets_a_row(panel, pointer):
    panel.params.set("edit_weights", "block9=0.6")
    pointer.move_to(*track_point(panel.rows["block9"].slider, 0.3))
    pointer.click(MouseButton.three())
    assert panel.params["edit_weights"] == ""


def test_a_malformed_string_shows_defaults_and_close_calls_back(showbase):
    params = ParamState()
    params.set("edit_weights", "block1=oops")
    closed = []
    p = EditPanel(showbase.aspect2d, params, EDITS, theme.px(300), theme.px(300), (0, 0),
                  BLOCKS[:3], on_close=lambda: closed.append(1))
    p.show()
    assert p.rows["block1"].slider.values == (0.0,)
    assert len({round(r.root.getX(p.frame), 4) for r in p.rows.values()}) == 1  # narrow: 1 column
    p.set_message("Mix needs Model 1 and Model 2 of the same architecture", error=True)
    assert p.message.text.startswith("Mix needs") and tuple(p.message.node.getTextColor()) == \
        pytest.approx(theme.ERROR)
    p.close_button["command"]()
    assert closed == [1] and not p.is_open
    p.destroy()


def test_many_blocks_get_shorter_rows_and_no_blocks_a_message(showbase):
    params = ParamState()
    p = EditPanel(showbase.aspect2d, params, EDITS, theme.px(624), theme.px(402), (0, 0),
                  [f"b{i}" for i in range(40)])
    heights = {round(r.slider.h / theme.px(1)) for r in p.rows.values()}
    assert heights == {18}
    p.set_blocks([])
    assert p.rows == {} and "not loaded" in p.message.text
    p.destroy()


def test_the_panel_module_imports_neither_torch_nor_torchvision():
    code = ("import sys, ui.edit_panel; "
            "sys.exit(1 if {'torch', 'torchvision'} & set(sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_coincident_thumbs_part_towards_the_press(showbase):
    got = []
    s = RangeSlider(showbase.aspect2d, 1.0, (0.5, 0.5), got.append)
    assert s.grab(0.7) == 1 and s.grab(0.3) == 0 and s.grab(0.49) == 0
    s.move(0, 0.9)                       # the low thumb stops at the high one
    assert s.values == (0.5, 0.5)
    s.commit((0.8, 0.2))                 # given out of order: sorted
    assert got == [(0.2, 0.8)]
    s.destroy()


def test_model_slots_take_a_tool_button_on_the_edited_row(showbase, pointer):
    from ui.slots_view import ModelSlotsView

    from .fake_results import choices

    params = ParamState()
    slots = ModelSlotsView(showbase.aspect2d, params, theme.px(318), (-0.5, 0.8), choices())
    clicks = []
    b = slots.add_button("edited", "Edit\u2026", lambda: clicks.append(1))
    slots.set_status("edited", "pruned 12 blocks, a long status that cannot fit beside the button")
    top = b.getTop()
    x0, x1, z0, z1 = b["frameSize"]
    centre = top.getRelativePoint(b, Point3((x0 + x1) / 2, 0, (z0 + z1) / 2))
    status = slots.slots["edited"].status
    assert status.text.endswith("\u2026")  # cut before the button
    right = top.getRelativePoint(status.np, Point3(status.node.getWidth(), 0, 0)).x
    assert right < top.getRelativePoint(b, Point3(x0, 0, 0)).x
    pointer.move_to(centre.x, centre.z)
    pointer.click()
    assert clicks == [1]
    slots.remove_button("edited", b)
    assert slots.slots["edited"].buttons == []
    slots.destroy()
