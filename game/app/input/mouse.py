"""Mouse on the scene view: drag = yaw/pitch, wheel = dolly, middle drag = pan.

Every gesture becomes a change of camera parameters in the one parameter model, so
the recorder, sliders and CLI see exactly what the mouse did.
"""
from __future__ import annotations

from typing import Callable

from game.render.camera import DOLLY_FACTOR, ORBIT_DEG_PER_PX, PAN_PER_PX, clamp_to, wrap_yaw
from game.core.params import BY_NAME, ParamState
from game.core.stages import Stage


class MouseOrbit:
    def __init__(self, base, params: ParamState, in_view: Callable[[float, float], bool],
                 on_click: Callable[[], None] | None = None):
        self.base = base
        self.params = params
        self.in_view = in_view
        self.on_click = on_click
        self.mode: str | None = None  # "orbit" | "pan"
        self.last: tuple[float, float] | None = None
        self.moved = False
        for event, handler in (
            ("mouse1", lambda: self._press("orbit")), ("mouse1-up", self._release),
            ("mouse2", lambda: self._press("pan")), ("mouse2-up", self._release),
            ("wheel_up", lambda: self._wheel(1 / DOLLY_FACTOR)),
            ("wheel_down", lambda: self._wheel(DOLLY_FACTOR)),
        ):
            base.accept(event, handler)
        base.taskMgr.add(self._drag_task, "perturber-mouse-drag", sort=Stage.MOUSE)

    def _mouse(self) -> tuple[float, float] | None:
        watcher = getattr(self.base, "mouseWatcherNode", None)
        if watcher is None or not watcher.hasMouse():
            return None
        m = watcher.getMouse()
        return m.x, m.y

    def _pixels(self, a, b) -> tuple[float, float]:
        w, h = self.base.win.getXSize(), self.base.win.getYSize()
        return (b[0] - a[0]) * w / 2.0, (b[1] - a[1]) * h / 2.0

    def _press(self, mode: str) -> None:
        pos = self._mouse()
        if pos is None or not self.in_view(*pos):
            return
        self.mode, self.last, self.moved = mode, pos, False

    def _release(self) -> None:
        if self.mode == "orbit" and not self.moved and self.on_click:
            self.on_click()
        self.mode = self.last = None

    def _wheel(self, factor: float) -> None:
        pos = self._mouse()
        if pos is None or not self.in_view(*pos):
            return
        d = clamp_to(BY_NAME["distance"], self.params["distance"] * factor)
        self.params.set("distance", d)

    def _drag_task(self, task):
        if self.mode is None:
            return task.cont
        pos = self._mouse()
        if pos is None or pos == self.last:
            return task.cont
        dx, dy = self._pixels(self.last, pos)
        self.last = pos
        self.moved = True
        self.drag(dx, dy)
        return task.cont

    def drag(self, dx: float, dy: float) -> None:
        """Apply a drag of (dx, dy) pixels (right / up positive) in the current mode."""
        p = self.params
        if self.mode == "orbit":
            p.update({
                "yaw": wrap_yaw(p["yaw"] - dx * ORBIT_DEG_PER_PX),
                "pitch": clamp_to(BY_NAME["pitch"], p["pitch"] - dy * ORBIT_DEG_PER_PX),
            })
        elif self.mode == "pan":
            scale = PAN_PER_PX * p["distance"] / 3.0
            p.update({
                "pan_x": clamp_to(BY_NAME["pan_x"], p["pan_x"] - dx * scale),
                "pan_y": clamp_to(BY_NAME["pan_y"], p["pan_y"] - dy * scale),
            })

    def destroy(self) -> None:
        for event in ("mouse1", "mouse1-up", "mouse2", "mouse2-up", "wheel_up", "wheel_down"):
            self.base.ignore(event)
        self.base.taskMgr.remove("perturber-mouse-drag")
