"""The 3D scene rendered into the 224x224 frame: background image + morphing object.

Two display regions on one offscreen buffer: the background (``BackgroundPass``: its
cached texture copied in) first, then the object through the orbit camera. Uniforms
carry parameter names.
"""
from __future__ import annotations

import numpy as np
from panda3d.core import Camera, NodePath, PerspectiveLens, Vec3

from game.render.background import BackgroundPass
from game.render.camera import orbit_pose
from game.render.gfx import load_shader, make_buffer, max_lod
from game.render.morph_geom import build_geom_node
from game.core.texconv import numpy_to_texture
from models3d.mesh import MorphPair

SCENE_PARAMS = ("background_blur", "background_saturation", "texture_influence",
                "texture_blur", "lighting_influence", "shape_morph", "texture_morph")
FOV_DEG = 40.0

# Three lights (key, fill, rim), world space directions towards the light.
LIGHTS = (
    ((-0.4, -0.6, 0.7), (0.75, 0.73, 0.70)),
    ((0.8, -0.3, 0.3), (0.30, 0.31, 0.33)),
    ((0.2, 0.9, 0.5), (0.30, 0.30, 0.30)),
)
AMBIENT = 0.32


class Scene:
    """``cache_background`` False: the background is drawn into the scene every frame."""

    def __init__(self, host, size=(224, 224), sort: int = -100, cache_background: bool = True):
        self.buffer, self.texture = make_buffer(host, "scene", size, sort, depth=True)
        self.buffer.setClearColor((0.5, 0.5, 0.5, 1))
        self.background = BackgroundPass(host, self.buffer, size, sort=0,
                                         cached=cache_background)
        # Object region: clears depth only, so the background stays behind.
        self.root = NodePath("scene-root")
        lens = PerspectiveLens()
        lens.setFov(FOV_DEG, FOV_DEG)
        lens.setNearFar(0.05, 100.0)
        self.camera = self.root.attachNewNode(Camera("scene-cam", lens))
        region = self.buffer.makeDisplayRegion()
        region.setSort(1)
        region.setClearDepthActive(True)
        region.setCamera(self.camera)
        self.object_np: NodePath | None = None
        self.morph_shader = load_shader("morph.frag.glsl", "morph.vert.glsl")
        self.morph_shader_alpha = load_shader("morph.frag.glsl", "morph.vert.glsl",
                                              defines=("ALPHA_TEXTURE",))
        self.pair: MorphPair | None = None
        self._values: dict | None = None
        self.lights, self.ambient = LIGHTS, AMBIENT

    # -- content -----------------------------------------------------------------
    def set_pair(self, pair: MorphPair) -> None:
        node = self.root.attachNewNode(build_geom_node(pair, pair.name))
        node.setTwoSided(True)
        node.setShaderInput("tex_a", numpy_to_texture(pair.texture_a, "tex_a", mipmaps=True))
        node.setShaderInput("tex_b", numpy_to_texture(pair.texture_b, "tex_b", mipmaps=True))
        if pair.alpha is None:
            node.setShader(self.morph_shader)
        else:
            node.setShader(self.morph_shader_alpha)
            node.setShaderInput("alpha_tex", numpy_to_texture(pair.alpha, "alpha", mipmaps=True))
        node.setShaderInput("max_lod", max_lod(pair.texture_a.shape))
        if self.object_np is not None:
            self.object_np.removeNode()
        self.object_np = node
        self.pair = pair
        self.set_lights(self.lights, self.ambient)
        if self._values is not None:
            self.apply(self._values)

    def set_lights(self, lights=LIGHTS, ambient: float = AMBIENT) -> None:
        """Three (direction towards the light, colour) pairs in world space and the ambient
        level, kept for later objects (the defaults: the app's lights)."""
        self.lights, self.ambient = tuple(lights), float(ambient)
        if self.object_np is not None:
            self.object_np.setShaderInput("light_dir", [Vec3(*d) for d, _ in self.lights])
            self.object_np.setShaderInput("light_color", [Vec3(*c) for _, c in self.lights])
            self.object_np.setShaderInput("ambient", self.ambient)

    def set_background(self, image: np.ndarray) -> None:
        self.background.set_image(image)

    # -- parameters ------------------------------------------------------------
    def apply(self, values: dict) -> None:
        self._values = dict(values)
        self.background.apply(values)
        pos, hpr = orbit_pose(values)
        self.camera.setPos(*pos)
        self.camera.setHpr(*hpr)
        if self.object_np is not None:
            for name in SCENE_PARAMS[2:]:
                self.object_np.setShaderInput(name, float(values[name]))
            self.object_np.setShaderInput("camera_pos", Vec3(*pos))

    def destroy(self) -> None:
        self.buffer.getEngine().removeWindow(self.buffer)
        self.root.removeNode()
        self.background.destroy()
