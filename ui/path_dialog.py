"""A small modal "open file" dialog (Panda3D has no native one).

A path entry pre-filled with the working directory, a listing of the matching files and
folders of the directory typed so far (click = fill the entry), OK / Cancel, Enter = OK,
Escape = Cancel. ``on_path(path)`` returns None to accept (the dialog closes) or an
error text, shown in red while the dialog stays open.
"""
from __future__ import annotations

import os
from typing import Callable, Optional

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton, DirectEntry, DirectFrame
from direct.showbase.DirectObject import DirectObject
from direct.task.TaskManagerGlobal import taskMgr
from panda3d.core import TextNode

from ui import theme
from ui.widgets import button, label

KINDS = {
    "object": ("Open object file", (".obj", ".gltf", ".glb")),
    "background": ("Open background image",
                   (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")),
}
LIST_ROWS = 8
W, PAD, ROW = theme.px(560), theme.px(14), theme.px(20)
ENTRY_H, BUTTON_W, BUTTON_H = theme.px(26), theme.px(80), theme.px(26)
H = 2 * PAD + theme.px(30) + ENTRY_H + theme.px(8) + (LIST_ROWS + 1) * ROW + theme.px(22) + BUTTON_H


def list_matches(text: str, extensions) -> list[str]:
    """Paths completing ``text``: matching files of its folder first, then its sub-folders."""
    folder, prefix = text[:len(text) - len(os.path.basename(text))], os.path.basename(text)
    try:
        names = sorted(os.listdir(os.path.expanduser(folder or ".")), key=str.lower)
    except OSError:
        return []
    names = [n for n in names if not n.startswith(".") and n.lower().startswith(prefix.lower())]
    is_dir = {n: os.path.isdir(os.path.join(os.path.expanduser(folder or "."), n)) for n in names}
    files = [folder + n for n in names if not is_dir[n] and n.lower().endswith(tuple(extensions))]
    return files + [folder + n + "/" for n in names if is_dir[n]]


class PathDialog:
    """Centred in ``parent`` (aspect2d); a backdrop over the whole window keeps the clicks."""

    def __init__(self, parent, kind: str, on_path: Callable[[str], Optional[str]],
                 on_close: Optional[Callable[[], None]] = None, start: Optional[str] = None):
        title, self.extensions = KINDS[kind]
        self.kind, self._on_path, self._on_close = kind, on_path, on_close
        self.backdrop = DirectFrame(parent=parent, frameSize=(-10, 10, -1, 1),
                                    frameColor=(0, 0, 0, 0.55), state=DGG.NORMAL)  # swallows clicks
        self.backdrop.setBin("gui-popup", 10)
        self.frame = DirectFrame(parent=self.backdrop, frameSize=(0, W, -H, 0),
                                 frameColor=theme.PANEL_BG, pos=(-W / 2, 0, H / 2))
        x, z = PAD, -PAD
        self.title = label(self.frame, title, (x, z - theme.px(16)),
                           scale=theme.HEADER_SCALE * 1.15)
        z -= theme.px(30)
        es = theme.SMALL_SCALE
        self.entry = DirectEntry(
            parent=self.frame, scale=es, pos=(x + theme.px(6), 0, z - ENTRY_H / 2 - es * 0.35),
            width=(W - 2 * PAD - theme.px(12)) / es, numLines=1, overflow=1, focus=1,
            relief=DGG.FLAT,
            frameColor=theme.FIELD_BG, text_fg=theme.TEXT, command=lambda _t: self.ok(),
            initialText=start if start is not None else os.getcwd().rstrip(os.sep) + "/",
            frameSize=(-theme.px(6) / es, (W - 2 * PAD - theme.px(6)) / es,
                       -(ENTRY_H / 2 - es * 0.35) / es, (ENTRY_H / 2 + es * 0.35) / es))
        self.entry.setCursorPosition(self.entry.getNumCharacters())
        z -= ENTRY_H + theme.px(8)
        self.rows = [self._row(x, z - i * ROW) for i in range(LIST_ROWS)]
        more_z = z - LIST_ROWS * ROW - ROW / 2 - es * 0.35
        self.more = label(self.frame, "", (x + theme.px(6), more_z),
                          scale=es, fg=theme.TEXT_DIM)
        z -= (LIST_ROWS + 1) * ROW
        self.error = label(self.frame, "", (x, z - theme.px(14)), scale=es, fg=theme.ERROR,
                           text_wordwrap=(W - 2 * PAD) / es)
        bz = -H + PAD + BUTTON_H
        self.cancel_button = button(self.frame, "Cancel", self.cancel,
                                    (W - PAD - 2 * BUTTON_W - theme.px(8), bz), BUTTON_W, BUTTON_H)
        self.ok_button = button(self.frame, "OK", self.ok, (W - PAD - BUTTON_W, bz),
                                BUTTON_W, BUTTON_H, color=theme.MODEL1)
        self.matches: list[str] = []
        self._listed_for: Optional[str] = None
        self._events = DirectObject()
        self._events.accept("escape", self.cancel)
        self._task = f"path-dialog-{id(self)}"
        taskMgr.add(self._watch, self._task)
        self.refresh_listing()

    def _row(self, x: float, z: float) -> DirectButton:
        s = theme.SMALL_SCALE
        b = DirectButton(
            parent=self.frame, text="", text_scale=s, text_fg=theme.TEXT, text_align=TextNode.ALeft,
            text_pos=(theme.px(6), -ROW / 2 - s * 0.35), relief=DGG.FLAT, pressEffect=0,
            frameSize=(0, W - 2 * PAD, -ROW, 0), pos=(x, 0, z),
            frameColor=((0, 0, 0, 0), theme.HEADER_HOVER, theme.BUTTON_BG, (0, 0, 0, 0)))
        b.hide()
        return b

    # -- public ---------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.frame is not None

    @property
    def text(self) -> str:
        return self.entry.get()

    def set_text(self, text: str) -> None:
        self.entry.enterText(text)
        self.entry["focus"] = 1  # keep typing after a click in the listing
        self.refresh_listing()

    def ok(self) -> None:
        path = os.path.expanduser(self.entry.get().strip())
        try:
            error = self._on_path(path)
        except Exception as exc:  # a broken loader must not take the dialog with it
            error = f"{type(exc).__name__}: {exc}"
        if error:
            self.error["text"] = str(error)
        elif self.is_open:
            self.close()

    def cancel(self) -> None:
        self.close()

    def refresh_listing(self) -> None:
        text = self.entry.get()
        self._listed_for = text
        self.matches = list_matches(text, self.extensions)
        for row, path in zip(self.rows, self.matches + [None] * LIST_ROWS):
            if path is None:
                row.hide()
                continue
            row["text"] = os.path.basename(path.rstrip("/")) + ("/" if path.endswith("/") else "")
            row["command"], row["extraArgs"] = self.set_text, [path]
            row.show()
        extra = len(self.matches) - LIST_ROWS
        self.more["text"] = f"... {extra} more" if extra > 0 else (
            "" if self.matches else "(no matching files)")

    def _watch(self, task):
        if self.entry.get() != self._listed_for:
            self.refresh_listing()
        return task.cont

    def close(self) -> None:
        if not self.is_open:
            return
        taskMgr.remove(self._task)
        self._events.ignoreAll()
        self.backdrop.destroy()
        self.frame = None
        if self._on_close:
            self._on_close()

    destroy = close
