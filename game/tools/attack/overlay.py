"""The attacked image over the scene view, with the thesis' text overlay.

A card the size of the view shows the composite as a static, nearest-filtered image;
four tags on translucent backings give the original top class's probability before
(top left) and after (top right) the attack, the current top class (bottom right)
and what attack this is (bottom left).
"""
from __future__ import annotations

import numpy as np
from panda3d.core import CardMaker, SamplerState, TextNode, TransparencyAttrib

from game.core.texconv import numpy_to_texture
from ui import theme
from ui.draw import Text, card, ellipsize, measure

TAG_PAD = theme.px(4)
TAG_H = theme.px(20)    # a one-line tag; each further line adds the font's line height
BACKING = (0.0, 0.0, 0.0, 0.62)
CORNERS = ("top_left", "top_right", "bottom_right", "bottom_left")


def fit_line(prefix: str, name: str, suffix: str, scale: float, max_w: float) -> str:
    """``prefix name suffix`` in ``max_w``: only the (class) name is cut."""
    room = max_w - measure(f"{prefix}  {suffix}", scale)
    return f"{prefix} {ellipsize(name, scale, max(room, 0.0))} {suffix}"


class Tag:
    """One line of text on a translucent backing; anchored at a corner of the view."""

    def __init__(self, parent, corner: str, size: float, scale: float = theme.SMALL_SCALE):
        self.corner, self.size, self.scale = corner, size, scale
        self.root = parent.attachNewNode(f"tag-{corner}")
        self.backing = card(self.root, 1.0, TAG_H, BACKING, name="tag-backing")
        self.backing.setTransparency(TransparencyAttrib.MAlpha)
        right = corner.endswith("right")
        self.text = Text(self.root, "", (0, 0), scale=scale,
                         align=TextNode.ARight if right else TextNode.ALeft)
        self.max_w = size / 2 - 2 * TAG_PAD - theme.px(6)

    def set(self, text: str, fg=theme.TEXT) -> None:
        """One or more lines, each cut to half the view's width."""
        lines = [ellipsize(line, self.scale, self.max_w) for line in text.split("\n")] if text else []
        text = "\n".join(lines)
        self.text.set(text)
        self.text.set_fg(fg)
        n = max(len(lines), 1)
        h = TAG_H + (n - 1) * self.text.node.getLineHeight() * self.scale
        w = self.text.width() + 2 * TAG_PAD
        s, right, bottom = self.size, self.corner.endswith("right"), self.corner.startswith("bottom")
        x0 = s - w - theme.px(3) if right else theme.px(3)
        z0 = -s + h + theme.px(3) if bottom else -theme.px(3)
        self.backing.setPos(x0, 0, z0)
        self.backing.setScale(w, 1, h / TAG_H)
        base = z0 - TAG_H / 2 - self.scale * 0.35
        self.text.np.setPos(x0 + w - TAG_PAD if right else x0 + TAG_PAD, 0, base)
        self.root.show() if text else self.root.hide()


class AttackOverlay:
    """Over ``view`` (a frame ``size`` x ``size``, origin top-left), hidden until shown."""

    def __init__(self, view, size: float):
        self.root = view.attachNewNode("attack-overlay")
        cm = CardMaker("attack-image")
        cm.setFrame(0, size, -size, 0)
        self.card = self.root.attachNewNode(cm.generate())
        self.texture = numpy_to_texture(np.zeros((224, 224, 3), np.uint8), "attack-composite")
        sampler = SamplerState()
        sampler.setMinfilter(SamplerState.FT_nearest)
        sampler.setMagfilter(SamplerState.FT_nearest)
        sampler.setWrapU(SamplerState.WM_clamp)
        sampler.setWrapV(SamplerState.WM_clamp)
        self.card.setTexture(self.texture, sampler, 1)
        self.tags = {c: Tag(self.root, c, size) for c in CORNERS}
        self.image: np.ndarray | None = None
        self.root.hide()

    @property
    def visible(self) -> bool:
        return not self.root.isHidden()

    def show_image(self, image: np.ndarray) -> None:
        """(224, 224, 3) uint8: the composite the networks see."""
        self.image = image
        numpy_to_texture(image, tex=self.texture)
        self.root.show()

    def set_texts(self, before=("", "", ""), after=("", "", ""), now=("", "", ""),
                  info: str = "") -> None:
        """``before``, ``after``, ``now``: (caption, class name, probability) each; the
        name is what gets cut when a line is too long."""
        for corner, parts in (("top_left", before), ("top_right", after),
                              ("bottom_right", now)):
            tag = self.tags[corner]
            tag.set(fit_line(*parts, tag.scale, tag.max_w) if any(parts) else "")
        self.tags["bottom_left"].set(info, theme.TEXT_DIM)

    def texts(self) -> dict[str, str]:
        return {c: t.text.text for c, t in self.tags.items()}

    def hide(self) -> None:
        self.image = None
        self.root.hide()

    def destroy(self) -> None:
        self.root.removeNode()
