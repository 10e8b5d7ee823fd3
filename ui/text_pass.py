"""The GUI's text drawn in a pass of its own, after the panels it lies on.

DirectGUI draws in scene-graph order: a button's frame, its text, the next frame, the
next text... On a software rasteriser (Mesa llvmpipe) a switch between an untextured
frame and textured, blended text costs tens of microseconds of CPU: a test program with
150 frames and 150 labels interleaved drew in 10.5 ms a frame, with the text in its own
state-sorted bin in 3.3 ms. In the app, whose draws also switch state for other
reasons, it saved ~1.2 of the ~10 ms of CPU its ~300 draws cost.

``TextPass.update()`` puts the text of every DirectGUI widget that draws in the
ordinary 2-D order (the ``unsorted`` bin) into ``TEXT_BIN``, drawn after that bin and
before ``gui-popup``. Widgets under a node with a bin of its own (open menus, dialogs,
the help overlay) keep theirs, so a popup still covers the text under it. What this
changes on screen: a widget's text shows over a frame of a later widget that overlaps
it; panels that open over others either hide what they cover or live in
``gui-popup``.

Each new widget's fully transparent frames are dropped as well
(``ui.invisible_frames``): the same visit, nothing changes on screen.
"""
from __future__ import annotations

from direct.gui.DirectGuiBase import DirectGuiWidget
from panda3d.core import CullBinAttrib, CullBinManager

from ui import invisible_frames

TEXT_BIN = "gui-text"
UNSORTED = "unsorted"  # where render2d puts everything it draws in scene-graph order


def register_bin() -> None:
    """Create ``TEXT_BIN`` (once per process): state-sorted, just after ``unsorted``."""
    manager = CullBinManager.getGlobalPtr()
    if manager.findBin(TEXT_BIN) >= 0:
        return
    after = manager.getBinSort(manager.findBin(UNSORTED))
    popup = manager.findBin("gui-popup")
    before = manager.getBinSort(popup) if popup >= 0 else after + 10
    manager.addBin(TEXT_BIN, CullBinManager.BT_state_sorted, (after + before) // 2)


def net_bin(node) -> str:
    """The bin ``node`` draws in, from the bins set on it and its ancestors."""
    attrib = node.getNetState().getAttrib(CullBinAttrib)
    return attrib.getBinName() if attrib is not None else ""


class TextPass:
    """Moves the text of new widgets into ``TEXT_BIN``; call ``update()`` before drawing."""

    def __init__(self, root):
        register_bin()
        self.root = root  # only widgets drawn under this node (render2d)
        self._seen: set[str] = set()
        self._signature = None  # (widget count, newest widget) when last looked
        self._waiting = False   # widgets not attached yet, to look at again
        self.moved = 0  # text components moved so far (tests)
        self.dropped = 0  # invisible frames dropped so far (tests)

    def update(self) -> None:
        widgets = DirectGuiWidget.guiDict
        signature = (len(widgets), next(reversed(widgets), None))
        if signature == self._signature and not self._waiting:
            return  # no widget made or destroyed since the last look
        self._signature, self._waiting = signature, False
        self._seen.intersection_update(widgets.keys())  # destroyed widgets are forgotten
        for gui_id in widgets.keys() - self._seen:
            widget = widgets[gui_id]
            if widget.isEmpty() or not self.root.isAncestorOf(widget):
                self._waiting = True  # not attached yet: looked at again next time
                continue
            self._seen.add(gui_id)
            self.dropped += invisible_frames.drop(widget)
            if net_bin(widget) == UNSORTED:
                self._move_text(widget)

    def _move_text(self, widget) -> None:
        for name in widget.components():
            if name.startswith("text"):
                text = widget.component(name)
                if not text.isEmpty() and not text.getBinName():
                    text.setBin(TEXT_BIN, 0)
                    self.moved += 1
