"""The whole-layer grid: every channel of the tapped layer at once, for one model.

It opens over the scene sliders. On top: the model whose maps are shown, the order
(channel number, most active first, or largest difference to the other model of its
architecture first) and pages when a layer has more channels than fit. Left, the
maps in that order, coloured as in the activation view (``act_normalization``);
right, the clicked channel zoomed: its map above its feature visualisation, for the
shown model and the other one of its architecture (``ui.activation_row`` rows, with
their play buttons and progress), and their mean activations.

The maps are one texture (an atlas), so a layer of 1280 channels costs one card; a
click finds its cell from the mouse position. Pure helpers, tested exactly:
``channel_order``, ``difference``, ``grid_shape``, ``atlas``.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

import numpy as np
from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectFrame
from panda3d.core import SamplerState, TextNode

from game.core.params import ParamState
from game.core.results import SLOT_TITLES, InferenceResult, SlotOutput
from game.core.texconv import numpy_to_texture
from ui import theme
from ui.activation_row import ActivationRow, FeatVisLookup, FeatVisRequest, FeatVisStatus
from ui.draw import Text, card, displayable, ellipsize
from ui.heatmap import maps_rgb
from ui.hit_area import hit_area
from ui.menus import Entry, TitledMenu
from ui.overlay_panel import OverlayPanel
from ui.widgets import button

HEADER_H = theme.px(28)
ROW = theme.px(28)
STRIP_W = theme.px(3)
GAP = theme.px(2)           # between two maps of the grid
MIN_CELL = theme.px(14)     # smaller maps go to further pages
ZOOM_W = theme.px(232)      # the zoomed channel's column
ZOOM_MAP = theme.px(96)
OUTLINE = theme.px(2)
BG = (43, 43, 46)           # the atlas between maps: the panel's colour (PANEL_BG)
SORTS = (Entry("channel", "Channel order"), Entry("activation", "Most active first"),
         Entry("difference", "Largest difference first"))
NEEDS_TWO = "difference: needs two models of one architecture"


# -- pure helpers --------------------------------------------------------------------------
def mean_activation(acts: np.ndarray) -> np.ndarray:
    """(C,) mean of each channel's map."""
    a = np.asarray(acts, dtype=np.float32)
    return a.reshape(len(a), -1).mean(axis=1)


def difference(a: np.ndarray, std_a: float, b: np.ndarray, std_b: float) -> np.ndarray:
    """(C,) per channel, the mean |a / std_a - b / std_b| over its map: how differently two
    models of one architecture respond, each in units of its own layer's std."""
    sa = std_a if std_a > 0 else 1.0
    sb = std_b if std_b > 0 else 1.0
    d = np.abs(np.asarray(a, np.float32) / np.float32(sa)
               - np.asarray(b, np.float32) / np.float32(sb))
    return d.reshape(len(d), -1).mean(axis=1)


def channel_order(sort: str, acts: np.ndarray, std: float = 0.0, other: np.ndarray | None = None,
                  other_std: float = 0.0) -> np.ndarray:
    """The channels in the order the grid shows them: by number, largest mean activation
    first, or (with ``other``, same shape) largest :func:`difference` first; ties keep
    channel order."""
    if sort == "activation":
        key = -mean_activation(acts)
    elif sort == "difference" and other is not None:
        key = -difference(acts, std, other, other_std)
    else:
        return np.arange(len(acts))
    return np.argsort(key, kind="stable")


def grid_shape(count: int, w: float, h: float, gap: float = GAP,
               min_cell: float = MIN_CELL) -> tuple[int, int, float]:
    """(columns, rows, pitch) of the grid: the largest square cells (pitch = cell + gap)
    that fit all ``count`` in ``w`` x ``h``; when cells would be under ``min_cell``, the
    ``min_cell`` ones that fit (the rest on further pages)."""
    best = (1, max(count, 1), 0.0)
    for cols in range(1, max(count, 1) + 1):
        rows = math.ceil(count / cols)
        pitch = min((w + gap) / cols, (h + gap) / rows)
        if pitch > best[2]:
            best = (cols, rows, pitch)
    if best[2] - gap >= min_cell:
        return best
    pitch = min_cell + gap
    return max(int((w + gap) // pitch), 1), max(int((h + gap) // pitch), 1), pitch


def atlas(rgb: np.ndarray, cols: int, rows: int, bg=BG) -> np.ndarray:
    """(n, H, W, 3) maps -> one (rows * (H + 1) - 1, cols * (W + 1) - 1, 3) image, row by
    row, one pixel of ``bg`` between maps (and where there is no map)."""
    n, mh, mw = rgb.shape[:3]
    out = np.empty((rows * (mh + 1) - 1, cols * (mw + 1) - 1, 3), np.uint8)
    out[:] = bg
    for k in range(min(n, rows * cols)):
        r, c = divmod(k, cols)
        out[r * (mh + 1):r * (mh + 1) + mh, c * (mw + 1):c * (mw + 1) + mw] = rgb[k]
    return out


def partner(shown: SlotOutput, outputs: Sequence[SlotOutput],
            arch_of: Callable[[str], str]) -> SlotOutput | None:
    """The other output whose model has ``shown``'s architecture and whose maps have its
    shape (Model 1 first), or None."""
    arch = arch_of(shown.model)
    if not arch or shown.activations is None:
        return None
    return next((o for o in outputs if o.slot != shown.slot and o.activations is not None
                 and o.activations.shape == shown.activations.shape
                 and arch_of(o.model) == arch), None)


# -- the panel -----------------------------------------------------------------------------
class LayerGridPanel(OverlayPanel):
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``; hidden until
    :meth:`show`. The feature-visualisation callables are the activation view's."""

    def __init__(self, parent, params: ParamState, w: float, h: float, pos,
                 featvis_lookup: FeatVisLookup, on_request_featvis: Optional[FeatVisRequest] = None,
                 featvis_status: Optional[FeatVisStatus] = None,
                 arch_of: Callable[[str], str] = lambda model: model,
                 on_close: Callable[[], None] | None = None):
        self.params, self.w, self.h = params, w, h
        self.featvis_lookup, self.on_request = featvis_lookup, on_request_featvis
        self.featvis_status, self.arch_of, self.on_close = featvis_status, arch_of, on_close
        self.slot, self.sort, self.page = "model1", "channel", 0
        self.zoomed: int | None = None
        self.order = np.arange(0)
        self.cols = self.rows_n = 1
        self.pitch = 0.0
        self.shown: SlotOutput | None = None
        self.other: SlotOutput | None = None
        self._result: InferenceResult | None = None
        self.frame = DirectFrame(parent=parent, frameSize=(0, w, -h, 0),
                                 frameColor=theme.PANEL_BG, pos=(pos[0], 0, pos[1]),
                                 state=DGG.NORMAL, relief=DGG.FLAT)
        card(self.frame, STRIP_W, h, theme.MODEL1, (0, 0), "grid-strip")
        self.x0 = STRIP_W + theme.PAD
        self._build_header()
        self._build_controls()
        self._build_grid()
        self._build_zoom()
        self._unwatch = params.watch(("act_normalization", "layer"),
                                     lambda _name, _value: self.is_open and self.redraw())
        self.hide()

    # -- building --------------------------------------------------------------------
    def _build_header(self) -> None:
        s = theme.HEADER_SCALE
        self.title = Text(self.frame, "Layer grid", (self.x0, -HEADER_H / 2 - s * 0.35), scale=s)
        close_w = theme.px(26)
        self.close_button = button(self.frame, displayable("\u00d7"), self.close,
                                   (self.w - close_w - theme.PAD, -theme.px(3)), close_w,
                                   HEADER_H - theme.px(6))
        self.hint = Text(self.frame, "", (self.x0 + theme.px(110),
                                          -HEADER_H / 2 - theme.SMALL_SCALE * 0.35),
                         fg=theme.TEXT_DIM)

    def _build_controls(self) -> None:
        s, z = theme.SMALL_SCALE, -HEADER_H
        base = z - ROW / 2 - s * 0.35
        self._labels = [Text(self.frame, "Model", (self.x0, base), fg=theme.TEXT_DIM),
                        Text(self.frame, "Order", (self.x0 + theme.px(196), base),
                             fg=theme.TEXT_DIM)]
        self.model_menu = TitledMenu(self.frame, [Entry("model1", SLOT_TITLES["model1"])],
                                     self.slot, self.set_slot, (self.x0 + theme.px(44), base),
                                     theme.px(142), scale=s)
        self.sort_menu = TitledMenu(self.frame, SORTS, self.sort, self.set_sort,
                                    (self.x0 + theme.px(234), base), theme.px(172), scale=s)
        bw, bh = theme.px(24), ROW - theme.px(8)
        x = self.w - theme.PAD - 2 * bw - theme.px(4)
        self.prev_button = button(self.frame, "<", lambda: self.turn(-1), (x, z - theme.px(4)),
                                  bw, bh, scale=s)
        self.next_button = button(self.frame, ">", lambda: self.turn(1),
                                  (x + bw + theme.px(4), z - theme.px(4)), bw, bh, scale=s)
        self.page_text = Text(self.frame, "", (x - theme.px(6), base), fg=theme.TEXT_DIM,
                              align=TextNode.ARight)

    def _build_grid(self) -> None:
        top = -HEADER_H - ROW - theme.px(4)
        self.grid_w = self.w - self.x0 - ZOOM_W - theme.px(14)
        self.grid_h = self.h + top - theme.PAD
        self.grid_root = self.frame.attachNewNode("grid")
        self.grid_root.setPos(self.x0, 0, top)
        self.texture = numpy_to_texture(np.zeros((1, 1, 3), np.uint8), "layer-grid")
        for set_filter in (self.texture.setMinfilter, self.texture.setMagfilter):
            set_filter(SamplerState.FT_nearest)
        self.image = card(self.grid_root, 1.0, 1.0, None, name="grid-atlas")
        self.image.setTexture(self.texture)
        self.outline = self.grid_root.attachNewNode("grid-outline")  # over the atlas
        self._edges = [card(self.outline, 1.0, 1.0, theme.THUMB, name="edge") for _ in range(4)]
        # One invisible button over the grid: a click zooms the map under the mouse; the
        # gamepad's press (no mouse) zooms the next channel in the grid's order.
        self.hit = hit_area(self.grid_root, self.grid_w, self.grid_h, self._clicked,
                            self.zoom_next)
        self.empty = Text(self.grid_root, "no activations: switch Show Activations on",
                          (0, -theme.px(16)), fg=theme.TEXT_DIM)

    def _build_zoom(self) -> None:
        self.zoom_x = self.w - ZOOM_W - theme.PAD
        self.zoom_root = self.frame.attachNewNode("zoom")
        self.zoom_root.setPos(self.zoom_x, 0, -HEADER_H - ROW - theme.px(4))
        self.zoom_rows: list[ActivationRow] = []
        self._zoom_signature = None
        self.info = Text(self.zoom_root, "click a map to zoom it", (0, -theme.px(12)),
                         fg=theme.TEXT_DIM, wordwrap=ZOOM_W)

    # -- what is shown ------------------------------------------------------------------
    def update(self, result: InferenceResult | None) -> None:
        """The latest result (cheap while the panel is closed)."""
        self._result = result
        if self.is_open:
            self.redraw()

    def show(self) -> None:
        super().show()
        self.redraw()

    def set_slot(self, slot: str) -> None:
        self.slot, self.page = slot, 0
        self.redraw()

    def set_sort(self, sort: str) -> None:
        self.sort, self.page = sort, 0
        self.redraw()

    def turn(self, pages: int) -> None:
        self.page += pages
        self.redraw()

    def zoom(self, channel: int | None) -> None:
        self.zoomed = channel
        self.redraw()

    def zoom_next(self) -> None:
        """The channel after the zoomed one in the grid's order (the first if none)."""
        order = list(self.order)
        if not order:
            return
        i = order.index(self.zoomed) + 1 if self.zoomed in order else 0
        self.zoom(int(order[i % len(order)]))

    def channel_at(self, x: float, z: float) -> int | None:
        """The channel whose map is at (x, z) in grid coordinates (None: none there)."""
        if self.pitch <= 0 or x < 0 or z > 0:
            return None
        col, row = int(x // self.pitch), int(-z // self.pitch)
        k = self.page * self.cols * self.rows_n + row * self.cols + col
        inside = col < self.cols and row < self.rows_n and k < len(self.order)
        return int(self.order[k]) if inside else None

    def _clicked(self, x: float, z: float) -> None:
        channel = self.channel_at(x, z)
        if channel is not None:
            self.zoom(channel)

    # -- drawing ------------------------------------------------------------------------
    def _outputs(self) -> list[SlotOutput]:
        outs = self._result.outputs if self._result is not None else ()
        return [o for o in outs if o.activations is not None]

    def redraw(self) -> None:
        outputs = self._outputs()
        shown = next((o for o in outputs if o.slot == self.slot), outputs[0] if outputs else None)
        self.shown = shown
        self.other = partner(shown, outputs, self.arch_of) if shown is not None else None
        self.model_menu.set_entries([Entry(o.slot, f"{SLOT_TITLES[o.slot]}: {o.title}")
                                     for o in outputs], shown.slot if shown else self.slot)
        sorts = [Entry(e.value, e.title, e.value != "difference" or self.other is not None)
                 for e in SORTS]
        self.sort_menu.set_entries(sorts, self.sort)
        if shown is None:
            self.order = np.arange(0)
            self.image.hide()
            self.outline.hide()
            self.empty.np.show()
            self.page_text.set("")
            self.hint.set("")
            self._show_zoom([])
            return
        self.empty.np.hide()
        self._draw_grid(shown)
        self._show_zoom([o for o in (shown, self.other) if o is not None])

    def _draw_grid(self, shown: SlotOutput) -> None:
        acts, other = shown.activations, self.other
        self.order = channel_order(self.sort, acts, shown.layer_std,
                                   other.activations if other is not None else None,
                                   other.layer_std if other is not None else 0.0)
        count = len(acts)
        self.cols, self.rows_n, self.pitch = grid_shape(count, self.grid_w, self.grid_h)
        per_page = self.cols * self.rows_n
        pages = math.ceil(count / per_page)
        self.page = min(max(self.page, 0), pages - 1)
        chans = self.order[self.page * per_page:(self.page + 1) * per_page]
        rgb = maps_rgb(acts, chans, shown.layer_std, float(self.params["act_normalization"]))
        image = atlas(rgb, self.cols, math.ceil(len(chans) / self.cols))
        numpy_to_texture(image, tex=self.texture)
        unit = self.pitch / (acts.shape[1] + 1)  # one atlas pixel on screen
        self.image.setScale(image.shape[1] * unit, 1, image.shape[0] * unit)
        self.image.show()
        self.page_text.set(f"{count} channels" + (f", page {self.page + 1}/{pages}"
                                                  if pages > 1 else ""))
        for b in (self.prev_button, self.next_button):
            b.show() if pages > 1 else b.hide()
        why = "" if self.other is not None or self.sort != "difference" else NEEDS_TWO
        self.hint.set(ellipsize(why or f"{shown.layer}: click a map to zoom it",
                                self.hint.scale, self.w - theme.px(150)))
        self.hint.set_fg(theme.ERROR if why else theme.TEXT_DIM)
        self._place_outline(chans, unit)

    def _place_outline(self, chans, unit: float) -> None:
        where = [i for i, c in enumerate(chans) if int(c) == self.zoomed]
        if not where:
            self.outline.hide()
            return
        r, c = divmod(where[0], self.cols)
        side = self.pitch - unit + 2 * OUTLINE   # the map and a border around it
        x, z = c * self.pitch - OUTLINE, -r * self.pitch + OUTLINE
        for edge, (ex, ez, ew, eh) in zip(self._edges, (
                (x, z, side, OUTLINE), (x, z - side + OUTLINE, side, OUTLINE),
                (x, z, OUTLINE, side), (x + side - OUTLINE, z, OUTLINE, side))):
            edge.setPos(ex, 0, ez)
            edge.setScale(ew, 1, eh)
        self.outline.show()

    def _show_zoom(self, outputs: list[SlotOutput]) -> None:
        channel = self.zoomed
        if channel is not None and outputs and channel >= len(outputs[0].activations):
            channel = self.zoomed = None  # a layer with fewer channels now
        shown = outputs if channel is not None else []
        signature = tuple(o.slot for o in shown)
        if signature != self._zoom_signature:
            self._zoom_signature = signature
            for row in self.zoom_rows:
                row.destroy()
            row_w = (ZOOM_W - theme.px(6)) / 2
            self.zoom_rows = []
            for i, o in enumerate(shown):
                row = ActivationRow(self.zoom_root, o.slot, 1, ZOOM_MAP, row_w, 0.0,
                                    self.on_request)
                row.root.setX(i * (row_w + theme.px(6)))
                row.status_source = self.featvis_status
                self.zoom_rows.append(row)
        norm = float(self.params["act_normalization"])
        for row, o in zip(self.zoom_rows, shown):
            row.show(o, (channel,), norm, True, self.featvis_lookup)
        if channel is None or not shown:  # nothing zoomed, or no model shows activations
            self.info.np.setZ(-theme.px(12))
            self.info.set("click a map to zoom it")
            return
        means = [f"{SLOT_TITLES[o.slot]} {float(o.activations[channel].mean()):+.3g}"
                 for o in shown]
        text = f"#{channel} mean: " + ", ".join(means)
        if len(shown) == 2:
            d = difference(shown[0].activations[channel:channel + 1], shown[0].layer_std,
                           shown[1].activations[channel:channel + 1], shown[1].layer_std)
            text += f"; difference {float(d[0]):.3g} std"
        self.info.np.setZ(-self.zoom_rows[0].height - theme.px(14))
        self.info.set(text)

    def refresh_featvis(self) -> None:
        """A feature visualisation became available: look the zoomed ones up again."""
        for row in self.zoom_rows:
            row.refresh_featvis()
        if self.is_open:
            self.redraw()

    def refresh_progress(self) -> None:
        for row in self.zoom_rows:
            row.refresh_progress()

    def destroy(self) -> None:
        self._unwatch()
        for row in self.zoom_rows:
            row.destroy()
        for menu in (self.model_menu, self.sort_menu):
            menu.destroy()
        self.frame.destroy()
