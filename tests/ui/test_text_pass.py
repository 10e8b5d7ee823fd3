"""The GUI's text in its own pass: which widgets move, which keep their bin, and that
text still shows over the panel it lies on."""
import numpy as np
from direct.gui.DirectGui import DirectButton, DirectFrame, DirectLabel
from panda3d.core import CullBinManager, PNMImage

from ui import theme
from ui.text_pass import TEXT_BIN, TextPass, net_bin, register_bin
from ui.widgets import frame_bounds, panel


def text_bins(widget):
    return {name: widget.component(name).getBinName()
            for name in widget.components() if name.startswith("text")}


def test_bin_sorts_after_the_panels_and_before_popups(showbase):
    register_bin()
    register_bin()  # once per process, however often asked
    m = CullBinManager.getGlobalPtr()
    sort = m.getBinSort(m.findBin(TEXT_BIN))
    assert m.getBinSort(m.findBin("unsorted")) < sort < m.getBinSort(m.findBin("gui-popup"))
    assert m.getBinType(m.findBin(TEXT_BIN)) == CullBinManager.BT_state_sorted


def test_moves_text_of_ordinary_widgets_and_leaves_popups(showbase):
    frame = DirectFrame(parent=showbase.aspect2d, frameSize=(0, 1, -1, 0))
    label = DirectLabel(parent=frame, text="Hue", scale=0.05)
    button = DirectButton(parent=frame, text="Apply", scale=0.05)  # four states, four texts
    popup = DirectFrame(parent=showbase.aspect2d, frameSize=(0, 1, -1, 0))
    popup.setBin("gui-popup", 0)
    in_popup = DirectLabel(parent=popup, text="menu item", scale=0.05)
    passes = TextPass(showbase.render2d)
    passes.update()
    assert set(text_bins(label).values()) == {TEXT_BIN}
    assert set(text_bins(button).values()) == {TEXT_BIN} and len(text_bins(button)) == 4
    assert set(text_bins(in_popup).values()) == {""}  # drawn with its popup
    assert net_bin(in_popup) == "gui-popup"
    moved = passes.moved
    passes.update()  # nothing new: nothing looked at again
    assert passes.moved == moved
    later = DirectLabel(parent=frame, text="made later", scale=0.05)
    passes.update()
    assert set(text_bins(later).values()) == {TEXT_BIN}
    for w in (later, in_popup, popup, button, label, frame):
        w.destroy()
    passes.update()  # destroyed widgets are forgotten
    assert not passes._seen & {w.guiId for w in (later, label, button)}


def test_widget_not_yet_attached_is_moved_once_attached(showbase):
    passes = TextPass(showbase.render2d)
    orphan = DirectLabel(parent=showbase.hidden, text="elsewhere", scale=0.05)
    passes.update()
    assert set(text_bins(orphan).values()) == {""}
    orphan.reparentTo(showbase.aspect2d)
    passes.update()
    assert set(text_bins(orphan).values()) == {TEXT_BIN}
    orphan.destroy()


def test_text_still_shows_over_its_panel(showbase):
    """White text on a dark panel over another panel, drawn: the text's pixels are there."""
    outer = panel(showbase.aspect2d, 1.0, 0.6, color=theme.PANEL_BG, pos=(-0.5, 0.3))
    inner = panel(outer, 0.9, 0.5, color=theme.FIELD_BG, pos=(0.05, -0.05))
    DirectLabel(parent=inner, text="WWWW", scale=0.2, pos=(0.05, 0, -0.3),
                text_fg=(1, 1, 1, 1), relief=None)
    TextPass(showbase.render2d).update()
    for _ in range(2):
        showbase.graphicsEngine.renderFrame()
    image = PNMImage()
    assert showbase.win.getScreenshot(image)
    w, h = image.getXSize(), image.getYSize()
    pixels = np.array([[image.getBright(x, y) for x in range(w // 2 - 150, w // 2 + 150, 3)]
                       for y in range(h // 2 - 60, h // 2 + 60, 3)])
    assert pixels.max() > 0.95  # white text, over both panels
    assert np.isclose(np.median(pixels), theme.FIELD_BG[0], atol=0.03)  # the inner panel


def test_transparent_panel_draws_nothing_and_keeps_its_bounds(showbase):
    container = panel(showbase.aspect2d, 1, 0.5, color=(0, 0, 0, 0))
    filled = panel(showbase.aspect2d, 1, 0.5)
    assert container["relief"] is None
    assert filled["relief"] is not None
    assert frame_bounds(container) == frame_bounds(filled) == (0, 1, -0.5, 0)
    container.destroy()
    filled.destroy()


def test_fully_transparent_frames_are_not_drawn_and_the_widget_is_unchanged(showbase):
    """A hover row (transparent at rest, lit under the mouse) and a hit area lose only
    the frames that draw nothing; their styles, region and bounds stay."""
    from panda3d.core import PGFrameStyle

    row = DirectButton(parent=showbase.aspect2d, frameSize=(0, 1, -0.1, 0), text="row",
                       frameColor=((0, 0, 0, 0), theme.HEADER_HOVER, theme.HEADER_HOVER,
                                   (0, 0, 0, 0)))
    hit = DirectButton(parent=showbase.aspect2d, frameSize=(0, 0.5, -0.5, 0),
                       frameColor=(0, 0, 0, 0))
    shown = panel(showbase.aspect2d, 1, 0.5)
    passes = TextPass(showbase.render2d)
    passes.update()
    kinds = [row.guiItem.getFrameStyle(i).getType() for i in range(4)]
    assert kinds[0] == kinds[3] == PGFrameStyle.TNone
    assert PGFrameStyle.TNone not in kinds[1:3]  # rollover and pressed still lit
    assert all(hit.guiItem.getFrameStyle(i).getType() == PGFrameStyle.TNone for i in range(4))
    assert shown.guiItem.getFrameStyle(0).getType() == PGFrameStyle.TFlat
    assert passes.dropped == 2 + 4
    resting = row.frameStyle[0].getType()
    assert resting != PGFrameStyle.TNone  # the widget's own style
    assert tuple(hit.guiItem.getFrame()) == (0, 0.5, -0.5, 0)  # its mouse region
    row["frameColor"] = (0.2, 0.4, 0.6, 1)  # made visible later: DirectGUI pushes it again
    assert row.guiItem.getFrameStyle(0).getType() == resting
    for w in (row, hit, shown):
        w.destroy()
