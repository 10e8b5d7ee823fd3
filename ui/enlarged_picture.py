"""One feature or class visualisation shown large over the window, with what it is.

:meth:`EnlargedPicture.open` takes a :class:`Subject`: the key of a class visualisation
(model, checkpoint, class index) or a feature visualisation (model, checkpoint, layer,
channel), a title ("tabby (class 281)", "block13 #42"), the model and the kind.
Over the dimmed window it shows the title, the model, whether the picture was shipped
with Perturber or computed here, and the picture ``PICTURE`` high (320 px in an
800-px window). A picture that is not there yet says so and what making it costs on
this machine, with a button that starts it; one being made shows the picture so far
and its step. A click anywhere but on a button, the close button, or Escape closes it.
:meth:`refresh` (called when the visualisations moved on) shows what is new.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from direct.showbase.DirectObject import DirectObject
from panda3d.core import NodePath, TextNode, TransparencyAttrib

from game.core.texconv import numpy_to_texture
from ui import theme
from ui.draw import Text, as_uint8, card, displayable, ellipsize
from ui.vis_status import cost_text, progress_band, progress_texts, show_progress
from ui.widgets import button

CLASS, FEATURE = "class visualisation", "feature visualisation"
PICTURE = theme.px(320)
PAD = theme.px(16)
W = PICTURE + 2 * PAD
TOP = PAD + theme.px(58)                 # the title and two lines above the picture
H = TOP + PICTURE + theme.px(44) + PAD   # a status line and the hint below it
BUTTON_W, BUTTON_H = theme.px(150), theme.px(28)
TITLE_W = PICTURE - theme.px(24)         # beside the close button
NOTE_W = PICTURE - 2 * PAD
DIM = (0.0, 0.0, 0.0, 0.6)               # over the window behind
HINT = "click anywhere or press Esc to close"

Status = Callable[["Subject"], object]   # -> its VisStatus (state, image, estimate...)
Request = Callable[["Subject"], None]    # make its picture


@dataclass(frozen=True)
class Subject:
    """What to show: its key, and how to name it."""
    key: tuple    # (model, checkpoint, class index) or (model, checkpoint, layer, channel)
    title: str    # "tabby (class 281)", "block13 #42"
    model: str    # "Model 1: MobileNetV2 · Standard"
    kind: str     # CLASS or FEATURE


def origin_text(subject: Subject, status) -> str:
    """The third line: the kind of picture and where it comes from."""
    kind = subject.kind + (" (not a photo)" if subject.kind == CLASS else "")
    if status.state == "done":
        return f"{kind}, {'shipped with Perturber' if status.shipped else 'computed here'}"
    return f"{kind}, not made yet"


def note_text(status) -> str:
    """What a picture that is not finished says (at most two lines of ``NOTE_W``)."""
    if status.state == "failed":
        return "making it failed:\n" + ellipsize(status.error, theme.TEXT_SCALE, NOTE_W)
    cost = f"{cost_text(status.estimate)} of CPU here" if status.estimate > 0 else ""
    if status.state == "queued":
        return f"queued: it takes {cost} once it starts" if cost else "queued"
    if status.state == "running":
        texts = progress_texts(status)
        step = texts[0] + (f" ({texts[-1]})" if len(texts) > 1 else "")
        return f"making it: {step}" + (f", {cost} in all" if cost else "")
    return f"not made yet: making it takes {cost}" if cost else "not made yet"


class EnlargedPicture:
    """Over ``parent`` (aspect2d, centred); hidden until :meth:`open`."""

    def __init__(self, parent: NodePath, status: Status, request: Request):
        self._status, self._request = status, request
        self.subject: Subject | None = None
        self.state = ""
        self._shown = None        # (key, state, revision) last drawn
        self._preview_tex = None
        self.backdrop = DirectFrame(parent=parent, frameSize=(-10, 10, -1, 1), frameColor=DIM,
                                    state=DGG.NORMAL, relief=DGG.FLAT)  # swallows clicks
        self.backdrop.setTransparency(TransparencyAttrib.MAlpha)
        self.backdrop.setBin("gui-popup", 80)  # over the panels, under the help and status line
        self.backdrop.bind(DGG.B1PRESS, lambda _event: self.close())
        self.panel = card(self.backdrop, W, H, theme.PANEL_BG, (-W / 2, H / 2), "enlarged")
        self._build_texts()
        self.picture = card(self.panel, PICTURE, PICTURE, theme.FIELD_BG, (PAD, -TOP),
                            "enlarged-picture")
        self.band = progress_band(self.panel, PICTURE, theme.TEXT_SCALE, theme.px(20))
        self.band[0].setPos(PAD, 0, -TOP - PICTURE + theme.px(20))
        middle = -TOP - PICTURE / 2
        self.note = Text(self.panel, "", (W / 2, middle + theme.px(22)), scale=theme.TEXT_SCALE,
                         fg=theme.TEXT_DIM, align=TextNode.ACenter, wordwrap=NOTE_W)
        self.make_button = button(self.panel, "", self.make,
                                  ((W - BUTTON_W) / 2, middle - theme.px(12)), BUTTON_W, BUTTON_H,
                                  color=theme.MODEL1)
        close_w = theme.px(26)
        self.close_button = button(self.panel, displayable("\u00d7"), self.close,
                                   (W - PAD - close_w + theme.px(8), -theme.px(8)), close_w,
                                   theme.px(24))
        self._events = DirectObject()
        self.backdrop.hide()

    def _build_texts(self) -> None:
        x = PAD
        self.title = Text(self.panel, "", (x, -PAD - theme.px(12)), scale=theme.HEADER_SCALE * 1.2)
        self.model_text = Text(self.panel, "", (x, -PAD - theme.px(30)), fg=theme.TEXT_DIM)
        self.origin = Text(self.panel, "", (x, -PAD - theme.px(46)), fg=theme.TEXT_DIM)
        below = -TOP - PICTURE
        self.status_text = Text(self.panel, "", (x, below - theme.px(20)), scale=theme.TEXT_SCALE)
        self.hint = Text(self.panel, HINT, (x, below - theme.px(40)), fg=theme.TEXT_DIM)

    # -- showing -------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return not self.backdrop.isHidden()

    def open(self, subject: Subject) -> None:
        self.subject, self._shown = subject, None
        self.title.set(ellipsize(subject.title, self.title.scale, TITLE_W))
        self.model_text.set(ellipsize(subject.model, self.model_text.scale, PICTURE))
        self.backdrop.show()
        self._events.accept("escape", self.close)
        self.refresh()

    def close(self) -> None:
        self.backdrop.hide()
        self._events.ignoreAll()
        self.subject = None

    def make(self) -> None:
        """Start making the picture shown (the button)."""
        if self.subject is not None:
            self._request(self.subject)
            self.refresh()

    def refresh(self) -> None:
        """Ask the status source again and show what changed."""
        if self.subject is None:
            return
        status = self._status(self.subject)
        shown = (self.subject.key, status.state, status.revision, status.estimate)
        if shown == self._shown:
            return
        self._shown, self.state = shown, status.state
        self.origin.set(ellipsize(origin_text(self.subject, status), self.origin.scale, PICTURE))
        done = status.state == "done"
        self._set_picture(status.image if done else status.preview, final=done)
        show_progress(self.band, status, PICTURE)
        empty = status.state in ("missing", "failed", "queued") or \
            (status.state == "running" and status.preview is None)
        self.note.set(note_text(status) if empty else "")
        self.note.set_fg(theme.ERROR if status.state == "failed" else theme.TEXT_DIM)
        offer = status.state in ("missing", "failed")
        cost = f" ({cost_text(status.estimate)})" if status.estimate > 0 else ""
        self.make_button["text"] = ("Try again" if status.state == "failed" else "Make it") + cost
        self.make_button.show() if offer else self.make_button.hide()
        self.status_text.set("" if done or empty else note_text(status))

    def _set_picture(self, image, final: bool) -> None:
        if image is None:
            self.picture.clearTexture()
            self.picture.setColor(*theme.FIELD_BG)
            return
        pixels = as_uint8(image)
        if final:
            tex = numpy_to_texture(pixels, "enlarged-picture", mipmaps=True, anisotropy=1)
        else:  # new pixels every few steps: one texture
            tex = self._preview_tex = numpy_to_texture(pixels, "enlarged-preview",
                                                       tex=self._preview_tex)
        self.picture.setTexture(tex, 1)
        self.picture.setColor(1, 1, 1, 1)

    def destroy(self) -> None:
        self._events.ignoreAll()
        self.make_button.destroy()
        self.close_button.destroy()
        self.backdrop.destroy()
