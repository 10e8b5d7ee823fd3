"""Sensitivity bars: beside each scene slider, how much its parameter moves the top class.

In the room a slider keeps for it (``ParamSlider.bar_zone``) a signed bar grows from
a centre tick: green to the right for a positive derivative of the top class's logit,
red to the left for a negative one. Lengths are relative to the largest |change over
the slider's whole range| shown, so parameters of different units (degrees, pixels,
fractions) compare; that change (in logits) is written above the bar. While the bars
do not show the current scene (a change is settling, a run is in flight) they are
drawn dim. Hovering a bar shows the derivative and the change in a sentence.

``SensitivityHeader`` is the on/off checkbox and a status line in the Scene title bar.
"""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from panda3d.core import TextNode

from game.core.params import BY_NAME, ParamState
from ui import theme
from ui.draw import Text, card, ellipsize
from ui.flag_check import FlagCheck

POS = (0.30, 0.80, 0.36, 1.0)
NEG = (0.92, 0.30, 0.26, 1.0)
TICK = (0.55, 0.55, 0.58, 1.0)
BAR_H = theme.px(8)
NUMBER_SCALE = theme.TEXT_SCALE
DIM = 0.38                 # colour scale of a stale bar
TIP_W = theme.px(300)


def _dim(c, k: float):
    return (c[0] * k + 0.17 * (1 - k), c[1] * k + 0.17 * (1 - k), c[2] * k + 0.18 * (1 - k), 1.0)


def fmt(v: float) -> str:
    return f"{v:+.3g}" if v else "0"


def fmt_short(v: float) -> str:
    """The change over a slider's range in at most 5 characters: "+1.2", "-0.31", "+12"."""
    if not v:
        return "0"
    if abs(v) >= 99.5:
        return f"{v:+.0f}"
    text = f"{v:+.2g}"
    return text if "e" not in text else f"{v:+.3f}"


class _Bar:
    def __init__(self, slider, on_hover):
        self.name = slider.param.name
        x0, x1 = slider.bar_zone
        self.x0, self.w = x0, x1 - x0
        bar_top = -theme.ROW_H / 2 - theme.px(2)  # the lower half: the number above it
        self.root = slider.root.attachNewNode(f"sens-{self.name}")
        self.centre = x0 + self.w / 2
        self.tick = card(self.root, theme.px(1), BAR_H + theme.px(3), TICK,
                         (self.centre, bar_top + theme.px(1)), "sens-tick")
        self.bar = card(self.root, 1.0, BAR_H, POS, (self.centre, bar_top), "sens-bar")
        self.bar.hide()
        self.number = Text(self.root, "", (self.centre, bar_top + theme.px(2)),
                           scale=NUMBER_SCALE, fg=TICK, align=TextNode.ACenter)
        # A mouse-sensitive, invisible frame over the zone: hover shows the numbers.
        self.hit = DirectFrame(parent=self.root, frameSize=(x0, x1, -theme.ROW_H, 0),
                               frameColor=(0, 0, 0, 0), state=DGG.NORMAL, relief=DGG.FLAT)
        self.hit.bind(DGG.WITHIN, lambda _e: on_hover(self.name, True))
        self.hit.bind(DGG.WITHOUT, lambda _e: on_hover(self.name, False))
        self.fraction = 0.0
        self.value: float | None = None  # the change over the slider's range, written

    def show(self, fraction: float, stale: bool, value: float | None = None) -> None:
        """``fraction`` in [-1, 1] of the half zone; ``value``: the number written above."""
        self.fraction, self.value = fraction, value
        self.number.set(fmt_short(value) if value is not None else "")
        half = self.w / 2 - theme.px(1)
        length = abs(fraction) * half
        if length < theme.px(1) * 0.5:
            self.bar.hide()
        else:
            self.bar.show()
            self.bar.setSx(length)
            self.bar.setX(self.centre if fraction > 0 else self.centre - length)
        self.set_stale(stale)

    def set_stale(self, stale: bool) -> None:
        colour = POS if self.fraction > 0 else NEG
        self.bar.setColor(*(_dim(colour, DIM) if stale else colour))
        ink = TICK if not self.value else POS if self.value > 0 else NEG
        self.number.set_fg(_dim(ink, DIM) if stale else ink)

    def clear(self) -> None:
        self.fraction, self.value = 0.0, None
        self.bar.hide()
        self.number.set("")

    def destroy(self) -> None:
        self.hit.destroy()
        self.root.removeNode()


class SensitivityBars:
    """One bar per slider of ``sliders`` whose parameter is differentiated (not integer)."""

    def __init__(self, sliders: dict, tip_parent):
        self.sliders = sliders
        self.bars = {name: _Bar(s, self._hover) for name, s in sliders.items()
                     if not BY_NAME[name].integer and s.bar_zone[1] > s.bar_zone[0]}
        self.result = None
        self.stale = True
        self.visible = True
        self.hovered: str | None = None
        self._tip_parent = tip_parent
        self.tip = DirectFrame(parent=tip_parent, frameColor=theme.FIELD_BG,
                               frameSize=(0, TIP_W, -theme.px(38), 0), relief=DGG.FLAT,
                               state=DGG.DISABLED, suppressMouse=0, sortOrder=50)
        self.tip_text = Text(self.tip, "", (theme.px(6), -theme.px(15)))
        self.tip.hide()

    def show(self, result, stale: bool = False) -> None:
        """``result``: a ``game.tools.sensitivity.tool.Sensitivity``."""
        self.result, self.stale = result, stale
        largest = result.largest_span()
        for name, bar in self.bars.items():
            known = name in result.d
            span = result.span(name) if known else 0.0
            bar.show(span / largest if largest > 0 else 0.0, stale, span if known else None)
        if self.hovered:
            self._hover(self.hovered, True)

    def set_stale(self, stale: bool) -> None:
        if stale != self.stale:
            self.stale = stale
            for bar in self.bars.values():
                bar.set_stale(stale)

    def clear(self) -> None:
        self.result = None
        for bar in self.bars.values():
            bar.clear()

    def set_visible(self, on: bool) -> None:
        if on == self.visible:
            return
        self.visible = on
        for bar in self.bars.values():
            bar.root.show() if on else bar.root.hide()
        if not on:
            self.tip.hide()

    def tooltip(self, name: str) -> str:
        r = self.result
        if r is None or name not in r.d:
            return f"{BY_NAME[name].label}: not computed yet"
        p = BY_NAME[name]
        side = " (one-sided: at a bound)" if name in r.one_sided else ""
        state = "  [stale]" if self.stale else ""
        return (f"d logit({r.label}) / d {p.label}: {fmt(r.d[name])} per unit{side}\n"
                f"over the slider's whole range: {fmt(r.span(name))}{state}")

    def _hover(self, name: str, inside: bool) -> None:
        if not inside:
            if self.hovered == name:
                self.hovered = None
                self.tip.hide()
            return
        self.hovered = name
        bar = self.bars[name]
        self.tip_text.set(self.tooltip(name))
        pos = self._tip_parent.getRelativePoint(bar.root, (bar.x0 + bar.w, 0, 0))
        # Right of the bar, above its row (the bars are in the left column: room to the right).
        self.tip.setPos(pos.x, 0, pos.z + theme.px(40))
        self.tip.show()

    def destroy(self) -> None:
        for bar in self.bars.values():
            bar.destroy()
        self.tip.destroy()


class SensitivityHeader:
    """``[x] Sensitivity`` and a status line in the Scene column's title bar, left of
    the Sweep and Rec buttons."""

    CHECK_X = theme.LEFT_W - theme.PAD - theme.px(64 + 8 + 72 + 8 + 104)

    def __init__(self, column_frame, params: ParamState):
        h = theme.px(22)
        z = -(theme.TITLE_H - h) / 2
        self.check = FlagCheck(column_frame, params, "show_sensitivity", "Sensitivity",
                               (self.CHECK_X, z), h=h, scale=theme.SMALL_SCALE)
        self.status = Text(column_frame, "", (self.CHECK_X - theme.px(8),
                                              -theme.TITLE_H / 2 - theme.SMALL_SCALE * 0.35),
                           align=TextNode.ARight, fg=theme.TEXT_DIM)

    def set_status(self, text: str, busy: bool = False, error: bool = False) -> None:
        self.status.set(ellipsize(text, self.status.scale, self.CHECK_X - theme.px(90)))
        self.status.set_fg(theme.ERROR if error else theme.TEXT if busy else theme.TEXT_DIM)

    def destroy(self) -> None:
        self.check.destroy()
        self.status.np.removeNode()
