"""A caption over the scene view: one line of large text on a dark band.

The kiosk's tour says with it what is being shown ("dog -> cat", "a PGD attack"). The
band spans the view above its bottom corners, where the attack overlay's tags sit.
"""
from __future__ import annotations

from panda3d.core import NodePath, TextNode, TransparencyAttrib

from ui import theme
from ui.draw import Text, card, ellipsize
from ui.widgets import fit_scale

SCALE = theme.px(18)
MIN_SCALE = theme.px(13)
BAND_H = theme.px(30)
ABOVE_TAGS = theme.px(46)  # the band's bottom edge over the view's bottom
BACKING = (0.0, 0.0, 0.0, 0.66)


class Caption:
    """Over ``view`` (``size`` x ``size``, origin top-left); hidden while empty."""

    def __init__(self, view: NodePath, size: float):
        self.size = size
        self.root = view.attachNewNode("caption")
        self.root.setPos(0, 0, -size + ABOVE_TAGS + BAND_H)
        band = card(self.root, size, BAND_H, BACKING, name="caption-band")
        band.setTransparency(TransparencyAttrib.MAlpha)
        self.text = Text(self.root, "", (size / 2, -BAND_H / 2 - SCALE * 0.35), scale=SCALE,
                         align=TextNode.ACenter)
        self._given = ""
        self.root.hide()

    @property
    def shown(self) -> str:
        """The caption shown, as given ("" when hidden)."""
        return "" if self.root.isHidden() else self._given

    def set(self, text: str) -> None:
        self._given = text
        if not text:
            self.root.hide()
            return
        room = self.size - theme.px(12)
        scale = max(fit_scale(text, SCALE, room), MIN_SCALE)  # smaller before it is cut
        self.text.np.setScale(scale)
        self.text.set(ellipsize(text, scale, room))
        self.root.show()

    def destroy(self) -> None:
        self.root.removeNode()
