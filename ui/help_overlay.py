"""The help overlay (the input mapping table) and a short-lived message banner."""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from panda3d.core import NodePath, TextNode

from ui import theme
from ui.widgets import label

ROW = theme.px(20)


class HelpOverlay:
    """A centred panel listing (input, action) rows; hidden until ``toggle()``."""

    def __init__(self, parent: NodePath, rows: list[tuple[str, str]], title: str = "Controls",
                 footer: str = ""):
        self.parent, self.rows, self.title, self.footer = parent, rows, title, footer
        self.frame: DirectFrame | None = None

    @property
    def visible(self) -> bool:
        return self.frame is not None

    def toggle(self) -> None:
        self.hide() if self.visible else self.show()

    def show(self) -> None:
        if self.frame is not None:
            return
        lines = len(self.rows) + 2 + (1 if self.footer else 0)
        w, h = theme.px(600), lines * ROW + 2 * theme.PAD
        self.frame = DirectFrame(parent=self.parent, frameColor=(0.05, 0.05, 0.06, 1.0),
                                 frameSize=(-w / 2, w / 2, -h / 2, h / 2), state=DGG.NORMAL,
                                 relief=DGG.FLAT, sortOrder=90)
        self.frame.setBin("gui-popup", 90)
        x0, z = -w / 2 + 2 * theme.PAD, h / 2 - theme.PAD - ROW * 0.75
        label(self.frame, self.title, (x0, z), scale=theme.HEADER_SCALE)
        for inp, action in self.rows:
            z -= ROW
            label(self.frame, inp, (x0, z), fg=theme.TEXT_DIM)
            label(self.frame, action, (x0 + theme.px(150), z))
        if self.footer:
            label(self.frame, self.footer, (x0, z - ROW * 1.3), scale=theme.SMALL_SCALE,
                  fg=theme.TEXT_DIM)

    def hide(self) -> None:
        if self.frame is not None:
            self.frame.destroy()
            self.frame = None

    def destroy(self) -> None:
        self.hide()


class Banner:
    """One line of text at the bottom of the window for ``seconds`` (kiosk messages)."""

    def __init__(self, parent: NodePath, clock):
        self.parent, self.clock = parent, clock
        self.frame: DirectFrame | None = None
        self.until = 0.0

    def show(self, text: str, seconds: float = 4.0, colour=theme.ERROR) -> None:
        self.hide()
        w = theme.px(900)
        self.frame = DirectFrame(parent=self.parent, frameColor=(0.05, 0.05, 0.06, 0.9),
                                 frameSize=(-w / 2, w / 2, -theme.px(16), theme.px(16)),
                                 pos=(0, 0, -0.9), relief=DGG.FLAT, state=DGG.DISABLED,
                                 suppressMouse=0)
        self.frame.setBin("gui-popup", 95)
        label(self.frame, text[:140], (0, -theme.px(5)), fg=colour, align=TextNode.ACenter)
        self.until = self.clock() + seconds

    def update(self) -> None:
        if self.frame is not None and self.clock() >= self.until:
            self.hide()

    @property
    def visible(self) -> bool:
        return self.frame is not None

    def hide(self) -> None:
        if self.frame is not None:
            self.frame.destroy()
            self.frame = None

    def destroy(self) -> None:
        self.hide()
