"""Post "Custom Parameter": a user GLSL snippet driven by one slider.

The snippet is the body of ``vec3 custom_effect(vec3 color, float value, vec2 uv)``.
A snippet that does not compile leaves the previous shader running; the compiler's
message is returned for the app to show. Before it reaches the compiler a snippet is
checked: no preprocessor lines (Panda3D's ``#pragma include`` would read files from
disk), no ``main``, braces that never close the function early, and a size cap.
"""
import re

from panda3d.core import Shader

from game.render.gfx import FULLSCREEN_VERT, read_shader_source, shader_compile_errors
from game.render.post.base import Effect

MARKER = "//@SNIPPET@"
MAX_SNIPPET_CHARS = 20_000
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?(\*/|$)", re.S)


def check_snippet(snippet: str) -> str | None:
    """Why ``snippet`` may not be compiled as the body of ``custom_effect``, or None."""
    if not snippet.strip():
        return "the snippet is empty: write the body of custom_effect(color, value, uv)"
    if len(snippet) > MAX_SNIPPET_CHARS:
        return f"the snippet is {len(snippet)} characters long (at most {MAX_SNIPPET_CHARS})"
    code = _COMMENTS.sub(" ", snippet)
    for line in code.splitlines():
        if line.lstrip().startswith("#"):
            return f"preprocessor lines are not allowed in a snippet: {line.strip()[:60]}"
    if re.search(r"\bmain\s*\(", code):
        return "a snippet may not define or call main(): it is the body of custom_effect()"
    depth = 0
    for ch in code:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "unbalanced '}': a snippet may not close custom_effect() early"
    if depth:
        return "unbalanced '{': every block the snippet opens must close"
    return None


def default_snippet() -> str:
    return read_shader_source("custom_default.snippet.glsl")


def build_source(snippet: str) -> str:
    template = read_shader_source("custom.frag.glsl")
    if MARKER not in template:
        raise RuntimeError("custom.frag.glsl lost its snippet marker")
    return template.replace(MARKER, snippet.rstrip() + "\n", 1)


class CustomEffect(Effect):
    params = ("custom",)

    def __init__(self, ctx, source):
        self.gsg = ctx.host.getGsg()
        self.snippet = default_snippet()
        shader = self._make(self.snippet)
        self.pass_ = ctx.add("post-custom", shader, {"src": source})
        self.output = self.pass_.texture
        self.passes = self.inputs = [self.pass_]

    def apply(self, values):
        self.pass_.set(custom=float(values["custom"]))

    def is_identity(self, values) -> bool:
        # Only the default snippet is known to be the identity (contrast 1).
        return self.snippet == default_snippet() and float(values["custom"]) == 1.0

    def set_snippet(self, snippet: str) -> str | None:
        """Compile ``snippet``; on success use it and return None, else return the error."""
        problem = check_snippet(snippet)
        if problem:
            return problem
        shader = self._make(snippet)
        errors = shader_compile_errors(shader, self.gsg)
        if errors:
            return "\n".join(errors)
        self.snippet = snippet
        self.pass_.set_shader(shader)
        return None

    @staticmethod
    def _make(snippet: str) -> Shader:
        vert = read_shader_source(FULLSCREEN_VERT)
        return Shader.make(Shader.SL_GLSL, vert, build_source(snippet))
