"""The window's one status line: a message shown right under what it is about.

``show(text, near)`` puts one line of text on a dark backing just below ``near`` (a
widget or NodePath: what failed), kept inside the window and cut with an ellipsis
to its width; ``note(text, near)`` does so for news that is no error (a job that
started), unless an error is being shown. It goes away after ``seconds`` (with a task
manager), on the next ``show`` or on ``hide``. Views with a status line of their own
(a model slot, a tool's panel) show their messages there instead.
"""
from __future__ import annotations

from panda3d.core import NodePath, Point3, TextNode, TransparencyAttrib

from ui import theme
from ui.draw import Text, card, ellipsize
from ui.widgets import frame_bounds

H = theme.px(22)
PAD = theme.px(6)
GAP = theme.px(2)        # between what failed and the line
MAX_W = theme.px(560)
BACKING = (0.04, 0.04, 0.05, 0.92)
TASK = "perturber-status-line"


class StatusLine:
    """On ``parent`` (aspect2d: x in [-aspect, aspect], z in [-1, 1]); ``task_mgr``, if
    given, hides a message after ``seconds``."""

    def __init__(self, parent: NodePath, task_mgr=None, seconds: float = 10.0):
        self.parent, self.task_mgr, self.seconds = parent, task_mgr, seconds
        self.root = parent.attachNewNode("status-line")
        self.root.setBin("gui-popup", 96)  # over the panels it lies on
        self.backing = card(self.root, 1.0, H, BACKING, name="status-backing")
        self.backing.setTransparency(TransparencyAttrib.MAlpha)
        self.text = Text(self.root, "", (PAD, -H / 2 - theme.SMALL_SCALE * 0.35),
                         fg=theme.ERROR, align=TextNode.ALeft)
        self.text.np.setBin("gui-popup", 97)  # over its backing
        self.message = ""
        self.error = False  # the message shown is an error
        self.root.hide()

    @property
    def visible(self) -> bool:
        return not self.root.isHidden()

    def show(self, text: str, near: NodePath, error: bool = True) -> None:
        """``text`` (its first line) under ``near``."""
        self.message, self.error = text, error
        left, right = self._window_x()
        line = ellipsize(text.strip().split("\n")[0], theme.SMALL_SCALE,
                         min(MAX_W, right - left) - 2 * PAD)
        self.text.set(line)
        self.text.set_fg(theme.ERROR if error else theme.TEXT)
        w = self.text.width() + 2 * PAD
        self.backing.setScale(w, 1, 1)
        x, z = self._under(near)
        x = min(max(x, left), right - w)
        z = min(max(z, -1 + H), 1)
        self.root.setPos(x, 0, z)
        self.root.show()
        if self.task_mgr is not None:
            self.task_mgr.remove(TASK)
            self.task_mgr.doMethodLater(self.seconds, lambda _task: self.hide(), TASK)

    def note(self, text: str, near: NodePath) -> None:
        """``text`` under ``near`` as news, not an error; never over an error still shown."""
        if self.visible and self.error:
            return
        self.show(text, near, error=False)

    def hide(self) -> None:
        self.root.hide()

    def _under(self, near: NodePath) -> tuple[float, float]:
        """The bottom-left corner of ``near`` in ``parent`` coordinates, just below it: a
        DirectGUI widget by its frame (drawn outside the scene graph), anything else by
        its geometry, failing both its origin."""
        if hasattr(near, "getBounds") and hasattr(near, "guiItem"):
            x0, x1, z0, z1 = frame_bounds(near)
            corners = [self.parent.getRelativePoint(near, Point3(x, 0, z))
                       for x in (x0, x1) for z in (z0, z1)]
            return min(p.x for p in corners), min(p.z for p in corners) - GAP
        box = near.getTightBounds(self.parent)
        if box is not None:
            return box[0].x, box[0].z - GAP
        p = self.parent.getRelativePoint(near, Point3(0, 0, 0))
        return p.x, p.z - GAP

    def _window_x(self) -> tuple[float, float]:
        """The window's left and right edges in ``parent`` coordinates."""
        top = self.parent.getTop()
        return (self.parent.getRelativePoint(top, Point3(-1, 0, 0)).x,
                self.parent.getRelativePoint(top, Point3(1, 0, 0)).x)

    def destroy(self) -> None:
        if self.task_mgr is not None:
            self.task_mgr.remove(TASK)
        self.root.removeNode()
