"""The Feat. Vis. row: a checkbox and an entry driving the discrete parameter ``feat_vis``.

``feat_vis == ""`` is off; any other text is what the plane shows: an image path or
``<layer>:<channel>`` (Model 1's layer names, e.g. ``block13:42``; ``logit:281`` for a
class). Checked = the entry's text, unchecked = "". :meth:`set_status` writes a short
note at the right end of the entry (e.g. "making 37 %" while the picture is made).
"""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectCheckButton, DirectEntry
from panda3d.core import TextNode

from game.core.params import ParamError, ParamState
from ui import theme
from ui.draw import Text, card

ROW_H = theme.px(24)
CHECK_W = theme.px(90)   # the checkbox and its label
PLACEHOLDER = "image.png or layer:channel"


class FeatVisRow:
    """``w`` wide, top-left corner at ``pos`` (x, z) in ``parent``."""

    def __init__(self, parent, params: ParamState, w: float, pos=(0.0, 0.0),
                 text: str = PLACEHOLDER):
        self.params = params
        self.root = parent.attachNewNode("feat-vis")
        self.root.setPos(pos[0], 0, pos[1])
        s, h = theme.TEXT_SCALE, ROW_H
        box = theme.px(14) / s  # the indicator's side, in text units
        self.check = DirectCheckButton(
            parent=self.root, text="Feat. Vis.", scale=s, text_fg=theme.TEXT,
            text_align=TextNode.ALeft, relief=None, pressEffect=0, boxPlacement="left",
            boxRelief=DGG.FLAT, boxBorder=0.25, pos=((box + 0.5) * s, 0, -h / 2 - s * 0.35),
            indicator_frameColor=theme.FIELD_BG, indicator_text_fg=theme.OK,
            indicator_frameSize=(-box / 2, box / 2, -box / 2 + 0.3, box / 2 + 0.3),
            command=self._toggled)
        self.check.indicator["text"] = (" ", "x")
        self.check.indicator["text_scale"] = 1.1
        self.check.indicator["text_pos"] = (0, 0.05)
        es = theme.SMALL_SCALE
        entry_w = w - CHECK_W
        self.entry = DirectEntry(
            parent=self.root, initialText=params["feat_vis"] or text, scale=es, focus=0,
            pos=(CHECK_W + theme.px(4), 0, -h / 2 - es * 0.35),
            width=(entry_w - theme.px(8)) / es, numLines=1, overflow=1, relief=DGG.FLAT,
            frameColor=theme.FIELD_BG, text_fg=theme.TEXT, command=self._entered,
            frameSize=(-theme.px(4) / es, (entry_w - theme.px(4)) / es,
                       -(h / 2 - es * 0.35) / es, (h / 2 + es * 0.35) / es))
        # The note sits on its own field-coloured patch so that it stays readable over text.
        self._status_z = -h / 2 - theme.SMALL_SCALE * 0.35
        self._status_bg = card(self.root, 1.0, h - theme.px(6), theme.FIELD_BG, (w, -theme.px(3)),
                               "feat-vis-status-bg")
        self.status = Text(self.root, "", (w - theme.px(4), self._status_z),
                           fg=theme.TEXT_DIM, align=TextNode.ARight)
        self._w = w
        self.set_status("")
        self._show(params["feat_vis"])
        self._unsubscribe = params.watch("feat_vis", self._on_param)

    def set_status(self, text: str, error: bool = False) -> None:
        self.status.set(text)
        self.status.set_fg(theme.ERROR if error else theme.TEXT_DIM)
        if not text:
            self._status_bg.hide()
            return
        width = self.status.width() + theme.px(10)
        self._status_bg.setSx(width)
        self._status_bg.setX(self._w - width)
        self._status_bg.show()

    @property
    def checked(self) -> bool:
        return bool(self.check["indicatorValue"])

    # -- view -> model -----------------------------------------------------------------
    def _toggled(self, on) -> None:
        self._apply(self.entry.get().strip() if on else "")

    def _entered(self, text: str) -> None:
        if self.checked:
            self._apply(text.strip())

    def _apply(self, value: str) -> None:
        try:
            self.params.set("feat_vis", value)
        except ParamError:
            pass
        self._show(self.params["feat_vis"])  # e.g. checked with an empty entry: still off

    # -- model -> view -----------------------------------------------------------------
    def _on_param(self, _name: str, value) -> None:
        self._show(value)

    def _show(self, value: str) -> None:
        """Reflect ``value`` without calling back; "" keeps the entry's text for next time."""
        self.check["indicatorValue"] = 1 if value else 0
        if value and self.entry.get() != value:
            self.entry.enterText(value)

    def destroy(self) -> None:
        self._unsubscribe()
        self.check.destroy()
        self.entry.destroy()
        self.root.removeNode()
