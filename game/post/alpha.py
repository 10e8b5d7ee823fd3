from game.post.base import Effect


class Alpha(Effect):
    params = ("alpha",)

    def __init__(self, ctx, source):
        self.pass_ = ctx.add("post-alpha", "alpha.frag.glsl", {"src": source})
        self.output = self.pass_.texture

    def apply(self, values):
        self.pass_.set(alpha=values["alpha"])
