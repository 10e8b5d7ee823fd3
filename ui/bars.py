"""One top-k row of the prediction view: a bar in the model colour with its text inside.

The bar's length is the class probability over the largest probability shown (the
thesis normalises by the maximum) and the text says the absolute value ("tabby 43.1%");
with logits shown, the logit over the largest logit shown and "tabby 12.34" (a
negative logit has no bar).
The text is drawn twice, each copy clipped (a scissor) to one side of the bar's end:
ink that reads on the model colour over the bar, light text over the dark track, so
it stays legible on dark blue, light blue and yellow alike. Both copies are one text
node, instanced: its glyphs are laid out once per change (the rows change with every
frame), each instance coloured by its parent.
"""
from __future__ import annotations

from typing import Callable

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from panda3d.core import Point3

from ui import theme
from ui.draw import Text, card, ellipsize, measure

BAR_H = theme.px(19)
BAR_GAP = theme.px(3)
TEXT_PAD = theme.px(5)


def bar_fraction(prob: float, max_prob: float) -> float:
    """Length of a bar as a fraction of the full width."""
    if max_prob <= 0:
        return 0.0
    return min(max(prob / max_prob, 0.0), 1.0)


def bar_text(label: str, prob: float, max_w: float, scale: float = theme.SMALL_SCALE,
             logit: float | None = None) -> str:
    """``"tabby 43.1%"`` (or with ``logit`` ``"tabby 12.34"``), the label shortened with an
    ellipsis so the whole fits ``max_w``."""
    value = f" {logit:.2f}" if logit is not None else f" {prob * 100:.1f}%"
    return ellipsize(label, scale, max_w - measure(value, scale)) + value


class BarRow:
    """A ``w``-wide row, top-left at ``z``; ``on_hover(index, entered)`` on enter / exit,
    ``on_click(index)``, if given, on a press of the left mouse button."""

    def __init__(self, parent, index: int, w: float, z: float, colour,
                 on_hover: Callable[[int, bool], None],
                 on_click: Callable[[int], None] | None = None):
        self.index, self.w, self.colour = index, w, colour
        self.fraction = 0.0
        self.hit = DirectFrame(parent=parent, frameSize=(0, w, -BAR_H, 0), pos=(0, 0, z),
                               frameColor=(0, 0, 0, 0), state=DGG.NORMAL, suppressMouse=0)
        self.hit.bind(DGG.ENTER, lambda _e: on_hover(index, True))
        self.hit.bind(DGG.EXIT, lambda _e: on_hover(index, False))
        if on_click is not None:
            self.hit.bind(DGG.B1PRESS, lambda _e: on_click(index))
        self.track = card(self.hit, w, BAR_H, theme.FIELD_BG, name="track")
        self.bar = card(self.hit, 1.0, BAR_H, colour, name="bar")
        base = -BAR_H / 2 - theme.SMALL_SCALE * 0.35
        self._over_bar = self.hit.attachNewNode("text-on-bar")
        self._over_track = self.hit.attachNewNode("text-on-track")
        self.text_on_bar = Text(self._over_bar, "", (TEXT_PAD, base), fg=theme.ink_on(colour))
        self.text_on_bar.np.instanceTo(self._over_track)
        self._over_track.setColor(*theme.TEXT, 1)  # over the text node's own colour
        self.set_fraction(0.0)

    @property
    def text(self) -> str:
        return self.text_on_bar.text

    def set(self, label: str, prob: float, fraction: float, logit: float | None = None) -> None:
        """``logit``: shown instead of the probability."""
        text = bar_text(label, prob, self.w - 2 * TEXT_PAD, logit=logit)
        self.text_on_bar.set(text)
        self.set_fraction(fraction)

    def set_fraction(self, fraction: float) -> None:
        if fraction == self.fraction and self.bar.getSx() > 0:
            return
        self.fraction = fraction
        bw = max(fraction * self.w, 1e-6)
        self.bar.setSx(bw)
        self._over_bar.setScissor(Point3(0, 0, -BAR_H), Point3(bw, 0, 0))
        self._over_track.setScissor(Point3(bw, 0, -BAR_H), Point3(self.w, 0, 0))

    def set_highlight(self, on: bool) -> None:
        self.track.setColor(*(theme.HEADER_HOVER if on else theme.FIELD_BG))

    def destroy(self) -> None:
        self.hit.destroy()
