"""Small Panda3D building blocks: offscreen targets, fullscreen passes, shader loading."""
from __future__ import annotations

import math
from pathlib import Path

from panda3d.core import (
    Camera, CardMaker, FrameBufferProperties, GraphicsOutput, GraphicsPipe, NodePath,
    OrthographicLens, SamplerState, Shader, Texture, WindowProperties,
)


from game.core.paths import SHADER_DIR

FULLSCREEN_VERT = "fullscreen.vert.glsl"


def shader_path(name: str) -> Path:
    path = SHADER_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"shader file {path} is missing")
    return path


def load_shader(frag: str, vert: str = FULLSCREEN_VERT, defines: tuple[str, ...] = ()) -> Shader:
    """``vert`` + ``frag`` from ``shaders/``; ``defines``: names #defined in the fragment
    shader (after its ``#version`` line), for its ``#ifdef`` variants."""
    if defines:
        lines = read_shader_source(frag).splitlines(keepends=True)
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("#version")), 0)
        lines[at:at] = [f"#define {name}\n" for name in defines]
        shader = Shader.make(Shader.SL_GLSL, vertex=read_shader_source(vert),
                             fragment="".join(lines))
    else:
        shader = Shader.load(Shader.SL_GLSL, vertex=str(shader_path(vert)),
                             fragment=str(shader_path(frag)))
    if shader is None:
        raise RuntimeError(f"could not load shader {vert} + {frag} {' '.join(defines)}")
    return shader


def read_shader_source(name: str) -> str:
    return shader_path(name).read_text()


def max_lod(image_shape) -> float:
    """The mip level at which an image of ``image_shape`` is one texel."""
    return float(math.log2(max(image_shape[0], image_shape[1])))


def make_texture(name: str, float_color: bool) -> Texture:
    tex = Texture(name)
    tex.setWrapU(SamplerState.WM_clamp)
    tex.setWrapV(SamplerState.WM_clamp)
    # Nearest: every pass reads texel centres, so filtering must not mix neighbours.
    tex.setMinfilter(SamplerState.FT_nearest)
    tex.setMagfilter(SamplerState.FT_nearest)
    if float_color:
        tex.setFormat(Texture.F_rgba16)
        tex.setComponentType(Texture.T_half_float)
    return tex


def make_buffer(host: GraphicsOutput, name: str, size: tuple[int, int], sort: int,
                float_color: bool = False, depth: bool = False, to_ram: bool = False):
    """An offscreen buffer sharing ``host``'s GSG, rendering into a new texture."""
    fbp = FrameBufferProperties()
    fbp.setRgbColor(True)
    fbp.setAlphaBits(8 if not float_color else 16)
    fbp.setColorBits(24 if not float_color else 48)
    if float_color:
        fbp.setFloatColor(True)
    fbp.setDepthBits(24 if depth else 0)
    props = WindowProperties.size(*size)
    engine = host.getEngine()
    buf = engine.makeOutput(
        host.getPipe(), name, sort, fbp, props,
        GraphicsPipe.BF_refuse_window | GraphicsPipe.BF_resizeable,
        host.getGsg(), host,
    )
    if buf is None:
        raise RuntimeError(f"could not create offscreen buffer {name!r} {size}")
    tex = make_texture(name, float_color)
    mode = GraphicsOutput.RTM_copy_ram if to_ram else GraphicsOutput.RTM_bind_or_copy
    buf.addRenderTexture(tex, mode, GraphicsOutput.RTP_color)
    buf.setClearColorActive(True)
    buf.setClearColor((0, 0, 0, 1))
    return buf, tex


def ortho_camera(buf: GraphicsOutput, scene: NodePath, name: str, sort: int = 0) -> NodePath:
    """A display region on ``buf`` looking at ``scene`` through a -1..1 orthographic lens."""
    lens = OrthographicLens()
    lens.setFilmSize(2, 2)
    lens.setNearFar(-10, 10)
    cam = scene.attachNewNode(Camera(name, lens))
    region = buf.makeDisplayRegion()
    region.setSort(sort)
    region.setCamera(cam)
    return cam


def fullscreen_card(parent: NodePath, name: str = "card") -> NodePath:
    cm = CardMaker(name)
    cm.setFrame(-1, 1, -1, 1)
    cm.setUvRange((0, 0), (1, 1))
    card = parent.attachNewNode(cm.generate())
    card.setPos(0, 1, 0)  # in front of the ortho camera (it looks along +y)
    card.setDepthTest(False)
    card.setDepthWrite(False)
    return card


def shader_compile_errors(shader: Shader, gsg) -> list[str]:
    """Compile ``shader`` now on ``gsg``; return the compiler's messages if it failed."""
    from panda3d.core import LineStream, Notify

    stream = LineStream()
    notify = Notify.ptr()
    previous = notify.getOstreamPtr()
    notify.setOstreamPtr(stream, False)
    try:
        ok = shader.prepareNow(gsg.getPreparedObjects(), gsg) is not None and not shader.getErrorFlag()
    finally:
        notify.setOstreamPtr(previous, False)
    lines = []
    while stream.isTextAvailable():
        lines.append(stream.getLine())
    if ok:
        return []
    return [ln for ln in lines if ln.strip()] or ["shader failed to compile (no message from the driver)"]
