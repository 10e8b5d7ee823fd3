from game.render.post.base import Effect


class Saturation(Effect):
    params = ("saturation",)
    identity = {"saturation": 1.0}

    def __init__(self, ctx, source):
        self.pass_ = ctx.add("post-saturation", "saturation.frag.glsl", {"src": source})
        self.output = self.pass_.texture
        self.passes = self.inputs = [self.pass_]

    def apply(self, values):
        self.pass_.set(saturation=values["saturation"])
