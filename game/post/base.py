"""A render-to-texture pass: a fullscreen card with one fragment shader."""
from __future__ import annotations

from panda3d.core import NodePath, Shader, Texture

from game.gfx import fullscreen_card, load_shader, make_buffer, ortho_camera


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
    """One post effect: reads the parameters named in ``params``; ``output`` is its result."""

    params: tuple[str, ...] = ()
    output: Texture

    def apply(self, values: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
