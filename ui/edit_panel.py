"""The weight-editing panel: how the Edited Model is made.

A header with the mode (Mix / Prune, parameter ``edit_mode``), Reset and close; a
hint and a message line; then one row per block of Model 1, in two columns:

- Mix: a one-thumb slider for alpha (0 = Model 1, 1 = Model 2); the track is Model 2's
  light blue up to the thumb and Model 1's dark blue after it: each model's share.
- Prune: a two-thumb range [rl, ru] of weight-magnitude ranks kept; the kept range is
  yellow, the pruned ends grey.

Everything goes through the ParamState: a slider's release writes the whole
``edit_weights`` string (settings of blocks this panel does not show are kept), Reset
clears the current mode's settings. The panel reads the string back on every change,
so it always shows the truth. How the string is read and written comes from the tool
(``EditFormat``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from panda3d.core import TextNode

from game.core.params import ParamError, ParamState
from ui import theme
from ui.draw import Text, card, displayable, ellipsize
from ui.overlay_panel import OverlayPanel
from ui.range_slider import RangeSlider
from ui.widgets import button, fit_scale

HEADER_H = theme.px(28)
LINE_H = theme.px(18)
STRIP_W = theme.px(3)
NAME_W = theme.px(84)
READOUT_W = theme.px(66)
COL_GAP = theme.px(16)
MIN_ROW_H = theme.px(18)
MAX_ROW_H = theme.px(28)
ROWS_TOP = HEADER_H + 3 * LINE_H + theme.px(4)  # header, hint, two message lines
HINTS = {
    "mix": "alpha per block: W = W1 (1 - alpha) + W2 alpha; 0 = Model 1, 1 = Model 2",
    "prune": "per block: keep the output channels ranked by mean absolute weight within [low, high]",
}


@dataclass(frozen=True)
class EditFormat:
    """The ``edit_weights`` string for the panel: ``read(text)`` gives the settings (a
    malformed string reads as no edits), ``write(settings, blocks)`` the canonical string;
    ``full`` is the unpruned range. Settings have ``mix`` (block -> alpha) and ``prune``
    (block -> range) mappings and ``with_mix``, ``with_prune`` and ``cleared(mode)``."""
    read: Callable[[str], object]
    write: Callable[[object, Sequence[str]], str]
    full: tuple[float, float]


def _fmt(v: float) -> str:
    return f"{v:.2f}"


class _Row:
    """``name  [track]  read-out`` for one block."""

    def __init__(self, parent, mode: str, block: str, values: tuple, w: float, h: float,
                 on_commit: Callable[[str, tuple], None], full: tuple[float, float]):
        self.block, self.mode = block, mode
        self.default = (0.0,) if mode == "mix" else full
        self.root = parent.attachNewNode(f"edit-row-{block}")
        base = -h / 2 - theme.TEXT_SCALE * 0.35
        scale = fit_scale(block, theme.TEXT_SCALE, NAME_W - theme.px(6))
        self.name = Text(self.root, block, (0, base), scale=scale, fg=theme.TEXT)
        self.readout = Text(self.root, "", (w, base), scale=theme.SMALL_SCALE,
                            align=TextNode.ARight)
        track_w = w - NAME_W - READOUT_W - theme.THUMB_W
        mix = mode == "mix"
        self.slider = RangeSlider(
            self.root, track_w, values, lambda v: on_commit(block, v),
            pos=(NAME_W + theme.THUMB_W / 2, 0), h=h,
            default=self.default,
            colours=(theme.MODEL2, theme.MODEL1) if mix else (theme.TROUGH, theme.EDITED, theme.TROUGH),
            on_change=self._show_readout, name=block)
        self._show_readout(self.slider.values)

    def show(self, values: tuple) -> None:
        self.slider.set_values(values)
        self._show_readout(self.slider.values)

    def _show_readout(self, values) -> None:
        default = values == self.default
        self.readout.set(" - ".join(_fmt(v) for v in values))
        self.readout.set_fg(theme.TEXT_DIM if default else theme.CHANGED)

    def destroy(self) -> None:
        self.slider.destroy()
        self.root.removeNode()


class EditPanel(OverlayPanel):
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``; hidden
    until :meth:`show`. ``blocks``: the block names of Model 1, in network order."""

    def __init__(self, parent, params: ParamState, edits: EditFormat, w: float, h: float,
                 pos=(0.0, 0.0), blocks: Sequence[str] = (),
                 on_close: Callable[[], None] | None = None):
        self.params, self.edits, self.w, self.h = params, edits, w, h
        self.on_close = on_close
        # Opaque and mouse-tight: the controls it covers cannot be clicked through it.
        self.frame = DirectFrame(parent=parent, frameSize=(0, w, -h, 0),
                                 frameColor=theme.PANEL_BG, pos=(pos[0], 0, pos[1]),
                                 state=DGG.NORMAL, relief=DGG.FLAT)
        self.root = self.frame
        card(self.frame, STRIP_W, h, theme.EDITED, (0, 0), "edited-strip")
        self._build_header()
        self.rows_root = self.frame.attachNewNode("edit-rows")
        self.rows_root.setPos(STRIP_W + theme.PAD, 0, -ROWS_TOP)
        self.rows: dict[str, _Row] = {}
        self.blocks: list[str] = list(blocks)
        self._signature = None
        self._refresh()
        self._unsubscribe = params.watch(("edit_mode", "edit_weights"), self._on_param)
        self.hide()

    # -- building --------------------------------------------------------------------
    def _build_header(self) -> None:
        x0, pad = STRIP_W + theme.PAD, theme.PAD
        bh = HEADER_H - theme.px(6)
        top = -theme.px(3)
        self.title = Text(self.frame, "Weight Editing", (x0, -HEADER_H / 2 - theme.HEADER_SCALE * 0.35),
                          scale=theme.HEADER_SCALE)
        x = x0 + theme.px(122)
        self.mode_buttons = {}
        for mode, label in (("mix", "Mix"), ("prune", "Prune")):
            self.mode_buttons[mode] = button(self.frame, label, lambda m=mode: self.set_mode(m),
                                             (x, top), theme.px(64), bh)
            x += theme.px(64) + theme.px(2)
        close_w = theme.px(26)
        self.close_button = button(self.frame, displayable("\u00d7"), self.close,
                                   (self.w - close_w - pad, top), close_w, bh)
        self.reset_button = button(self.frame, "Reset", self.reset,
                                   (self.w - close_w - pad - theme.px(6) - theme.px(64), top),
                                   theme.px(64), bh)
        text_w = self.w - x0 - pad
        self.hint = Text(self.frame, "", (x0, -HEADER_H - LINE_H * 0.7), fg=theme.TEXT_DIM)
        # Two lines: "Mix needs Model 1 and Model 2 of the same architecture..." is long.
        self.message = Text(self.frame, "", (x0, -HEADER_H - LINE_H * 1.7), fg=theme.TEXT_DIM,
                            wordwrap=text_w)
        self._text_w = text_w

    def set_blocks(self, blocks: Sequence[str]) -> None:
        """The blocks of (the current) Model 1; nothing happens unless they changed."""
        if list(blocks) != self.blocks:
            self.blocks = list(blocks)
            self._refresh()

    def _layout(self) -> tuple[int, float, float]:
        """(rows per column, row height, column width) for the current blocks."""
        n = max(len(self.blocks), 1)
        avail = self.h - ROWS_TOP - theme.PAD
        inner = self.w - STRIP_W - 2 * theme.PAD
        cols = 1 if n * theme.ROW_H <= avail or inner < theme.px(400) else 2
        per_col = math.ceil(n / cols)
        row_h = max(min(MAX_ROW_H, avail / per_col), MIN_ROW_H)
        return per_col, row_h, (inner - (cols - 1) * COL_GAP) / cols

    def _build_rows(self, mode: str) -> None:
        for row in self.rows.values():
            row.destroy()
        self.rows = {}
        per_col, row_h, col_w = self._layout()
        for i, block in enumerate(self.blocks):
            col, r = divmod(i, per_col)
            row = _Row(self.rows_root, mode, block, self._values(mode, block), col_w, row_h,
                       self._commit, self.edits.full)
            row.root.setPos(col * (col_w + COL_GAP), 0, -r * row_h)
            self.rows[block] = row

    # -- parameters -> view ----------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.params["edit_mode"]

    def settings(self):
        """The current ``edit_weights``, read leniently (unknown blocks kept)."""
        return self.edits.read(self.params["edit_weights"])

    def _values(self, mode: str, block: str) -> tuple:
        s = self.settings()
        return (s.mix.get(block, 0.0),) if mode == "mix" else s.prune.get(block, self.edits.full)

    def _refresh(self) -> None:
        mode = self.mode
        signature = (mode, tuple(self.blocks))
        if signature != self._signature:
            self._signature = signature
            self._build_rows(mode)
        else:
            for block, row in self.rows.items():
                row.show(self._values(mode, block))
        for m, b in self.mode_buttons.items():
            active = m == mode
            colour = theme.EDITED if active else theme.BUTTON_BG
            b["frameColor"] = (colour, colour, colour, colour)
            b["text_fg"] = theme.ink_on(colour)
        self.hint.set(ellipsize(HINTS[mode], self.hint.scale, self._text_w))
        if not self.blocks:
            self.set_message("Model 1 is not loaded: enable it to edit its weights", error=True)

    def set_message(self, text: str, error: bool = False) -> None:
        """Under the hint (two lines at most): what the Edited Model is, or why it is not
        edited."""
        self.message.set(text if len(text) < 200 else text[:199] + "\u2026")
        self.message.set_fg(theme.ERROR if error else theme.TEXT_DIM)

    def _on_param(self, _name: str, _value) -> None:
        self._refresh()  # read the parameters now: a refused value was already undone

    # -- view -> parameters ----------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.params.set("edit_mode", mode)

    def _commit(self, block: str, values: tuple) -> None:
        s = self.settings()
        s = s.with_mix(block, values[0]) if self.mode == "mix" else s.with_prune(block, *values)
        self._write(s)

    def reset(self) -> None:
        """Clear the current mode's settings (the other mode's stay)."""
        self._write(self.settings().cleared(self.mode))

    def _write(self, s) -> None:
        try:
            self.params.set("edit_weights", self.edits.write(s, self.blocks))
        except ParamError as exc:  # never crash the UI
            self.set_message(str(exc), error=True)
        self._refresh()  # a refused string: show what the parameter holds

    # -- showing -----------------------------------------------------------------------
    def show(self) -> None:
        self.frame.show()
        self._refresh()

    def destroy(self) -> None:
        self._unsubscribe()
        for row in self.rows.values():
            row.destroy()
        self.frame.destroy()
