"""A checkbox bound to one on/off parameter, drawn in a given colour.

The model slots' checkboxes carry the slot colour (thesis: "the checkboxes share
the common color encoding"), so the box is drawn here rather than by
DirectCheckButton: a border in the colour when off, filled with a tick when on.
Clicking the box or its label toggles the parameter; the look follows the parameter.
"""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton
from panda3d.core import LineSegs, TextNode

from game.core.params import ParamState
from ui import theme
from ui.draw import card
from ui.widgets import text_width

BOX = theme.px(14)
BORDER = theme.px(2)


class FlagCheck:
    """``[x] text``, ``h`` high, top-left corner at ``pos`` (x, z) in ``parent``."""

    def __init__(self, parent, params: ParamState, name: str, text: str, pos=(0.0, 0.0),
                 colour=theme.OK, w: float | None = None, h: float = theme.ROW_H,
                 scale: float = theme.TEXT_SCALE):
        self.params, self.name, self.colour = params, name, colour
        self.root = parent.attachNewNode(f"check-{name}")
        self.root.setPos(pos[0], 0, pos[1])
        text_x = BOX + theme.px(6)
        w = w if w is not None else text_x + text_width(text, scale) + theme.px(4)
        self.button = DirectButton(
            parent=self.root, text=text, command=self.toggle, relief=DGG.FLAT,
            frameSize=(-theme.px(2), w, -h, 0), pressEffect=0,
            frameColor=((0, 0, 0, 0), theme.HEADER_HOVER, theme.HEADER_HOVER, (0, 0, 0, 0)),
            text_scale=scale, text_fg=theme.TEXT, text_align=TextNode.ALeft,
            text_pos=(text_x, -h / 2 - scale * 0.35))
        z = -(h - BOX) / 2
        self._border = card(self.button, BOX, BOX, colour, (0, z), "box-border")
        self._hole = card(self.button, BOX - 2 * BORDER, BOX - 2 * BORDER, theme.FIELD_BG,
                          (BORDER, z - BORDER), "box-hole")
        self._tick = self._make_tick(z)
        self.show(params[name])
        self._unsubscribe = params.watch(name, self._on_param)

    def _make_tick(self, z: float):
        segs = LineSegs("tick")
        segs.setThickness(2.0)
        segs.setColor(*theme.ink_on(self.colour))
        for i, (u, v) in enumerate(((0.22, 0.52), (0.42, 0.30), (0.78, 0.74))):
            point = (u * BOX, 0, z - (1 - v) * BOX)
            segs.drawTo(*point) if i else segs.moveTo(*point)
        return self.button.attachNewNode(segs.create())

    @property
    def checked(self) -> bool:
        return bool(self.params[self.name])

    def toggle(self) -> None:
        self.params.set(self.name, 0 if self.checked else 1)

    def show(self, value) -> None:
        """Reflect ``value`` (the parameter's) without setting anything."""
        if value:
            self._hole.hide()
            self._tick.show()
        else:
            self._hole.show()
            self._tick.hide()

    def _on_param(self, _name: str, value) -> None:
        self.show(value)

    def destroy(self) -> None:
        self._unsubscribe()
        self.button.destroy()
        self.root.removeNode()
