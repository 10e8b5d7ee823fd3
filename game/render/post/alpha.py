from game.render.post.base import Effect


class Alpha(Effect):
    params = ("alpha",)
    identity = {"alpha": 1.0}

    def __init__(self, ctx, source):
        self.pass_ = ctx.add("post-alpha", "alpha.frag.glsl", {"src": source})
        self.output = self.pass_.texture
        self.passes = self.inputs = [self.pass_]

    def apply(self, values):
        self.pass_.set(alpha=values["alpha"])
