"""One model's part of the prediction view: header, class picture, top-k bars.

The header (in the model colour) collapses the block. The picture shows the class
visualisation of the top class, or of the row under the mouse (thesis: "hovering
over a different top 5 class than the first one replaces the example image"). It is
a generated image, not a photo, and its caption says so.
"""
from __future__ import annotations

from typing import Callable, Optional

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton
from panda3d.core import Texture, TextNode

from game.core.results import SLOT_TITLES, SlotOutput
from ui import theme
from ui.bars import BAR_GAP, BAR_H, BarRow, bar_fraction
from ui.draw import Text, card, ellipsize, measure
from ui.widgets import fit_scale

HEADER_H = theme.px(22)
PIC_GAP = theme.px(6)
CAPTION_PAD = theme.px(8)
BLOCK_GAP = theme.px(10)
PLACEHOLDER = "making class\nvisualisation\u2026"
CAPTION = "class visualisation\n(not a photo)"

# (model, checkpoint, class index) -> a ready Texture, or None while it is being made
PictureSource = Callable[[tuple], Optional[Texture]]


def block_height(picture: float, rows: int, collapsed: bool) -> float:
    if collapsed:
        return HEADER_H
    return HEADER_H + PIC_GAP + picture + PIC_GAP + rows * (BAR_H + BAR_GAP)


class PredictionBlock:
    """``w`` wide, top-left at ``z``; ``picture`` is the side of the class picture."""

    def __init__(self, parent, slot: str, rows: int, w: float, z: float, picture: float,
                 collapsed: bool, on_toggle: Callable[[str], None], source: PictureSource):
        self.slot, self.w, self.collapsed, self._source = slot, w, collapsed, source
        self.root = parent.attachNewNode(f"prediction-{slot}")
        self.root.setZ(z)
        colour = theme.SLOT_COLOURS.get(slot, theme.TEXT_DIM)
        s = theme.TEXT_SCALE
        self.header = DirectButton(
            parent=self.root, text="", command=lambda: on_toggle(slot), relief=DGG.FLAT,
            frameSize=(0, w, -HEADER_H, 0), pressEffect=0,
            frameColor=(colour, _mix(colour), _mix(colour), colour),
            text_scale=s, text_fg=theme.ink_on(colour), text_align=TextNode.ALeft,
            text_pos=(theme.px(7), -HEADER_H / 2 - s * 0.35))
        self.body = self.root.attachNewNode("body")
        self.body.setZ(-HEADER_H - PIC_GAP)
        self.picture = card(self.body, picture, picture, theme.FIELD_BG, name="class-picture")
        longest = max(PLACEHOLDER.split("\n"), key=lambda line: measure(line, 1.0))
        ps = fit_scale(longest, theme.SMALL_SCALE, picture - theme.px(10))
        self.placeholder = Text(self.body, PLACEHOLDER, (picture / 2, -picture / 2 + ps * 0.2),
                                scale=ps, fg=theme.TEXT_DIM, align=TextNode.ACenter)
        cap_x, cap_w = picture + CAPTION_PAD, w - picture - CAPTION_PAD
        self.class_name = Text(self.body, "", (cap_x, -theme.TEXT_SCALE), scale=theme.TEXT_SCALE,
                               wordwrap=cap_w)
        self.caption = Text(self.body, CAPTION, (cap_x, -picture + theme.SMALL_SCALE * 1.1),
                            fg=theme.TEXT_DIM, wordwrap=cap_w)
        bars_z = -picture - PIC_GAP
        self.rows = [BarRow(self.body, i, w, bars_z - i * (BAR_H + BAR_GAP), colour, self.hover)
                     for i in range(rows)]
        self.height = block_height(picture, rows, collapsed)
        self.hovered: int | None = None
        self.key: tuple | None = None   # what the picture shows (model, checkpoint, class)
        self._output: SlotOutput | None = None
        self._title = ""
        self.set_collapsed(collapsed)

    # -- refreshing ------------------------------------------------------------------
    def show(self, output: SlotOutput, max_value: float, logits: bool = False) -> None:
        """Bars of ``output``'s probabilities (``logits``: logits) over ``max_value``, the
        largest one shown in the view."""
        self._output = output
        title = f"{SLOT_TITLES.get(output.slot, output.slot)}: {output.title}"
        if title != self._title:
            self._title = title
            self._update_header()
        for row, entry in zip(self.rows, output.top or ()):
            prob, logit = float(entry["prob"]), float(entry["logit"])
            value = logit if logits else prob
            row.set(entry["label"], prob, bar_fraction(value, max_value),
                    logit if logits else None)
        self._show_picture()

    def _show_picture(self, force: bool = False) -> None:
        top = self._output.top if self._output is not None else None
        if not top:
            return
        i = self.hovered if self.hovered is not None and self.hovered < len(top) else 0
        entry = top[i]
        key = (self._output.model, self._output.checkpoint, int(entry["index"]))
        self.class_name.set(entry["label"])
        if key == self.key and not force:
            return
        self.key = key
        tex = self._source(key)
        if tex is None:
            self.picture.clearTexture()
            self.picture.setColor(*theme.FIELD_BG)
            self.placeholder.np.show()
        else:
            self.picture.setTexture(tex, 1)
            self.picture.setColor(1, 1, 1, 1)
            self.placeholder.np.hide()

    @property
    def showing_picture(self) -> bool:
        return self.picture.hasTexture()

    def refresh_picture(self) -> None:
        self._show_picture(force=True)

    def hover(self, index: int, entered: bool = True) -> None:
        """The mouse entered (left) row ``index``: show its class (the top class again)."""
        if not entered and self.hovered != index:
            return  # an exit that arrived after the next row's enter
        self.hovered = index if entered else None
        for row in self.rows:
            row.set_highlight(row.index == self.hovered)
        self._show_picture()

    # -- collapsing ------------------------------------------------------------------
    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self.body.stash() if collapsed else self.body.unstash()
        self._update_header()

    def _update_header(self) -> None:
        mark = "+" if self.collapsed else "-"
        text = ellipsize(self._title, theme.TEXT_SCALE, self.w - theme.px(28))
        self.header["text"] = f"{mark}  {text}"

    def destroy(self) -> None:
        for row in self.rows:
            row.destroy()
        self.header.destroy()
        self.root.removeNode()


def _mix(c, amount=0.12):
    return tuple(min(1.0, v + amount) for v in c[:3]) + (c[3],)
