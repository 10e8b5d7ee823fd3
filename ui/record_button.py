"""The record button at the right end of the Scene column's title bar.

Idle: a grey "Rec" button with a red dot. Recording: the button turns red, its dot
white, and it reads "Stop" (a click stops and saves the recording).
"""
from __future__ import annotations

from direct.gui.DirectGui import DirectFrame

from ui import theme
from ui.widgets import button

RED = (0.78, 0.16, 0.14, 1.0)
W, H = theme.px(64), theme.px(22)
DOT = theme.px(8)


class RecordButton:
    def __init__(self, column_frame, on_click):
        # The column title bar is TITLE_H high: the button sits centred in it, right-aligned.
        pos = (theme.LEFT_W - theme.PAD - W, -(theme.TITLE_H - H) / 2)
        self.widget = button(column_frame, "Rec", on_click, pos, W, H, scale=theme.SMALL_SCALE)
        self.widget["text_pos"] = (W / 2 + DOT / 2, -H / 2 - theme.SMALL_SCALE * 0.35)
        self.dot = DirectFrame(parent=self.widget, frameSize=(0, DOT, -DOT, 0),
                               frameColor=RED, pos=(theme.px(8), 0, -(H - DOT) / 2))
        self.recording = False

    def set_recording(self, on: bool) -> None:
        self.recording = on
        colour = RED if on else theme.BUTTON_BG
        self.widget["frameColor"] = (colour, colour, colour, colour)
        self.widget["text"] = "Stop" if on else "Rec"
        self.dot["frameColor"] = theme.TEXT if on else RED

    def destroy(self) -> None:
        self.widget.destroy()
