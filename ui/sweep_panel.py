"""The sweep panel: one or two parameters over a grid, the models' answers as pictures.

Left, the controls (all DirectGUI widgets, so the gamepad focus ring reaches them):

    parameter          start  stop   N
    X [Yaw        v]   [-90]  [90]   [5]
    Y [Pitch      v]   [-40]  [20]   [5]      ("(none)": one axis)
    Models [Model 1] [Model 2]                (toggles; greyed when not enabled)
    Layer [block13 v]  Channels [54, 68]
    [Run] [Cancel]  12/25 points  3.1 s
    progress bar, message (errors in red)

Right, the results: a heat map per model (the top-1 class of every point, its name
written in the cells where it fits; the legend under it) and the tuning curves of the
first channels (thumbnails of the inputs weighted by the channel's response, negative
ones inverted). Pictures arrive as numpy images and are shown nearest-filtered, scaled
to fit their boxes.

The panel holds no sweep logic: ``read_form`` gives what the controls hold, the
tool parses and runs it and calls ``show_results``, ``set_progress``, ``set_message``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectEntry, DirectFrame
from panda3d.core import SamplerState, TextNode

from game.core.params import BY_NAME
from ui import theme
from ui.draw import Text, card, displayable, ellipsize
from ui.menus import Entry, TitledMenu
from ui.overlay_panel import OverlayPanel
from ui.widgets import button

HEADER_H = theme.px(28)
ROW = theme.px(28)
STRIP_W = theme.px(3)
CTRL_W = theme.px(286)
GAP = theme.px(4)
NAME_W = theme.px(118)
NUM_W, N_W = theme.px(42), theme.px(30)
HEAT_BOX = theme.px(148)
CELL_TEXT = theme.px(10)    # class names in heat-map cells
MIN_LETTERS = 3             # fewer would not say which class: no name then
TUNE_BOX = theme.px(90)
LEGEND_LINES = 8
COLOUR = theme.OK
SLOT_COLOURS = theme.SLOT_COLOURS


def _text_y(h: float, scale: float) -> float:
    return -h / 2 - scale * 0.35


class _Picture:
    """A numpy image on a card that fits a ``box`` x ``box`` square (aspect kept),
    top-left at ``pos``; a caption above it."""

    def __init__(self, parent, box: float, pos, name: str):
        from game.core.texconv import numpy_to_texture

        self.box = box
        self.root = parent.attachNewNode(name)
        self.root.setPos(pos[0], 0, pos[1])
        self.caption = Text(self.root, "", (0, -theme.SMALL_SCALE), fg=theme.TEXT_DIM)
        self.frame = card(self.root, box, box, theme.FIELD_BG, (0, -theme.px(16)), "pic-bg")
        self.texture = numpy_to_texture(np.zeros((1, 1, 3), np.uint8), name)
        for set_filter in (self.texture.setMinfilter, self.texture.setMagfilter):
            set_filter(SamplerState.FT_nearest)
        self.image_card = card(self.root, 1.0, 1.0, None, (0, -theme.px(16)), "pic")
        self.image_card.setTexture(self.texture)
        self.image_card.hide()
        self.shape: tuple[int, int] | None = None
        self._image: np.ndarray | None = None
        self.cell_texts: list[Text] = []

    def set(self, title: str, image: np.ndarray | None) -> None:
        from game.core.texconv import numpy_to_texture

        self.caption.set(ellipsize(title, self.caption.scale, self.box * 1.05))
        if image is None:
            self.image_card.hide()
            self.shape = None
            return
        h, w = image.shape[:2]
        self._image = image
        numpy_to_texture(np.ascontiguousarray(image[..., :3]), tex=self.texture)
        k = self.box / max(h, w)
        self.image_card.setScale(w * k, 1, h * k)
        self.image_card.setPos((self.box - w * k) / 2, 0, -theme.px(16))
        self.image_card.show()
        self.shape = (h, w)

    def set_labels(self, labels: Sequence[Sequence[str]]) -> None:
        """A name per grid cell (rows of the shown image), written in the cells where at
        least a few letters fit, in ink that reads on the cell's colour."""
        shown = 0
        if self.shape is not None and labels and labels[0]:
            h, w = self.shape
            rows, cols = len(labels), len(labels[0])
            k = self.box / max(h, w)
            cell = w * k / cols
            x0, z0 = self.image_card.getX(), self.image_card.getZ()
            for i, row in enumerate(labels):
                for j, name in enumerate(row):
                    text = ellipsize(name, CELL_TEXT, cell - theme.px(3)) if name else ""
                    if len(text.rstrip("\u2026")) < min(MIN_LETTERS, len(name)) or not text:
                        continue
                    if shown == len(self.cell_texts):
                        self.cell_texts.append(Text(self.root, "", scale=CELL_TEXT,
                                                    align=TextNode.ACenter))
                    t = self.cell_texts[shown]
                    shown += 1
                    rgb = self._image[int((i + 0.5) * h / rows), int((j + 0.5) * w / cols)]
                    t.set(text)
                    t.set_fg(theme.ink_on(tuple(c / 255 for c in rgb[:3]) + (1.0,)))
                    t.np.setPos(x0 + (j + 0.5) * cell, 0, z0 - (i + 0.5) * cell - CELL_TEXT * 0.35)
                    t.np.show()
        for t in self.cell_texts[shown:]:
            t.np.hide()

    def show(self, on: bool) -> None:
        self.root.show() if on else self.root.hide()

    def destroy(self) -> None:
        self.root.removeNode()


class SweepPanel(OverlayPanel):
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``; hidden
    until :meth:`show`. ``params``: the names the X / Y menus offer."""

    def __init__(self, parent, w: float, h: float, pos, params: Sequence[str], form,
                 on_run: Callable[[], None], on_cancel: Callable[[], None],
                 on_close: Callable[[], None] | None = None):
        self.w, self.h = w, h
        self.on_close = on_close
        self.form = form
        self.frame = DirectFrame(parent=parent, frameSize=(0, w, -h, 0),
                                 frameColor=theme.PANEL_BG, pos=(pos[0], 0, pos[1]),
                                 state=DGG.NORMAL, relief=DGG.FLAT)
        card(self.frame, STRIP_W, h, COLOUR, (0, 0), "sweep-strip")
        self.x0 = STRIP_W + theme.PAD
        self._build_header()
        self._build_axes(list(params))
        self._build_models_and_layer()
        self._build_run(on_run, on_cancel)
        self._build_results()
        self.hide()

    # -- building --------------------------------------------------------------------
    def _build_header(self) -> None:
        bh = HEADER_H - theme.px(6)
        self.title = Text(self.frame, "Parameter Sweep", (self.x0, _text_y(HEADER_H, theme.HEADER_SCALE)),
                          scale=theme.HEADER_SCALE)
        close_w = theme.px(26)
        self.close_button = button(self.frame, displayable("\u00d7"), self.close,
                                   (self.w - close_w - theme.PAD, -theme.px(3)), close_w, bh)
        self.hint = Text(self.frame, "the scene as shown, each point in a worker process",
                         (self.x0 + theme.px(130), _text_y(HEADER_H, theme.SMALL_SCALE)),
                         fg=theme.TEXT_DIM)

    def _entry(self, text: str, x: float, z: float, w: float, name: str) -> DirectEntry:
        s = theme.SMALL_SCALE
        h = ROW - theme.px(6)
        return DirectEntry(
            parent=self.frame, initialText=str(text), scale=s, width=(w - theme.px(6)) / s,
            pos=(x + theme.px(3), 0, z - h / 2 - s * 0.35), numLines=1, focus=0,
            relief=DGG.FLAT, frameColor=theme.FIELD_BG, text_fg=theme.TEXT,
            frameSize=(-theme.px(3) / s, (w - theme.px(3)) / s, -0.6, 1.15),
            command=lambda _t: None)

    def _build_axes(self, params: list[str]) -> None:
        f, s = self.form, theme.SMALL_SCALE
        z = -HEADER_H
        xs = [self.x0 + theme.px(18), 0.0, 0.0, 0.0]
        xs[1] = xs[0] + NAME_W + GAP
        xs[2] = xs[1] + NUM_W + GAP
        xs[3] = xs[2] + NUM_W + GAP
        self._captions = [Text(self.frame, t, (x, z - theme.px(10)), fg=theme.TEXT_DIM)
                          for t, x in zip(("parameter", "start", "stop", "N"), xs)]
        z -= theme.px(14)
        entries = [Entry(n, BY_NAME[n].label) for n in params]
        self.axis_rows = []
        for which, name, rng, extra in (("X", f.x, f.x_range, []),
                                        ("Y", f.y, f.y_range, [Entry("", "(none)")])):
            label = Text(self.frame, which, (self.x0, _text_y(ROW, theme.TEXT_SCALE) + z),
                         scale=theme.TEXT_SCALE)
            menu = TitledMenu(self.frame, extra + entries, name, lambda _v: None,
                              (xs[0], z + _text_y(ROW, s)), NAME_W, scale=s)
            fields = [self._entry(v, x, z, wd, f"sweep-{which}-{k}")
                      for v, x, wd, k in zip(rng, xs[1:], (NUM_W, NUM_W, N_W),
                                             ("start", "stop", "n"))]
            self.axis_rows.append((label, menu, fields))
            z -= ROW
        self._z = z

    def _build_models_and_layer(self) -> None:
        s, z = theme.SMALL_SCALE, self._z
        self._labels = [Text(self.frame, "Models", (self.x0, z + _text_y(ROW, theme.TEXT_SCALE)),
                             scale=theme.TEXT_SCALE)]
        self.model_buttons: dict[str, object] = {}
        self._model_x, self._model_z = self.x0 + theme.px(56), z
        self._selected = list(self.form.slots)
        self._available: dict[str, bool] = {}
        z -= ROW
        self._labels.append(Text(self.frame, "Layer", (self.x0, z + _text_y(ROW, theme.TEXT_SCALE)),
                                 scale=theme.TEXT_SCALE))
        self.layer_menu = TitledMenu(self.frame, [Entry("", "(none)")], self.form.layer or "",
                                     lambda _v: None, (self.x0 + theme.px(56), z + _text_y(ROW, s)),
                                     theme.px(96), scale=s)
        cx = self.x0 + theme.px(56) + theme.px(96) + theme.px(8)
        self._labels.append(Text(self.frame, "Ch.", (cx, z + _text_y(ROW, s)), fg=theme.TEXT_DIM))
        ex = cx + theme.px(24)
        self.channels_entry = self._entry(self.form.channels, ex, z, CTRL_W - (ex - self.x0),
                                          "sweep-channels")
        self._z = z - ROW

    def _build_run(self, on_run, on_cancel) -> None:
        z, bh = self._z, ROW - theme.px(4)
        self.run_button = button(self.frame, "Run", on_run, (self.x0, z - theme.px(2)),
                                 theme.px(64), bh)
        self.cancel_button = button(self.frame, "Cancel", on_cancel,
                                    (self.x0 + theme.px(70), z - theme.px(2)), theme.px(64), bh)
        self.progress_text = Text(self.frame, "", (self.x0 + theme.px(142), z + _text_y(ROW, theme.SMALL_SCALE)),
                                  fg=theme.TEXT_DIM)
        z -= ROW + theme.px(2)
        self.progress_bg = card(self.frame, CTRL_W, theme.px(5), theme.FIELD_BG, (self.x0, z), "progress-bg")
        self.progress_bar = card(self.frame, 1.0, theme.px(5), COLOUR, (self.x0, z), "progress")
        self.progress_bar.hide()
        z -= theme.px(18)
        self.message = Text(self.frame, "", (self.x0, z), fg=theme.TEXT_DIM, wordwrap=CTRL_W)
        self._z = z

    def _build_results(self) -> None:
        rx = self.x0 + CTRL_W + theme.px(14)
        self.rx = rx
        z = -HEADER_H - theme.px(4)
        self.axes_text = Text(self.frame, "", (rx, z - theme.px(8)), fg=theme.TEXT_DIM)
        self.axes_text2 = Text(self.frame, "", (rx, z - theme.px(22)), fg=theme.TEXT_DIM)
        z -= theme.px(30)
        self.heatmaps = [_Picture(self.frame, HEAT_BOX, (rx + i * (HEAT_BOX + theme.px(12)), z),
                                  f"sweep-heatmap-{i}") for i in range(2)]
        self.legends: list[list[tuple]] = []
        lz = z - theme.px(16) - HEAT_BOX - theme.px(4)
        for i in range(2):
            lines = []
            for k in range(LEGEND_LINES):
                x = rx + i * (HEAT_BOX + theme.px(12))
                zz = lz - k * theme.px(15)
                sw = card(self.frame, theme.px(9), theme.px(9), (1, 1, 1, 1), (x, zz - theme.px(2)),
                          "swatch")
                sw.hide()
                lines.append((sw, Text(self.frame, "", (x + theme.px(13), zz - theme.px(10)))))
            self.legends.append(lines)
        # The tuning curves under the controls, at the bottom of the panel.
        tz = -self.h + theme.PAD + TUNE_BOX + theme.px(16)
        self.tuning_title = Text(self.frame, "", (self.x0, tz + theme.px(8)), fg=theme.TEXT_DIM)
        self.tunings = [_Picture(self.frame, TUNE_BOX, (self.x0 + i * (TUNE_BOX + theme.px(7)), tz),
                                 f"sweep-tuning-{i}") for i in range(3)]
        for p in self.heatmaps + self.tunings:
            p.show(False)
        self.empty = Text(self.frame, "Run a sweep: the heat map of each model's top class\n"
                          "and the tuning curves of the first channels appear here.",
                          (rx, z - theme.px(20)), fg=theme.TEXT_DIM)

    # -- tool -> panel ----------------------------------------------------------------
    def set_models(self, choices: Sequence[tuple[str, str, bool]]) -> None:
        """(slot, title, available) per slot: a toggle button each."""
        for b in self.model_buttons.values():
            b.destroy()
        self.model_buttons = {}
        self._available = {slot: ok for slot, _t, ok in choices}
        self._selected = [s for s in self._selected if self._available.get(s)]
        if not self._selected:
            self._selected = [s for s, _t, ok in choices if ok][:1]
        x, bw, bh = self._model_x, theme.px(74), ROW - theme.px(6)
        for slot, _title, ok in choices:
            b = button(self.frame, {"model1": "Model 1", "model2": "Model 2"}.get(slot, slot),
                       lambda s=slot: self.toggle_model(s), (x, self._model_z - theme.px(3)), bw, bh,
                       scale=theme.SMALL_SCALE)
            if not ok:
                b["state"] = DGG.DISABLED
            self.model_buttons[slot] = b
            x += bw + GAP
        self._style_models()

    def toggle_model(self, slot: str) -> None:
        if not self._available.get(slot):
            return
        if slot in self._selected:
            self._selected.remove(slot)
        else:
            self._selected.append(slot)
        self._selected.sort()
        self._style_models()

    def _style_models(self) -> None:
        for slot, b in self.model_buttons.items():
            on = slot in self._selected
            c = SLOT_COLOURS.get(slot, theme.OK) if on else theme.BUTTON_BG
            b["frameColor"] = (c, c, c, c)
            b["text_fg"] = (theme.ink_on(c) if on else
                            theme.TEXT if self._available.get(slot) else theme.TEXT_DIM)

    def set_layers(self, names: Sequence[str]) -> None:
        current = self.layer_menu.value if self.layer_menu.entries else ""
        self.layer_menu.set_entries([Entry("", "(none)")] + [Entry(n, n) for n in names],
                                    current if current in names else "")

    def read_form(self):
        """What the controls hold, as the tool's form (strings as typed)."""
        from dataclasses import replace

        (_, xm, xf), (_, ym, yf) = self.axis_rows
        self.form = replace(self.form, x=xm.value, x_range=tuple(e.get() for e in xf),
                            y=ym.value, y_range=tuple(e.get() for e in yf),
                            slots=tuple(self._selected), layer=self.layer_menu.value,
                            channels=self.channels_entry.get())
        return self.form

    def set_progress(self, done: int, total: int, seconds: float, running: bool) -> None:
        if total:
            self.progress_text.set(f"{done}/{total} points  {seconds:.1f} s")
            self.progress_bar.show()
            self.progress_bar.setSx(max(CTRL_W * done / total, 1e-4))
        else:
            self.progress_text.set("")
            self.progress_bar.hide()
        self.progress_text.set_fg(theme.TEXT if running else theme.TEXT_DIM)
        self.cancel_button["state"] = DGG.NORMAL if running else DGG.DISABLED
        self.cancel_button["text_fg"] = theme.TEXT if running else theme.TEXT_DIM

    def set_message(self, text: str, error: bool = False) -> None:
        self.message.set(text if len(text) < 240 else text[:239] + "\u2026")
        self.message.set_fg(theme.ERROR if error else theme.TEXT_DIM)

    def show_results(self, heatmaps: Sequence[tuple], tunings: Sequence[tuple],
                     axes_text: tuple[str, str] = ("", ""),
                     labels: Sequence[Sequence[Sequence[str]]] = ()) -> None:
        """``heatmaps``: (title, image, legend [(label, rgb, count)]) per model;
        ``tunings``: (title, image) per channel; ``labels``: per heat map, its cells'
        class names (rows of columns)."""
        self.empty.np.hide()
        cols, rows = axes_text
        self.axes_text.set(f"columns: {cols}" if cols else "")
        self.axes_text2.set(f"rows: {rows}" if rows else "")
        for i, pic in enumerate(self.heatmaps):
            item = heatmaps[i] if i < len(heatmaps) else None
            pic.show(item is not None)
            if item is not None:
                pic.set(item[0], item[1])
                pic.set_labels(labels[i] if i < len(labels) else ())
            legend = item[2] if item is not None else []
            for k, (sw, text) in enumerate(self.legends[i]):
                if k < len(legend):
                    name, rgb, count = legend[k]
                    sw.setColor(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255, 1)
                    sw.show()
                    more = f"  (+{len(legend) - k - 1} more)" if k == LEGEND_LINES - 1 and \
                        len(legend) > LEGEND_LINES else ""
                    text.set(ellipsize(f"{name} {count}{more}", text.scale,
                                       HEAT_BOX - theme.px(13)))
                else:
                    sw.hide()
                    text.set("")
        self.tuning_title.set(ellipsize("Tuning curves: input x response (inverted if < 0)",
                                        self.tuning_title.scale, CTRL_W) if tunings else "")
        for i, pic in enumerate(self.tunings):
            item = tunings[i] if i < len(tunings) else None
            pic.show(item is not None)
            if item is not None:
                pic.set(item[0], item[1])

    # -- showing -----------------------------------------------------------------------
    def destroy(self) -> None:
        for _label, menu, fields in self.axis_rows:
            menu.destroy()
            for e in fields:
                e.destroy()
        self.layer_menu.destroy()
        self.channels_entry.destroy()
        for b in self.model_buttons.values():
            b.destroy()
        self.frame.destroy()
