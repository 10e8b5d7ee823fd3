"""Offscreen windows get no mouse from ShowBase: build the data graph ourselves so
tests, soak runs and headless replays can drive clicks, drags and the wheel."""
from __future__ import annotations

from panda3d.core import ButtonThrower, MouseButton, MouseWatcher, NodePath, VirtualMouse


class VirtualPointer:
    def __init__(self, base):
        self.base = base
        self.vmouse = VirtualMouse("virtual-mouse")
        self.vmouse.setWindowSize(base.win.getXSize(), base.win.getYSize())
        self.vmouse.setMouseOn(True)
        self.np = base.dataRoot.attachNewNode(self.vmouse)
        watcher = MouseWatcher("virtual-watcher")
        self.watcher_np = self.np.attachNewNode(watcher)
        thrower = ButtonThrower("virtual-buttons")
        self.watcher_np.attachNewNode(thrower)
        base.mouseWatcherNode = watcher
        base.mouseWatcher = self.watcher_np
        base.buttonThrowers = [NodePath(thrower)]
        if hasattr(base, "aspect2d"):
            base.aspect2d.node().setMouseWatcher(watcher)
        self.watcher = watcher

    def move_to(self, x: float, y: float) -> None:
        """Move to mouse coordinates in [-1, 1] (x right, y up)."""
        w, h = self.base.win.getXSize(), self.base.win.getYSize()
        self.vmouse.setWindowSize(w, h)
        self.vmouse.setMousePos(int((x + 1) / 2 * w), int((1 - y) / 2 * h))

    def press(self, button: str = "mouse1") -> None:
        self.vmouse.pressButton(_button(button))

    def release(self, button: str = "mouse1") -> None:
        self.vmouse.releaseButton(_button(button))

    def wheel(self, up: bool = True) -> None:
        b = MouseButton.wheelUp() if up else MouseButton.wheelDown()
        self.vmouse.pressButton(b)
        self.vmouse.releaseButton(b)


def _button(name: str):
    return {"mouse1": MouseButton.one(), "mouse2": MouseButton.two(),
            "mouse3": MouseButton.three()}[name]


def attach_virtual_mouse(base) -> VirtualPointer:
    return VirtualPointer(base)
