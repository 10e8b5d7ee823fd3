"""A slider over [0, 1] with one thumb (a value) or two (a range), committed on release.

DirectSlider has one thumb and reports every move; the weight-editing panel needs two
thumbs for a pruning range, and one commit per gesture (each commit rebuilds the Edited
Model, like the checkpoint slider loads only on release). Pressing anywhere on the
track moves the nearest thumb there, dragging moves it along (``on_change`` hears each
move, for a live read-out) and releasing calls ``on_commit(values)`` once. Right-click
commits ``default``. The track is drawn as coloured segments between the thumbs.
"""
from __future__ import annotations

from typing import Callable, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from direct.task.TaskManagerGlobal import taskMgr
from panda3d.core import PGTop, Point3

from ui import theme
from ui.draw import card

_ids = iter(range(1 << 30))


def snap(v: float, step: float) -> float:
    v = min(max(float(v), 0.0), 1.0)
    return round(round(v / step) * step, 6) if step else v


class RangeSlider:
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``.

    ``values``: one value or (low, high). ``colours``: one colour per track segment,
    left to right (two for one thumb, three for two).
    """

    def __init__(self, parent, w: float, values: Sequence[float],
                 on_commit: Callable[[tuple[float, ...]], None], pos=(0.0, 0.0),
                 h: float = theme.ROW_H, default: Sequence[float] | None = None,
                 colours: Sequence | None = None, step: float = 0.01,
                 on_change: Callable[[tuple[float, ...]], None] | None = None,
                 name: str = "range"):
        self.w, self.h, self.step = w, h, step
        self.values = tuple(snap(v, step) for v in values)
        if len(self.values) not in (1, 2):
            raise ValueError("a RangeSlider has one or two thumbs")
        self.default = tuple(default) if default is not None else self.values
        self.on_commit, self.on_change = on_commit, on_change
        self.colours = tuple(colours or ((theme.TROUGH, theme.EDITED, theme.TROUGH)
                                         [:len(self.values) + 1]))
        self.root = parent.attachNewNode(f"range-{name}")
        self.root.setPos(pos[0], 0, pos[1])
        pad = theme.THUMB_W / 2
        # The whole row takes the mouse (a press anywhere moves the nearest thumb) and
        # keeps it from whatever lies below.
        self.hit = DirectFrame(parent=self.root, frameSize=(-pad, w + pad, -h, 0),
                               frameColor=(0, 0, 0, 0), state=DGG.NORMAL, relief=DGG.FLAT)
        mid = -h / 2
        self.segments = [card(self.hit, 1, theme.TROUGH_H, c, (0, mid + theme.TROUGH_H / 2),
                              "segment") for c in self.colours]
        self.thumbs = [card(self.hit, theme.THUMB_W, theme.THUMB_H, theme.THUMB,
                            (0, mid + theme.THUMB_H / 2), "thumb") for _ in self.values]
        self.dragging: int | None = None
        self._task = f"range-slider-drag-{next(_ids)}"
        self.hit.bind(DGG.B1PRESS, self._press)
        self.hit.bind(DGG.B1RELEASE, self._release)
        self.hit.bind(DGG.B3PRESS, lambda _evt: self.commit(self.default))
        self._draw()

    # -- model -> view ---------------------------------------------------------------
    def set_values(self, values: Sequence[float]) -> None:
        """Show ``values`` without calling back (ignored mid-drag: the hand wins)."""
        if self.dragging is None:
            self.values = self._ordered([snap(v, self.step) for v in values])
            self._draw()

    # -- view -> model -----------------------------------------------------------------
    def commit(self, values: Sequence[float]) -> None:
        """Set ``values`` and report them (what a release does)."""
        self.values = self._ordered([snap(v, self.step) for v in values])
        self._draw()
        self.on_commit(self.values)

    def fraction_at(self, mouse) -> float:
        """The track fraction under a render2d / mouse point (x, y)."""
        local = self.root.getRelativePoint(self.root.getTop(), Point3(mouse[0], 0, mouse[1]))
        return min(max(local.x / self.w, 0.0), 1.0)

    def grab(self, fraction: float) -> int:
        """The thumb a press at ``fraction`` takes: the nearest; on a tie the one on
        the press's side (so coincident thumbs can be pulled apart)."""
        if len(self.values) == 1:
            return 0
        lo, hi = self.values
        if abs(fraction - lo) != abs(fraction - hi):
            return 0 if abs(fraction - lo) < abs(fraction - hi) else 1
        return 1 if fraction > hi else 0

    def move(self, thumb: int, fraction: float) -> None:
        """Put ``thumb`` at ``fraction`` (a low thumb stops at the high one and back)."""
        v = list(self.values)
        v[thumb] = snap(fraction, self.step)
        if len(v) == 2:
            v[thumb] = min(v[thumb], v[1]) if thumb == 0 else max(v[thumb], v[0])
        self.values = tuple(v)
        self._draw()
        if self.on_change:
            self.on_change(self.values)

    # -- mouse -------------------------------------------------------------------------
    def _press(self, evt) -> None:
        fraction = self.fraction_at(evt.getMouse())
        self.dragging = self.grab(fraction)
        self.move(self.dragging, fraction)
        taskMgr.remove(self._task)
        taskMgr.add(self._follow, self._task)

    def _follow(self, task):
        watcher = self._watcher()
        if self.dragging is not None and watcher is not None and watcher.hasMouse():
            fraction = self.fraction_at(watcher.getMouse())
            if self._differs(fraction):
                self.move(self.dragging, fraction)
        return task.cont

    def _release(self, evt) -> None:
        if self.dragging is None:
            return
        taskMgr.remove(self._task)
        self.move(self.dragging, self.fraction_at(evt.getMouse()))
        self.dragging = None
        self.on_commit(self.values)

    def _watcher(self):
        np_ = self.root
        while not np_.isEmpty():
            if isinstance(np_.node(), PGTop):
                return np_.node().getMouseWatcher()
            np_ = np_.getParent()
        return None

    # -- drawing -----------------------------------------------------------------------
    def _differs(self, fraction: float) -> bool:
        return snap(fraction, self.step) != self.values[self.dragging]

    def _ordered(self, v: list[float]) -> tuple[float, ...]:
        return tuple(sorted(v)) if len(v) == 2 else tuple(v)

    def _draw(self) -> None:
        stops = [0.0, *self.values, 1.0]
        for seg, a, b in zip(self.segments, stops, stops[1:]):
            seg.setX(a * self.w)
            seg.setSx(max((b - a) * self.w, 1e-6))
        for thumb, v in zip(self.thumbs, self.values):
            thumb.setX(v * self.w - theme.THUMB_W / 2)

    def destroy(self) -> None:
        taskMgr.remove(self._task)
        self.hit.destroy()
        self.root.removeNode()
