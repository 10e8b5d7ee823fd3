"""Plain geometry and text for views that redraw every frame.

DirectGUI widgets are convenient for controls but slow to change; the activation and
prediction views update cards (scaled, re-coloured, re-textured) and bare TextNodes
instead, and only touch a text when it really changed.
"""
from __future__ import annotations

import numpy as np
from direct.gui import DirectGuiGlobals as DGG
from panda3d.core import (CardMaker, DynamicTextGlyph, NodePath, SamplerState, Texture,
                          TextNode)

from ui import theme

ELLIPSIS = "\u2026"
# Stand-ins for characters the default font lacks (registry titles use a middle dot).
SUBSTITUTES = {"\u00b7": "\u2219", "\u25b6": ">", "\u00d7": "x"}
_has_glyph: dict[str, bool] = {}


def displayable(text: str) -> str:
    """``text`` with characters the default font cannot draw replaced (no empty boxes)."""
    out = []
    for ch in text:
        if ch not in _has_glyph:
            glyph = DGG.getDefaultFont().getGlyph(ord(ch)) if ord(ch) > 126 else True
            _has_glyph[ch] = glyph is True or isinstance(glyph, DynamicTextGlyph)
        out.append(ch if _has_glyph[ch] else SUBSTITUTES.get(ch, "?"))
    return "".join(out)


def card(parent: NodePath, w: float, h: float, colour=None, pos=(0.0, 0.0),
         name: str = "card") -> NodePath:
    """A ``w`` x ``h`` rectangle whose top-left corner is at ``pos`` (x, z)."""
    cm = CardMaker(name)
    cm.setFrame(0, w, -h, 0)
    np_ = parent.attachNewNode(cm.generate())
    np_.setPos(pos[0], 0, pos[1])
    if colour is not None:
        np_.setColor(*colour)
    return np_


def nearest_texture(name: str) -> Texture:
    """An empty RGBA texture sampled nearest: one activation cell = one crisp square."""
    tex = Texture(name)
    tex.setup2dTexture(1, 1, Texture.T_unsigned_byte, Texture.F_rgba)
    tex.setRamImage(b"\x00\x00\x00\xff")
    for set_filter in (tex.setMinfilter, tex.setMagfilter):
        set_filter(SamplerState.FT_nearest)
    tex.setWrapU(SamplerState.WM_clamp)
    tex.setWrapV(SamplerState.WM_clamp)
    return tex


def write_ram(tex: Texture, ram: np.ndarray) -> None:
    """Replace an RGBA texture's pixels by ``ram``: (H, W, 4) uint8 already in Panda's
    RAM layout (bottom row first, B G R A).

    The texture is set up again only when the size changes, so its sampler settings
    (and the card it is on) stay as they are: cheap enough to call every frame.
    """
    h, w = ram.shape[:2]
    if tex.getXSize() != w or tex.getYSize() != h or not tex.hasRamImage():
        tex.setup2dTexture(w, h, Texture.T_unsigned_byte, Texture.F_rgba)
        tex.setRamImage(np.ascontiguousarray(ram).tobytes())
        return
    # Same size: copy into the existing image, which the GSG then updates in place
    # (a new RAM image costs a full re-upload: ~3x slower for 16 maps of 112x112).
    np.frombuffer(memoryview(tex.modifyRamImage()), np.uint8).reshape(ram.shape)[:] = ram


def as_uint8(image) -> np.ndarray:
    """An (H, W, 3|4) picture in [0, 1] floats or uint8 -> contiguous (H, W, 3) uint8."""
    img = np.asarray(image)
    if img.dtype != np.uint8:
        img = np.round(np.clip(img, 0.0, 1.0) * 255).astype(np.uint8)
    return np.ascontiguousarray(img[..., :3])


class Text:
    """A bare TextNode under ``parent``; ``set`` only rebuilds it when the text changes."""

    def __init__(self, parent: NodePath, text: str = "", pos=(0.0, 0.0),
                 scale: float = theme.SMALL_SCALE, fg=theme.TEXT, align=TextNode.ALeft,
                 wordwrap: float | None = None, name: str = "text"):
        self.node = TextNode(name)
        self.node.setFont(DGG.getDefaultFont())
        self.node.setAlign(align)
        self.node.setTextColor(*fg)
        if wordwrap:
            self.node.setWordwrap(wordwrap / scale)
        self.np = parent.attachNewNode(self.node)
        self.np.setScale(scale)
        self.np.setPos(pos[0], 0, pos[1])
        self.scale = scale
        self._raw = None
        self.set(text)

    @property
    def text(self) -> str:
        """The text as given (before font substitutions)."""
        return self._raw

    def set(self, text: str) -> None:
        if self._raw != text:
            self._raw = text
            self.node.setText(displayable(text))

    def set_fg(self, fg) -> None:
        if tuple(self.node.getTextColor()) != tuple(fg):
            self.node.setTextColor(*fg)

    def width(self) -> float:
        return self.node.getWidth() * self.scale


def _measurer() -> TextNode:
    node = TextNode("measure")
    node.setFont(DGG.getDefaultFont())
    return node


def measure(text: str, scale: float) -> float:
    """Width of ``text`` drawn at ``scale`` in the default font."""
    return _measurer().calcWidth(text) * scale


def ellipsize(text: str, scale: float, max_w: float) -> str:
    """``text`` cut at the end with an ellipsis so that it is at most ``max_w`` wide.

    The result is :func:`displayable`: what is measured is what will be drawn.
    """
    text = displayable(text)
    node = _measurer()
    if node.calcWidth(text) * scale <= max_w:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if node.calcWidth(text[:mid].rstrip() + ELLIPSIS) * scale <= max_w:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS
