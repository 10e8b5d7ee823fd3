"""Wires the post effects in the thesis' order, ending in an 8-bit readable target."""
from __future__ import annotations

from panda3d.core import Texture

from game.render.post.alpha import Alpha
from game.render.post.base import PassContext
from game.render.post.custom import CustomEffect
from game.render.post.frequency import FrequencyDecomposition
from game.render.post.hue import Hue
from game.render.post.patch_shuffle import PatchShuffle
from game.render.post.saturation import Saturation

ORDER = (Alpha, Hue, Saturation, CustomEffect, PatchShuffle, FrequencyDecomposition)


class PostChain:
    def __init__(self, host, source: Texture, size=(224, 224), first_sort: int = -90,
                 effects=ORDER):
        self.source = source
        self.ctx = PassContext(host, size, first_sort)
        self.effects = []
        tex = source
        for cls in effects:
            effect = cls(self.ctx, tex)
            self.effects.append(effect)
            tex = effect.output
        self.final = self.ctx.add("post-final", "copy.frag.glsl", {"src": tex},
                                  float_color=False, to_ram=True)
        self.output = self.final.texture
        self.running = list(self.effects)

    def apply(self, values: dict) -> None:
        """Set every effect's uniforms; effects at their identity are skipped (their
        passes idle) and the next active pass reads the previous active output."""
        tex = self.source
        self.running = []
        for effect in self.effects:
            effect.apply(values)
            if not effect.is_identity(values):
                effect.set_source(tex)
                tex = effect.output
                self.running.append(effect)
        self.final.set(src=tex)

    def effect(self, cls):
        return next(e for e in self.effects if isinstance(e, cls))

    def set_active(self, active: bool) -> None:
        for effect in self.effects:
            effect.set_active(active and effect in self.running)
        self.final.buffer.setActive(active)

    @property
    def buffers(self):
        return [p.buffer for p in self.ctx.passes]

    def destroy(self) -> None:
        for p in self.ctx.passes:
            p.destroy()
        self.ctx.passes.clear()
