"""The app window: three titled columns, input on the left to predictions on the right.

Scene (left, widest): the square scene view on top, the scene panel below it and the
menus / custom GLSL beside the view. Models (middle) and Predictions (right) are empty
frames that later panels fill through ``middle_body`` and ``right_body``.

The columns' colour is the window's clear colour (``CLEAR``); the layout draws only the
backdrop around and between them, a few strips of margin. On a software rasteriser
every pixel a quad covers costs: three column quads over most of a 1280 x 800 window
cost ~2 ms a frame, the strips a tenth of that.
"""
from __future__ import annotations

from panda3d.core import CardMaker, NodePath, Point3, SamplerState, Texture, TextNode

from ui import theme
from ui.widgets import label, panel

CLEAR = theme.PANEL_BG  # the window's clear colour under this layout: the columns' colour


class Column:
    """A titled column frame; ``body`` is the area under the title (origin top-left)."""

    def __init__(self, parent: NodePath, title: str):
        self.frame = panel(parent, 1, 1, color=(0, 0, 0, 0))  # the window's clear shows
        self.title = label(self.frame, title, (theme.PAD, -theme.TITLE_H * 0.68),
                           scale=theme.TITLE_SCALE)
        self.body = panel(self.frame, 1, 1, color=(0, 0, 0, 0), pos=(0, -theme.TITLE_H))

    def place(self, x: float, z: float, w: float, h: float) -> None:
        self.frame.setPos(x, 0, z)
        self.frame["frameSize"] = (0, w, -h, 0)
        self.body["frameSize"] = (0, w, -(h - theme.TITLE_H), 0)

    @property
    def body_size(self) -> tuple[float, float]:
        x0, x1, z0, z1 = self.body["frameSize"]
        return x1 - x0, z1 - z0


class MainLayout:
    """Builds the window layout under ``parent`` (aspect2d: x in [-ar, ar], z in [-1, 1]).

    ``clear=False``: the window under ``parent`` does not clear to ``CLEAR``; the layout
    then draws that colour over the whole window itself."""

    def __init__(self, parent: NodePath, aspect_ratio: float, clear: bool = False):
        self.root = parent.attachNewNode("main-layout")
        self._under = None if clear else panel(self.root, 1, 1, color=CLEAR)
        self._margins = self.root.attachNewNode("backdrop")
        self.columns = {name: Column(self.root, name) for name in ("Scene", "Models", "Predictions")}
        self.left = self.columns["Scene"].frame
        self.middle = self.columns["Models"].frame
        self.right = self.columns["Predictions"].frame
        self.middle_body = self.columns["Models"].body
        self.right_body = self.columns["Predictions"].body
        self._build_scene_column()
        self.set_aspect_ratio(aspect_ratio)

    # -- scene column ----------------------------------------------------------------
    def _build_scene_column(self) -> None:
        body = self.columns["Scene"].body
        s, pad = theme.VIEW_SIZE, theme.PAD
        self.view = panel(body, s, s, color=theme.VIEW_BG, pos=(pad, 0))
        self._placeholder = label(self.view, "no frame yet", (s / 2, -s / 2),
                                  fg=theme.TEXT_DIM, align=TextNode.ACenter)
        cm = CardMaker("scene-view")
        cm.setFrame(0, s, -s, 0)
        self._image = self.view.attachNewNode(cm.generate())
        self._image.hide()
        side_w = theme.LEFT_W - s - 3 * pad
        self.view_side = panel(body, side_w, s, color=(0, 0, 0, 0), pos=(2 * pad + s, 0))
        self.scene_panel = panel(body, theme.LEFT_W - 2 * pad, 1, color=(0, 0, 0, 0),
                                 pos=(pad, -s - pad))

    def set_scene_texture(self, tex: Texture | None) -> None:
        """Show ``tex`` (the 224x224 network input) in the square, nearest-filtered.

        The filter is a sampler override on the card, so the texture itself (maybe a
        render target whose mipmaps the post chain needs) is left untouched.
        """
        if tex is None:
            self._image.clearTexture()
            self._image.hide()
            self._placeholder.show()
            return
        sampler = SamplerState()
        sampler.setMinfilter(SamplerState.FT_nearest)
        sampler.setMagfilter(SamplerState.FT_nearest)
        sampler.setWrapU(SamplerState.WM_clamp)
        sampler.setWrapV(SamplerState.WM_clamp)
        self._image.setTexture(tex, sampler, 1)
        self._image.show()
        self._placeholder.hide()

    def scene_view_bounds(self) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) of the scene view in render2d / mouse coordinates.

        These are the coordinates of ``MouseWatcher.getMouse()`` ([-1, 1] on both axes),
        so ``left <= x <= right and bottom <= y <= top`` is the hit test for drags.
        """
        top = self.view.getTop()
        s = theme.VIEW_SIZE
        lo = top.getRelativePoint(self.view, Point3(0, 0, -s))
        hi = top.getRelativePoint(self.view, Point3(s, 0, 0))
        return lo.x, hi.x, lo.z, hi.z

    def in_scene_view(self, x: float, y: float) -> bool:
        left, right, bottom, top = self.scene_view_bounds()
        return left <= x <= right and bottom <= y <= top

    # -- window size -------------------------------------------------------------------
    def set_aspect_ratio(self, aspect_ratio: float) -> None:
        """Re-place the columns for a window of this width / height (call on resize)."""
        ar, m = aspect_ratio, theme.MARGIN
        if self._under is not None:
            self._under.setPos(-ar, 0, 1)
            self._under["frameSize"] = (0, 2 * ar, -2, 0)
        h = 2 - 2 * m
        rest = max(2 * ar - 4 * m - theme.LEFT_W, 0.0)
        right_w = rest * theme.RIGHT_SHARE
        xs = (-ar + m, -ar + 2 * m + theme.LEFT_W, ar - m - right_w)
        widths = (theme.LEFT_W, rest - right_w, right_w)
        for col, x, w in zip(self.columns.values(), xs, widths):
            col.place(x, 1 - m, w, h)
        self._draw_margins(ar, [(x, x + w) for x, w in zip(xs, widths)], 1 - m, -1 + m)
        _, body_h = self.columns["Scene"].body_size
        panel_h = body_h - theme.VIEW_SIZE - 2 * theme.PAD
        self.scene_panel["frameSize"] = (0, theme.LEFT_W - 2 * theme.PAD, -panel_h, 0)

    def _draw_margins(self, ar: float, spans: list[tuple[float, float]], top: float,
                      bottom: float) -> None:
        """The backdrop: the window from ``-ar`` to ``ar`` less the columns, which span
        ``spans`` (x from, to) between ``bottom`` and ``top``; one geometry."""
        self._margins.getChildren().detach()
        strips = [(-ar, ar, top, 1.0), (-ar, ar, -1.0, bottom)]
        x = -ar
        for left, right in sorted(spans):
            if left > x:
                strips.append((x, left, bottom, top))
            x = max(x, right)
        if x < ar:
            strips.append((x, ar, bottom, top))
        holder = NodePath("strips")
        cm = CardMaker("margin")
        for x0, x1, z0, z1 in strips:
            if x1 > x0 and z1 > z0:
                cm.setFrame(x0, x1, z0, z1)
                holder.attachNewNode(cm.generate()).setColor(*theme.WINDOW_BG)
        holder.flattenStrong()
        holder.getChildren().reparentTo(self._margins)

    def destroy(self) -> None:
        for col in self.columns.values():
            col.frame.destroy()
        if self._under is not None:
            self._under.destroy()
        self.root.removeNode()
