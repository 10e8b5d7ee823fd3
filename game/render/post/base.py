"""A render-to-texture pass: a fullscreen card with one fragment shader."""
from __future__ import annotations

from panda3d.core import NodePath, Shader, Texture

from game.render.gfx import fullscreen_card, load_shader, make_buffer, ortho_camera


class Pass:
    def __init__(self, ctx: "PassContext", name: str, frag: str | Shader,
                 inputs: dict[str, Texture], float_color: bool = True, to_ram: bool = False):
        self.name = name
        self.buffer, self.texture = make_buffer(
            ctx.host, name, ctx.size, ctx.next_sort(), float_color=float_color, to_ram=to_ram)
        self.root = NodePath(name)
        ortho_camera(self.buffer, self.root, f"{name}-cam")
        self.card = fullscreen_card(self.root)
        self.card.setShader(frag if isinstance(frag, Shader) else load_shader(frag))
        for key, tex in inputs.items():
            self.card.setShaderInput(key, tex)

    def set(self, **uniforms) -> None:
        for key, value in uniforms.items():
            self.card.setShaderInput(key, value)

    def set_shader(self, shader: Shader) -> None:
        self.card.setShader(shader)

    def destroy(self) -> None:
        self.buffer.getEngine().removeWindow(self.buffer)
        self.root.removeNode()


class PassContext:
    """Where passes live: the host window/GSG, the frame size and the render order."""

    def __init__(self, host, size: tuple[int, int], first_sort: int):
        self.host = host
        self.size = size
        self._sort = first_sort
        self.passes: list[Pass] = []

    def next_sort(self) -> int:
        self._sort += 1
        return self._sort

    def add(self, *args, **kwargs) -> Pass:
        p = Pass(self, *args, **kwargs)
        self.passes.append(p)
        return p


class Effect:
    """One post effect: reads the parameters named in ``params``; ``output`` is its result.

    ``identity`` holds the parameter values at which the effect changes nothing: the
    chain then skips its passes (no GPU work) and routes around it.
    """

    params: tuple[str, ...] = ()
    identity: dict = {}
    output: Texture
    passes: list[Pass]
    inputs: list[Pass]  # the passes that read the effect's source as "src"

    def apply(self, values: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def is_identity(self, values: dict) -> bool:
        return all(float(values[k]) == v for k, v in self.identity.items())

    def set_source(self, tex: Texture) -> None:
        for p in self.inputs:
            p.set(src=tex)

    def set_active(self, active: bool) -> None:
        for p in self.passes:
            p.buffer.setActive(active)
