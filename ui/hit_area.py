"""An invisible button over pictures: a click says where, the gamepad's press says next.

One button covers a grid or a strip of pictures, so the gamepad's focus stops there
once rather than at every picture. A mouse press calls ``on_point(x, z)`` with the point
in the area's own coordinates (its top-left corner at (0, 0), z down is negative); the
focus's press (``focus.activate``: the button's command, no mouse) calls ``on_press()``.
"""
from __future__ import annotations

from typing import Callable

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton
from panda3d.core import Point3


def hit_area(parent, w: float, h: float, on_point: Callable[[float, float], None],
             on_press: Callable[[], None], pos=(0.0, 0.0)) -> DirectButton:
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``."""
    hit = DirectButton(parent=parent, relief=DGG.FLAT, pressEffect=0, frameColor=(0, 0, 0, 0),
                       frameSize=(0, w, -h, 0), pos=(pos[0], 0, pos[1]), command=on_press,
                       commandButtons=())

    def pressed(event) -> None:
        mouse = event.getMouse()
        p = hit.getRelativePoint(hit.getTop(), Point3(mouse.x, 0, mouse.y))
        on_point(p.x, p.z)

    hit.bind(DGG.B1PRESS, pressed)
    return hit
