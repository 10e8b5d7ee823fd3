"""Parts of the GUI shown from a cached picture while nothing in them changes.

On a software rasteriser every widget costs CPU in every drawn frame: culling, a draw
call, its pixels. When the camera moves (a slider, the mouse, the gamepad) the window is
redrawn for the new frame and its activations, but the other slider groups, the menus
and the model slots look the same as before. A *unit* is such a part of the GUI
(``add``): in frames where it is **cached** the window draws one opaque card in its
place, a copy of its pixels from an offscreen picture of the units; where it is
**live** the window draws its widgets as usual.

- The picture (``buffer``: the window's size, the units through a copy of the window's
  2-D camera, cleared to the window's colour) is rendered only in a frame that needs it,
  before the window in the same frame. A unit lies on the window's clear colour (the
  columns' colour), so a card (nearest texels, pixel-aligned) shows the pixels its
  widgets would have drawn there, up to one level of 255 on a few letters' edges (the
  texture's blending rounds them differently). A card covers only the ``CELL_PX``
  cells the unit draws in: each copied pixel costs about half what drawing it did.
- Camera masks pick what each camera draws: the window's camera skips the widgets of
  cached units and draws their cards; the picture's camera draws the units' widgets
  and nothing else.
- Mouse: Panda3D registers a widget's mouse region while culling it. Each unit sits
  under a ``PGTop`` of its own, so its regions stay registered, unchanged, while the
  window does not cull it; the window's ``aspect2d`` starts its regions at a higher
  sort, so a menu or dialog opened over a unit still gets the clicks.
- ``frame(touched)`` runs just before Panda3D renders a drawn window frame. A unit
  ``touched`` (the pointer over it, its entry being typed in, one of its parameters
  changed) goes live at once; a live unit untouched for ``QUIET_S`` gets a new picture
  in that frame and is cached from the next. ``refresh()`` (something anywhere may
  have changed: a click, a key, a message, the keep-alive) draws every unit live in the
  next drawn frame, with a new picture of them all. A unit is measured (the cells it
  draws in) right after the picture is drawn (``Stage.GUI_CACHE``): a slider puts its
  thumb in place while it is drawn.

Measured on the 2-core CPU at 1280 x 800 (the default two-model view, the camera
moving): the window's cost per frame 12.6 -> 10.3 ms, of which the cards cost ~1.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np
from panda3d.core import (
    BitMask32, Camera, ColorAttrib, ColorScaleAttrib, Geom, GeomNode, GeomTriangles,
    GeomVertexData, GeomVertexFormat, GeomVertexWriter, NodePath, PGItem, PGTop, Point3,
    SamplerState, TextNode, TransparencyAttrib,
)

from game.core.stages import Stage
from game.render.gfx import make_buffer

WINDOW_MASK = BitMask32.bit(20)  # the window's 2-D camera
PICTURE_MASK = BitMask32.bit(21)  # the camera of the cached picture
OUTER_START_SORT = 1 << 20  # aspect2d's mouse regions rank above every unit's
QUIET_S = 0.25  # a live unit this long untouched is cached again
MARGIN_PX = 2  # around what a unit draws: antialiased text edges
CELL_PX = 4  # a card covers the cells of this many pixels square that the unit draws in
BUFFER_SORT = -5  # after the scene's buffers, before the window
OFF_TASK = "perturber-gui-cache-off"


PARAM_WIDGETS = ("slider-", "check-", "range-", "checkpoint-")  # node name: prefix + param


def drawn_boxes(content: NodePath, render2d: NodePath) -> list[tuple]:
    """(x0, x1, z0, z1) in render2d coordinates of each thing ``content`` draws: its shown
    widgets' frames and current looks, text, geometry."""
    boxes = []

    def add(bounds, mat) -> None:
        if bounds is None:
            return
        lo, hi = bounds
        corners = [mat.xformPoint(Point3(x, 0, z)) for x in (lo.x, hi.x) for z in (lo.z, hi.z)]
        xs, zs = [p.x for p in corners], [p.z for p in corners]
        boxes.append((min(xs), max(xs), min(zs), max(zs)))

    stack = [(content, content.getParent().getMat(render2d))]
    while stack:
        path, above = stack.pop()
        node = path.node()
        if node.isOverallHidden():
            continue
        mat = path.getMat() * above  # this node's coordinates -> render2d
        if isinstance(node, PGItem):  # its look (frame geometry, text) in this state
            add(node.getStateDef(node.getState()).getTightBounds(), mat)
        elif isinstance(node, (GeomNode, TextNode)):
            add(path.getTightBounds(path), mat)
        stack.extend((child, mat) for child in path.getChildren())
    return boxes


def pixel_cells(boxes: list[tuple], size: tuple[int, int]):
    """The ``CELL_PX`` cells of a ``size`` window that ``boxes`` (render2d coordinates)
    touch, grown by ``MARGIN_PX``: (x0, y0) of the first cell and a boolean grid [y, x],
    or None."""
    w, h = size
    px = []
    for x0, x1, z0, z1 in boxes:
        a = max(0, int((x0 + 1) / 2 * w) - MARGIN_PX)
        b = min(w, int(math.ceil((x1 + 1) / 2 * w)) + MARGIN_PX)
        c = max(0, int((z0 + 1) / 2 * h) - MARGIN_PX)
        d = min(h, int(math.ceil((z1 + 1) / 2 * h)) + MARGIN_PX)
        if b > a and d > c:
            px.append((a, b, c, d))
    if not px:
        return None
    gx0 = min(p[0] for p in px) // CELL_PX * CELL_PX
    gy0 = min(p[2] for p in px) // CELL_PX * CELL_PX
    cols = -(-(max(p[1] for p in px) - gx0) // CELL_PX)
    rows = -(-(max(p[3] for p in px) - gy0) // CELL_PX)
    grid = np.zeros((rows, cols), bool)
    for a, b, c, d in px:
        grid[(c - gy0) // CELL_PX:-(-(d - gy0) // CELL_PX),
             (a - gx0) // CELL_PX:-(-(b - gx0) // CELL_PX)] = True
    return (gx0, gy0), grid


def rectangles(grid) -> list[tuple[int, int, int, int]]:
    """Cover the True cells of ``grid`` with rectangles (col0, col1, row0, row1), end
    exclusive: each row's runs, merged with the same run in the rows above."""
    padded = np.zeros((grid.shape[0], grid.shape[1] + 2), np.int8)
    padded[:, 1:-1] = grid
    rows, cols = np.nonzero(np.diff(padded, axis=1))  # per row: start, end, start, end...
    runs_of: dict[int, set] = {}
    for r, c0, c1 in zip(rows[::2].tolist(), cols[::2].tolist(), cols[1::2].tolist()):
        runs_of.setdefault(r, set()).add((c0, c1))
    done, open_ = [], {}
    for r in range(len(grid) + 1):
        runs = runs_of.get(r, set())
        for run in [run for run in open_ if run not in runs]:
            done.append((*run, open_.pop(run), r))
        for run in runs:
            open_.setdefault(run, r)
    return done


def card_geom(name: str, rects, size: tuple[int, int]) -> GeomNode:
    """One geometry of the pixel rectangles (x0, x1, y0, y1) of a ``size`` window, in
    render2d coordinates, each showing the same rectangle of a window-sized texture."""
    w, h = size
    data = GeomVertexData(name, GeomVertexFormat.getV3t2(), Geom.UH_static)
    data.setNumRows(4 * len(rects))
    vertex, uv = GeomVertexWriter(data, "vertex"), GeomVertexWriter(data, "texcoord")
    tris = GeomTriangles(Geom.UH_static)
    for i, (x0, x1, y0, y1) in enumerate(rects):
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            vertex.addData3(x / w * 2 - 1, 0, y / h * 2 - 1)
            uv.addData2(x / w, y / h)
        tris.addVertices(4 * i, 4 * i + 1, 4 * i + 2)
        tris.addVertices(4 * i, 4 * i + 2, 4 * i + 3)
    geom = Geom(data)
    geom.addPrimitive(tris)
    node = GeomNode(name)
    node.addGeom(geom)
    return node


def shown_params(content: NodePath) -> frozenset[str]:
    """The parameters whose widgets (``ui``'s rows name their node prefix + parameter)
    lie under ``content``."""
    names = set()
    for path in content.findAllMatches("**"):
        name = path.getName()
        names.update(name[len(p):] for p in PARAM_WIDGETS if name.startswith(p))
    return frozenset(names)


class Unit:
    """One cached part: ``content`` moved under a PGTop, a card beside it."""

    def __init__(self, name: str, content: NodePath, params: frozenset[str],
                 watcher) -> None:
        self.name, self.content, self.params = name, content, params
        parent = content.getParent()
        self.top = parent.attachNewNode(PGTop(f"cached-{name}"))
        self.top.node().setMouseWatcher(watcher)
        self.top.showThrough(PICTURE_MASK)  # render2d is hidden from the picture
        content.reparentTo(self.top)
        self.card = parent.attachNewNode(f"card-{name}")
        self.card.hide(PICTURE_MASK)
        self.rect: tuple[int, int, int, int] | None = None  # pixels: x0, x1, y0, y1
        self.live = True
        self.touched_at = float("-inf")

    def set_live(self, live: bool) -> None:
        self.live = live
        if live or self.rect is None:
            self.top.show(WINDOW_MASK)
            self.card.hide(WINDOW_MASK)
        else:
            self.top.hide(WINDOW_MASK)
            self.card.show(WINDOW_MASK)

    def contains(self, node: NodePath) -> bool:
        return not node.isEmpty() and (node == self.top or self.top.isAncestorOf(node))

    def covers(self, x: float, y: float, size: tuple[int, int]) -> bool:
        """Mouse coordinates (-1..1) inside the unit's rectangle."""
        if self.rect is None:
            return False
        px, py = (x + 1) / 2 * size[0], (y + 1) / 2 * size[1]
        x0, x1, y0, y1 = self.rect
        return x0 <= px <= x1 and y0 <= py <= y1

    def place(self, render2d: NodePath, texture, size: tuple[int, int]) -> None:
        """Measure what the unit draws in window pixels and rebuild its card: the cells
        it draws in (the rest of its rectangle shows what lies under it)."""
        self.card.getChildren().detach()
        self.rect = None
        gone = self.content.isEmpty() or self.content.getParent() != self.top
        cells = None if gone or self.content.isHidden() else pixel_cells(
            drawn_boxes(self.content, render2d), size)
        if cells is None:
            return
        (gx, gy), grid = cells
        rects = [(gx + c0 * CELL_PX, min(size[0], gx + c1 * CELL_PX),
                  gy + r0 * CELL_PX, min(size[1], gy + r1 * CELL_PX))
                 for c0, c1, r0, r1 in rectangles(grid)]
        self.rect = (min(r[0] for r in rects), max(r[1] for r in rects),
                     min(r[2] for r in rects), max(r[3] for r in rects))
        card = self.card.attachNewNode(card_geom(f"card-{self.name}", rects, size))
        # The card's vertices are in render2d coordinates, whatever lies above it.
        card.setTransform(render2d.getTransform(self.card))
        card.setTexture(texture, 1000)
        card.setTransparency(TransparencyAttrib.MNone, 1000)
        card.setAttrib(ColorAttrib.makeFlat((1, 1, 1, 1)), 1000)
        card.setAttrib(ColorScaleAttrib.makeIdentity(), 1000)

    def destroy(self) -> None:
        parent = self.top.getParent()
        if not self.content.isEmpty() and not parent.isEmpty():
            self.content.reparentTo(parent)
        self.top.removeNode()
        self.card.removeNode()


class GuiCache:
    """The units of ``base``'s GUI and their picture; see the module's docstring."""

    def __init__(self, base, clock: Callable[[], float]) -> None:
        self.base, self.clock = base, clock
        self.units: list[Unit] = []
        self.pictures = 0  # pictures rendered (tests, bench)
        self._refresh = True
        self._placing = False
        self._enabled = True
        self._destroyed = False
        self._size = None
        self.buffer = self.texture = self.camera = None
        self._window_mask = base.cam2d.node().getCameraMask()
        base.cam2d.node().setCameraMask(WINDOW_MASK)
        base.aspect2d.node().setStartSort(OUTER_START_SORT)
        base.render2d.hide(PICTURE_MASK)  # the picture shows the units alone
        self._make_buffer()
        base.taskMgr.add(self._rendered, OFF_TASK, sort=Stage.GUI_CACHE)

    # -- units ---------------------------------------------------------------------------
    def add(self, name: str, content: NodePath, params: Iterable[str] | None = None) -> Unit:
        """Cache ``content`` (a node under aspect2d that nothing else draws over) as one
        unit; ``params``: the parameters its widgets show (by default, found by name)."""
        shown = shown_params(content) if params is None else frozenset(params)
        unit = Unit(name, content, shown, self.base.aspect2d.node().getMouseWatcher())
        self.units.append(unit)
        self._refresh = True
        return unit

    def unit_of(self, node: NodePath) -> Unit | None:
        return next((u for u in self.units if u.contains(node)), None)

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Off: every unit drawn live, no pictures (as without a cache)."""
        self._enabled = enabled
        self._refresh = True
        if not enabled:
            self.buffer.setActive(False)
            self._placing = False
            for unit in self.units:
                unit.set_live(True)

    def refresh(self) -> None:
        """Anything in a cached unit may have changed: every unit live in the next drawn
        frame, with a new picture."""
        self._refresh = True

    # -- per drawn frame -------------------------------------------------------------------
    def frame(self, touched: Iterable[Unit] = ()) -> None:
        """This drawn frame: ``touched`` units go live; a new picture if one is due."""
        if not self._enabled:
            return
        now = self.clock()
        size = (self.base.win.getXSize(), self.base.win.getYSize())
        if min(size) <= 0:  # a minimised window: nothing to draw into
            return
        if size != self._size:
            self._make_buffer()
        watcher = self.base.aspect2d.node().getMouseWatcher()
        for unit in self.units:
            if unit.top.node().getMouseWatcher() != watcher:  # a new mouse: its regions
                unit.top.node().setMouseWatcher(watcher)      # come from the next cull
                self._refresh = True
        for unit in touched:
            unit.touched_at = now
            if not unit.live:
                unit.set_live(True)
        due = self._refresh or any(u.live and now - u.touched_at >= QUIET_S for u in self.units)
        self.buffer.setActive(due)
        if not due:
            return
        if self._refresh:  # anything may have moved: live until measured again
            for unit in self.units:
                unit.set_live(True)
        # Measured after the render: all after a refresh, else the units cached again.
        self._placing = True if self._refresh else [
            u for u in self.units if u.live and now - u.touched_at >= QUIET_S]
        self._refresh = False
        self.pictures += 1

    def idle(self) -> None:
        """No picture in a frame whose window is not drawn."""
        self.buffer.setActive(False)

    def _rendered(self, task):
        """After Panda3D rendered: a new picture's units are measured (their widgets as
        just drawn: a slider places its thumb while it is drawn) and cached again."""
        self.buffer.setActive(False)  # not again in a later render (the sync mode's)
        if self._placing:
            placing, self._placing = self._placing, False
            now = self.clock()
            for unit in self.units if placing is True else placing:
                unit.place(self.base.render2d, self.texture, self._size)
                unit.set_live(now - unit.touched_at < QUIET_S)
        return task.cont

    def _make_buffer(self) -> None:
        """The picture's buffer and camera at the window's size (again after a resize)."""
        if self.buffer is not None:
            self.buffer.getEngine().removeWindow(self.buffer)
            self.camera.removeNode()
        win = self.base.win
        self._size = (win.getXSize(), win.getYSize())
        self.buffer, self.texture = make_buffer(win, "gui-cache", self._size, BUFFER_SORT)
        self.texture.setMinfilter(SamplerState.FT_nearest)
        self.texture.setMagfilter(SamplerState.FT_nearest)
        self.buffer.setClearColor(win.getClearColor())
        window_cam = self.base.cam2d
        cam = Camera("gui-cache-cam", window_cam.node().getLens().makeCopy())
        cam.setCameraMask(PICTURE_MASK)
        self.camera = window_cam.getParent().attachNewNode(cam)
        self.camera.setTransform(window_cam.getTransform())
        region = self.buffer.makeDisplayRegion()
        region.setCamera(self.camera)
        self.buffer.setActive(False)
        self._refresh = True
        for unit in self.units:
            unit.rect = None
            unit.set_live(True)  # their cards point into the old picture

    def destroy(self) -> None:
        if self._destroyed:
            return
        self._destroyed = True
        self.base.taskMgr.remove(OFF_TASK)
        for unit in self.units:
            unit.destroy()
        self.units.clear()
        if self.buffer is not None:
            self.buffer.getEngine().removeWindow(self.buffer)
            self.camera.removeNode()
            self.buffer = None
        self.base.cam2d.node().setCameraMask(self._window_mask)
        self.base.aspect2d.node().setStartSort(0)
        self.base.render2d.show(PICTURE_MASK)
