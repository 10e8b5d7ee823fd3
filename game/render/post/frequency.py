"""Frequency decomposition: low band = Gaussian blur (sigma = cutoff),
high band = image - low; each band gets its own blur, hue and alpha; recombined.
Eight passes at 224 x 224, all in half-float so the signed high band survives."""
from game.render.post.base import Effect


class FrequencyDecomposition(Effect):
    params = ("freq_cutoff", "low_alpha", "high_alpha", "low_sigma", "high_sigma",
              "low_hue", "high_hue")
    # Any cutoff: low + high with unit alphas and no blur or hue is the input.
    identity = {"low_alpha": 1.0, "high_alpha": 1.0, "low_sigma": 0.0, "high_sigma": 0.0,
                "low_hue": 0.0, "high_hue": 0.0}

    def __init__(self, ctx, source):
        def blur(name, src):
            h = ctx.add(f"freq-{name}-h", "blur.frag.glsl", {"src": src})
            h.set(direction=(1, 0))
            v = ctx.add(f"freq-{name}-v", "blur.frag.glsl", {"src": h.texture})
            v.set(direction=(0, 1))
            return h, v

        self.low = blur("low", source)
        split = ctx.add("freq-split", "freq_split.frag.glsl", {"src": source, "low": self.low[1].texture})
        self.low_blur = blur("lowblur", self.low[1].texture)
        self.high_blur = blur("highblur", split.texture)
        self.combine = ctx.add("freq-combine", "freq_combine.frag.glsl", {
            "low": self.low_blur[1].texture, "high": self.high_blur[1].texture})
        self.output = self.combine.texture
        self.split = split
        self.passes = [*self.low, split, *self.low_blur, *self.high_blur, self.combine]
        self.inputs = [self.low[0], split]

    def apply(self, values):
        for pair, key in ((self.low, "freq_cutoff"), (self.low_blur, "low_sigma"),
                          (self.high_blur, "high_sigma")):
            for p in pair:
                p.set(sigma=float(values[key]))
        self.combine.set(**{k: float(values[k]) for k in
                            ("low_alpha", "high_alpha", "low_hue", "high_hue")})
