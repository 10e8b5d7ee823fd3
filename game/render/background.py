"""The background behind the object, rendered into its own texture only when it changed.

The background card is a full-screen card under its own orthographic camera: the orbit
camera does not move it, so it depends only on the image, ``background_blur`` and
``background_saturation``. Sampling the (up to 1024²) image with mipmaps and
anisotropic filtering costs a software rasteriser milliseconds a frame, so the card
renders into a texture of the frame's size only when one of those three changed, and
the scene's first display region copies that texture texel for texel (``copy.frag.glsl``
with ``texelFetch``): the frame is bit-identical to drawing the card into the scene.

``cached=False`` draws the card straight into the scene every frame (the reference).
"""
from __future__ import annotations

import numpy as np
from panda3d.core import GraphicsOutput, NodePath, Texture

from game.core.texconv import numpy_to_texture
from game.render.gfx import fullscreen_card, load_shader, make_buffer, max_lod, ortho_camera

PARAMS = ("background_blur", "background_saturation")


class BackgroundPass:
    """The background card, drawn into ``scene_buffer``'s display region of ``sort``."""

    def __init__(self, host, scene_buffer: GraphicsOutput, size: tuple[int, int], sort: int,
                 cached: bool = True):
        self.root = NodePath("background-root")
        self.card = fullscreen_card(self.root, "background")
        self.card.setShader(load_shader("background.frag.glsl"))
        self.cached = cached
        self.buffer = None
        self._texture = None
        self._image = 0        # bumped with every new image
        self._values = ()      # (blur, saturation) of the next frame
        self._held = None      # (image, blur, saturation) the texture holds
        self._rendering = None  # ... the armed pass renders this frame
        self._armed = True     # new buffers start active
        if not cached:
            ortho_camera(scene_buffer, self.root, "background-cam", sort=sort)
            return
        # Rendered before the scene buffer (a lower sort), and only when armed.
        self.buffer, self.texture = make_buffer(host, "background", size,
                                                scene_buffer.getSort() - 1)
        ortho_camera(self.buffer, self.root, "background-cam")
        self.copy_root = NodePath("background-copy-root")
        ortho_camera(scene_buffer, self.copy_root, "background-copy-cam", sort=sort)
        copy = fullscreen_card(self.copy_root, "background-copy")
        copy.setShader(load_shader("copy.frag.glsl"))
        copy.setShaderInput("src", self.texture)

    def set_image(self, image: np.ndarray) -> None:
        self.set_texture(numpy_to_texture(image, "background", mipmaps=True), max_lod(image.shape))

    def set_texture(self, tex: Texture, lod: float) -> None:
        """Show ``tex`` (mipmapped; ``lod`` its coarsest level, see ``max_lod``)."""
        if self._texture is not None and self._texture[0] is tex and self._texture[1] == lod:
            return
        self._texture = (tex, lod)
        self.card.setShaderInput("background", tex)
        self.card.setShaderInput("max_lod", lod)
        self._image += 1

    def apply(self, values: dict) -> None:
        for name in PARAMS:
            self.card.setShaderInput(name, float(values[name]))
        self._values = tuple(float(values[name]) for name in PARAMS)

    def _key(self) -> tuple:
        return (self._image, *self._values)

    @property
    def stale(self) -> bool:
        """The texture does not hold the background of the next frame."""
        return self.cached and self._key() != self._held

    def arm(self, active: bool) -> None:
        """The scene renders this frame (``active``): render the background too if stale.

        Called every frame; touches the buffer only when its state changes."""
        armed = active and self.stale
        self._rendering = self._key() if armed else None
        if self.buffer is not None and armed != self._armed:
            self.buffer.setActive(armed)
            self._armed = armed

    def rendered(self) -> None:
        """The frame armed last was rendered and read back, the background with it (a
        change after ``arm`` leaves the texture stale: it renders again next time)."""
        if self._rendering is not None:
            self._held = self._rendering

    def destroy(self) -> None:
        if self.buffer is not None:
            self.buffer.getEngine().removeWindow(self.buffer)
            self.copy_root.removeNode()
        self.root.removeNode()
