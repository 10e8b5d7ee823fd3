from game.post.base import Effect


class Hue(Effect):
    params = ("hue",)

    def __init__(self, ctx, source):
        self.pass_ = ctx.add("post-hue", "hue.frag.glsl", {"src": source})
        self.output = self.pass_.texture

    def apply(self, values):
        self.pass_.set(hue=values["hue"])
