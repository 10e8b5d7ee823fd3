from game.post.base import Effect


class Saturation(Effect):
    params = ("saturation",)

    def __init__(self, ctx, source):
        self.pass_ = ctx.add("post-saturation", "saturation.frag.glsl", {"src": source})
        self.output = self.pass_.texture

    def apply(self, values):
        self.pass_.set(saturation=values["saturation"])
