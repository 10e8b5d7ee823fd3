"""The visible gamepad focus: a bright rectangle around the focused control."""
from __future__ import annotations

from panda3d.core import LineSegs, NodePath

from ui import theme

RING = (1.0, 0.78, 0.18, 1.0)  # amber: unlike every panel colour
MARGIN = theme.px(3)


class FocusRing:
    def __init__(self, parent: NodePath):
        self.parent = parent
        self.np: NodePath | None = None
        self._box = None

    def show_around(self, box: tuple[float, float, float, float] | None) -> None:
        """Draw around (left, right, bottom, top) in ``parent`` coordinates; None hides."""
        if box is None:
            self.hide()
            return
        box = tuple(round(v, 4) for v in box)
        if box == self._box and self.np is not None:
            return
        self.hide()
        x0, x1, z0, z1 = box[0] - MARGIN, box[1] + MARGIN, box[2] - MARGIN, box[3] + MARGIN
        segs = LineSegs("focus-ring")
        segs.setThickness(3.0)
        segs.setColor(*RING)
        segs.moveTo(x0, 0, z0)
        for x, z in ((x1, z0), (x1, z1), (x0, z1), (x0, z0)):
            segs.drawTo(x, 0, z)
        self.np = self.parent.attachNewNode(segs.create())
        self.np.setBin("gui-popup", 100)  # over every panel and open menu
        self.np.setDepthTest(False)
        self.np.setDepthWrite(False)
        self._box = box

    @property
    def visible(self) -> bool:
        return self.np is not None

    def hide(self) -> None:
        if self.np is not None:
            self.np.removeNode()
        self.np, self._box = None, None

    def destroy(self) -> None:
        self.hide()
