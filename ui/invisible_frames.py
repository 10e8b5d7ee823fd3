"""A widget's fully transparent frames are not drawn at all.

DirectGUI draws a widget's frame in every state whatever its colour: a hit area, a row
that lights up only under the mouse, a check box's transparent resting look still fill
their pixels, blended to nothing. On a software rasteriser each such pixel costs as
much as a visible one (the app had 133 of them, ~1 ms a frame).

``drop(widget)`` gives the widget's item a frame of type ``none`` in the states whose
frame colour has zero alpha. The widget keeps its own styles (``widget.frameStyle``)
and its frame size, so its mouse region, its bounds and a later change of its colour
are as before: DirectGUI pushes the styles again on such a change.
"""
from __future__ import annotations

from panda3d.core import PGFrameStyle


def invisible(style: PGFrameStyle) -> bool:
    """A frame that draws something, all of it fully transparent."""
    return style.getType() != PGFrameStyle.TNone and style.getColor()[3] == 0


def drop(widget) -> int:
    """Frames of ``widget``'s states that would draw nothing visible: not drawn. Returns
    how many states changed."""
    item = getattr(widget, "guiItem", None)
    if item is None:
        return 0
    dropped = 0
    for state in range(item.getNumStateDefs()):
        style = item.getFrameStyle(state)
        if invisible(style):
            style = PGFrameStyle(style)
            style.setType(PGFrameStyle.TNone)
            item.setFrameStyle(state, style)
            dropped += 1
    return dropped
