"""One model's part of the prediction view: header, class picture, top-k bars.

The header (in the model colour) collapses the block. The picture shows the class
visualisation of the top class, or of the row under the mouse (thesis: "hovering
over a different top 5 class than the first one replaces the example image"). It is
a generated image, not a photo, and its caption says so. With a ``status`` source
(see ``game.tools.featvis.service.VisStatus``) a picture not there yet says what making
it costs here ("queued ~25 s"), one being made shows the picture so far with its step
(:meth:`refresh_progress`). With ``on_enlarge`` a click on the picture (or the
gamepad's press on it) shows it large, and a click on a row shows that row's class.
"""
from __future__ import annotations

from typing import Callable, Optional

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton
from panda3d.core import Texture, TextNode

from game.core.results import SLOT_TITLES, SlotOutput
from game.core.texconv import numpy_to_texture
from ui import theme
from ui.bars import BAR_GAP, BAR_H, BarRow, bar_fraction
from ui.draw import Text, as_uint8, card, ellipsize, measure
from ui.enlarged_picture import CLASS, Subject
from ui.hit_area import hit_area
from ui.vis_status import BAND_H, cost_text, progress_band, show_progress
from ui.widgets import fit_scale

HEADER_H = theme.px(22)
PIC_GAP = theme.px(6)
CAPTION_PAD = theme.px(8)
BLOCK_GAP = theme.px(10)
PLACEHOLDER = "making class\nvisualisation\u2026"
CAPTION = "class visualisation\n(not a photo)"
BAND_SCALE = theme.px(11)

# (model, checkpoint, class index) -> a ready Texture, or None while it is being made
PictureSource = Callable[[tuple], Optional[Texture]]
# (model, checkpoint, class index) -> a VisStatus (state, progress, preview, estimate...)
StatusSource = Callable[[tuple], object]


def block_height(picture: float, rows: int, collapsed: bool) -> float:
    if collapsed:
        return HEADER_H
    return HEADER_H + PIC_GAP + picture + PIC_GAP + rows * (BAR_H + BAR_GAP)


class PredictionBlock:
    """``w`` wide, top-left at ``z``; ``picture`` is the side of the class picture."""

    def __init__(self, parent, slot: str, rows: int, w: float, z: float, picture: float,
                 collapsed: bool, on_toggle: Callable[[str], None], source: PictureSource,
                 status: Optional[StatusSource] = None,
                 on_enlarge: Optional[Callable[[Subject], None]] = None):
        self.slot, self.w, self.collapsed, self._source = slot, w, collapsed, source
        self._status, self._on_enlarge, self._side = status, on_enlarge, picture
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
        self.band = progress_band(self.body, picture, BAND_SCALE)
        self.band[0].setZ(-picture + BAND_H)
        self.placeholder = Text(self.body, "", scale=theme.SMALL_SCALE, fg=theme.TEXT_DIM,
                                align=TextNode.ACenter)
        self._set_placeholder(PLACEHOLDER)
        self.hit = (hit_area(self.body, picture, picture, lambda _x, _z: self.enlarge(),
                             self.enlarge) if on_enlarge is not None else None)
        cap_x, cap_w = picture + CAPTION_PAD, w - picture - CAPTION_PAD
        self.class_name = Text(self.body, "", (cap_x, -theme.TEXT_SCALE), scale=theme.TEXT_SCALE,
                               wordwrap=cap_w)
        self.caption = Text(self.body, CAPTION, (cap_x, -picture + theme.SMALL_SCALE * 1.1),
                            fg=theme.TEXT_DIM, wordwrap=cap_w)
        bars_z = -picture - PIC_GAP
        click = self.enlarge if on_enlarge is not None else None
        self.rows = [BarRow(self.body, i, w, bars_z - i * (BAR_H + BAR_GAP), colour, self.hover,
                            click) for i in range(rows)]
        self.height = block_height(picture, rows, collapsed)
        self.hovered: int | None = None
        self.key: tuple | None = None   # what the picture shows (model, checkpoint, class)
        self.showing_picture = False    # the finished picture of ``key`` (not a preview)
        self._status_shown = None       # (key, state, revision, estimate) last shown
        self._preview = None            # the texture of the picture so far
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
        self.showing_picture = tex is not None
        if tex is None:
            self._status_shown = None
            self._show_status(self._status(key) if self._status is not None else None)
            return
        self.picture.setTexture(tex, 1)
        self.picture.setColor(1, 1, 1, 1)
        self.placeholder.np.hide()
        show_progress(self.band, None, self._side)

    def refresh_picture(self) -> None:
        self._show_picture(force=True)

    def refresh_progress(self) -> None:
        """Ask the status source again for a picture not there yet (cheap: call it
        whenever the visualisations moved on); a finished one is shown."""
        if self.showing_picture or self.key is None or self._status is None:
            return
        status = self._status(self.key)
        if status.state == "done":
            self.refresh_picture()
        else:
            self._show_status(status)

    def _show_status(self, status) -> None:
        """What a picture not there yet shows: the picture so far with its progress, or
        what it will cost; without a status source, that it is being made."""
        shown = (self.key, status.state, status.revision, status.estimate) if status else None
        if shown is not None and shown == self._status_shown:
            return  # nothing new since the last report
        self._status_shown = shown
        preview = status.preview if status is not None else None
        if preview is None:
            self.picture.clearTexture()
            self.picture.setColor(*theme.FIELD_BG)
        else:  # new pixels every few steps: one texture per block
            self._preview = numpy_to_texture(as_uint8(preview), f"class-preview-{self.slot}",
                                             tex=self._preview)
            self.picture.setTexture(self._preview, 1)
            self.picture.setColor(1, 1, 1, 1)
        running = status is not None and status.state == "running"
        show_progress(self.band, status if running else None, self._side)
        self._set_placeholder(placeholder_text(status) if preview is None else "")

    def _set_placeholder(self, text: str) -> None:
        """``text`` centred on the picture, as large as fits (up to the small text size)."""
        self.placeholder.set(text)
        if not text:
            self.placeholder.np.hide()
            return
        lines = text.split("\n")
        longest = max(lines, key=lambda line: measure(line, 1.0))
        s = fit_scale(longest, theme.SMALL_SCALE, self._side - theme.px(10))
        self.placeholder.np.setScale(s)
        self.placeholder.np.setPos(self._side / 2, 0,
                                   -self._side / 2 + ((len(lines) - 1) * 0.6 - 0.3) * s)
        self.placeholder.np.show()

    # -- enlarging -------------------------------------------------------------------
    def enlarge(self, index: int | None = None) -> None:
        """Show row ``index``'s class large (None: the class the picture shows)."""
        top = self._output.top if self._output is not None else None
        if self._on_enlarge is None or not top:
            return
        if index is None:
            index = self.hovered if self.hovered is not None and self.hovered < len(top) else 0
        if index >= len(top):
            return
        o, entry = self._output, top[index]
        model = f"{SLOT_TITLES.get(o.slot, o.slot)}: {o.title}" + \
            (f" @{o.checkpoint}" if o.checkpoint else "")
        self._on_enlarge(Subject((o.model, o.checkpoint, int(entry["index"])),
                                 f"{entry['label']} (class {int(entry['index'])})", model, CLASS))

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
        if self.hit is not None:
            self.hit.destroy()
        self.header.destroy()
        self.root.removeNode()


def placeholder_text(status) -> str:
    """What the empty picture says: being made (no status source), the cost, the state."""
    if status is None:
        return PLACEHOLDER
    cost = cost_text(status.estimate) if status.estimate > 0 else ""
    if status.state == "failed":
        return "failed"
    if status.state == "running":
        return "making\u2026"
    word = "queued" if status.state == "queued" else "not made"
    return f"{word}\n{cost}" if cost else word



def _mix(c, amount=0.12):
    return tuple(min(1.0, v + amount) for v in c[:3]) + (c[3],)
