from game.render.post.base import Effect


class Hue(Effect):
    params = ("hue",)
    identity = {"hue": 0.0}

    def __init__(self, ctx, source):
        self.pass_ = ctx.add("post-hue", "hue.frag.glsl", {"src": source})
        self.output = self.pass_.texture
        self.passes = self.inputs = [self.pass_]

    def apply(self, values):
        self.pass_.set(hue=values["hue"])
