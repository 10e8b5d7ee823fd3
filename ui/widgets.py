"""Small DirectGUI helpers used by every panel.

Convention: a panel's origin is its top-left corner, its frame extends right (+x)
and down (-z): ``frameSize = (0, w, -h, 0)``.
"""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton, DirectFrame, DirectLabel
from panda3d.core import TextNode

from ui import theme


def panel(parent, w: float, h: float, color=theme.PANEL_BG, pos=(0, 0), **kw) -> DirectFrame:
    """A decorative frame that never swallows mouse events.

    DirectFrames are interactive by default and suppress mouse buttons under them,
    which would hide clicks and drags from the app (e.g. orbiting in the scene view).
    A fully transparent panel (a container) draws nothing: no quad to blend.
    """
    if len(color) == 4 and color[3] == 0:
        kw.setdefault("relief", None)
    return DirectFrame(
        parent=parent, frameSize=(0, w, -h, 0), frameColor=color,
        pos=(pos[0], 0, pos[1]), state=DGG.DISABLED, suppressMouse=0, **kw)


def frame_bounds(widget) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of a DirectGUI widget in its own coordinates: its
    ``frameSize`` where it has one (a panel that draws nothing has no geometry for
    ``getBounds`` to measure), else what ``getBounds`` measures."""
    size = widget["frameSize"]
    return tuple(size) if size else tuple(widget.getBounds())


def text_width(text: str, scale: float) -> float:
    node = TextNode("measure")
    node.setText(text)
    return node.getWidth() * scale


def fit_scale(text: str, scale: float, max_w: float) -> float:
    """``scale``, shrunk so that ``text`` is at most ``max_w`` wide."""
    w = text_width(text, scale)
    return scale if w <= max_w else scale * max_w / w


def label(parent, text: str, pos, scale=theme.TEXT_SCALE, fg=theme.TEXT,
          align=TextNode.ALeft, **kw) -> DirectLabel:
    """Plain text; ``pos`` is the baseline start (x, z)."""
    return DirectLabel(
        parent=parent, text=text, text_scale=scale, text_fg=fg, text_align=align,
        relief=None, pos=(pos[0], 0, pos[1]), state=DGG.DISABLED, suppressMouse=0, **kw)


def button(parent, text: str, command, pos, w: float, h: float,
           scale=theme.TEXT_SCALE, color=theme.BUTTON_BG, **kw) -> DirectButton:
    """A flat button whose frame is ``w`` x ``h`` with its top-left corner at ``pos``."""
    return DirectButton(
        parent=parent, text=text, command=command, text_scale=scale, text_fg=theme.TEXT,
        text_pos=(w / 2, -h / 2 - scale * 0.35), relief=DGG.FLAT,
        frameSize=(0, w, -h, 0), frameColor=(color, _lighter(color), _lighter(color, 0.2), color),
        pos=(pos[0], 0, pos[1]), pressEffect=0, **kw)


def _lighter(c, amount=0.1):
    return tuple(min(1.0, v + amount) for v in c[:3]) + (c[3],)
