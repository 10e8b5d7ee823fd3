"""Object and background menus and the custom GLSL snippet editor (beside the view)."""
from __future__ import annotations

import os
from typing import Callable, Optional, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectEntry
from panda3d.core import TextNode

from ui import theme
from ui.menus import MARKER_W, LeftOptionMenu
from ui.widgets import button, label

OPEN_FILE = "Open file..."
CODE_LINES = 5          # visible lines of the snippet editor
STATUS_LINES = 4        # at most this many (wrapped) lines of compiler output are shown


class ChoiceMenu:
    """A DirectOptionMenu over values; unknown values (file paths) show as their basename."""

    def __init__(self, parent, kind: str, names: Sequence[str], current: str | None,
                 on_pick: Callable[[str], None], on_open_file: Optional[Callable[[str], None]],
                 pos, w: float):
        self.kind, self._on_pick, self._on_open_file = kind, on_pick, on_open_file
        self._values = list(names)
        s = theme.TEXT_SCALE
        self.menu = LeftOptionMenu(
            parent=parent, items=self._items(), scale=s, pos=(pos[0], 0, pos[1]),
            command=self._picked, relief=DGG.FLAT, frameColor=theme.BUTTON_BG,
            text_fg=theme.TEXT, text_align=TextNode.ALeft, item_text_fg=theme.TEXT,
            item_frameColor=theme.FIELD_BG, popupMenu_frameColor=theme.FIELD_BG,
            popupMenu_relief=DGG.FLAT, highlightColor=theme.HEADER_HOVER,
            popupMarker_frameColor=theme.TEXT_DIM, item_relief=DGG.FLAT,
            frameSize=(-0.3, w / s - MARKER_W, -0.45, 1.05))  # the marker sits at the right end
        self._selected = 0
        self.select(current if current is not None else (self._values or [""])[0])

    def _items(self) -> list[str]:
        shown = [_display(v) for v in self._values]
        return shown + ([OPEN_FILE] if self._on_open_file else [])

    def select(self, value: str) -> None:
        """Show ``value`` as selected without calling back (adds file paths to the list)."""
        if value not in self._values:
            self._values.append(value)
            self.menu["items"] = self._items()
        self._selected = self._values.index(value)
        self.menu.set(self._selected, fCommand=0)

    @property
    def value(self) -> str:
        return self._values[self._selected]

    def _picked(self, item: str) -> None:
        index = self.menu.selectedIndex
        if index >= len(self._values):  # "Open file...": keep showing the current value
            self.menu.set(self._selected, fCommand=0)
            self._on_open_file(self.kind)
            return
        self._selected = index
        self._on_pick(self._values[index])

    def destroy(self) -> None:
        self.menu.destroy()


def _display(value: str) -> str:
    """A name as it is; a file path as its file name."""
    return os.path.basename(value) or value if ("/" in value or os.sep in value) else value


def _wrapped_lines(text: str, wordwrap: float) -> list[str]:
    """``text`` as the status label shows it: split at newlines and at its word wrap."""
    node = TextNode("wrap")
    node.setFont(DGG.getDefaultFont())
    node.setWordwrap(wordwrap)
    node.setText(text)
    return node.getWordwrappedText().splitlines()


class SceneControls:
    """Menus and the snippet editor in a ``w``-wide area, top-left at the parent's origin."""

    def __init__(self, parent, w: float, object_names, background_names, on_object,
                 on_background, on_custom_code, on_open_file=None, custom_code: str = "",
                 current_object=None, current_background=None):
        self.root = parent.attachNewNode("scene-controls")
        self._on_custom_code = on_custom_code
        s, row = theme.TEXT_SCALE, theme.px(30)
        menu_x = theme.px(86)
        first = -row / 2 - s * 0.35
        self._labels = [label(self.root, "Object", (0, first)),
                        label(self.root, "Background", (0, first - row))]
        self.object_menu = ChoiceMenu(self.root, "object", object_names, current_object,
                                      on_object, on_open_file, (menu_x, first), w - menu_x)
        self.background_menu = ChoiceMenu(self.root, "background", background_names,
                                          current_background, on_background, on_open_file,
                                          (menu_x, first - row), w - menu_x)
        z = -2 * row - theme.px(14)
        self._labels.append(label(self.root, "Custom GLSL (value: Custom Parameter)", (0, z),
                                  scale=theme.SMALL_SCALE, fg=theme.TEXT_DIM))
        self.entry = self._make_entry(w, z - theme.px(20), custom_code)
        z -= theme.px(28) + CODE_LINES * theme.px(16) + theme.px(8)
        self.apply_button = button(self.root, "Apply", self.apply_code, (0, z),
                                   theme.px(70), theme.px(24))
        self._wrap = w / theme.SMALL_SCALE
        self.status = label(self.root, "", (0, z - theme.px(40)), scale=theme.SMALL_SCALE,
                            text_wordwrap=self._wrap)

    def _make_entry(self, w: float, z: float, text: str) -> DirectEntry:
        s = theme.px(16)  # one line of code, in aspect2d units
        scale = theme.SMALL_SCALE
        lines = s / scale
        return DirectEntry(
            parent=self.root, initialText=text, scale=scale, pos=(theme.px(4), 0, z),
            width=(w - theme.px(8)) / scale, numLines=CODE_LINES, focus=0,
            command=lambda _text: self.apply_code(), relief=DGG.FLAT,
            frameColor=theme.FIELD_BG, text_fg=theme.TEXT,
            frameSize=(-theme.px(4) / scale, w / scale - theme.px(4) / scale,
                       -lines * (CODE_LINES - 1) - 0.6, 1.1))

    # -- custom code ---------------------------------------------------------------
    def apply_code(self) -> None:
        self.show_code_status(self._on_custom_code(self.entry.get()))

    def show_code_status(self, error: str | None) -> None:
        if error:
            lines = _wrapped_lines(error.strip(), self._wrap)
            text = "\n".join(lines[:STATUS_LINES]) + ("\n..." if len(lines) > STATUS_LINES else "")
            self.status["text"], self.status["text_fg"] = text, theme.ERROR
        else:
            self.status["text"], self.status["text_fg"] = "compiled", theme.OK

    def set_custom_code(self, code: str) -> None:
        self.entry.enterText(code)

    def destroy(self) -> None:
        for w in (self.object_menu, self.background_menu):
            w.destroy()
        for w in self._labels + [self.entry, self.apply_button, self.status]:
            w.destroy()
        self.root.removeNode()
