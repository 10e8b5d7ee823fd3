"""numpy <-> Panda3D texture conversions (pure functions; rows are flipped because
textures are stored bottom-up while images are top-down)."""
from __future__ import annotations

import numpy as np
from panda3d.core import SamplerState, Texture


def numpy_to_texture(image: np.ndarray, name: str = "image", mipmaps: bool = False,
                     tex: Texture | None = None, anisotropy: int = 4) -> Texture:
    """(H, W), (H, W, 3) or (H, W, 4) uint8 image -> Texture (RGB / RGBA / luminance).

    ``mipmaps``: trilinear with ``anisotropy`` (for surfaces seen at an angle; a picture
    facing the screen gains nothing from it and a software rasteriser pays for it)."""
    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise TypeError(f"expected a uint8 image, got {img.dtype}")
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected an (H, W[, 1|3|4]) image, got shape {image.shape}")
    h, w, c = img.shape
    fmt = {1: Texture.F_luminance, 3: Texture.F_rgb, 4: Texture.F_rgba}[c]
    order = {1: "G", 3: "RGB", 4: "RGBA"}[c]
    tex = tex or Texture(name)
    tex.setup2dTexture(w, h, Texture.T_unsigned_byte, fmt)
    tex.setRamImageAs(np.ascontiguousarray(img[::-1]).tobytes(), order)
    tex.setWrapU(SamplerState.WM_repeat if mipmaps else SamplerState.WM_clamp)
    tex.setWrapV(SamplerState.WM_repeat if mipmaps else SamplerState.WM_clamp)
    if mipmaps:
        tex.setMinfilter(SamplerState.FT_linear_mipmap_linear)
        tex.setMagfilter(SamplerState.FT_linear)
        tex.setAnisotropicDegree(anisotropy)
    else:
        tex.setMinfilter(SamplerState.FT_linear)
        tex.setMagfilter(SamplerState.FT_linear)
    return tex


def texture_to_numpy(tex: Texture, channels: int = 3) -> np.ndarray:
    """A texture's RAM image -> (H, W, channels) uint8, top row first."""
    if not tex.hasRamImage():
        raise RuntimeError(f"texture {tex.getName()!r} has no RAM image to read")
    order = "RGB" if channels == 3 else "RGBA"
    data = tex.getRamImageAs(order)
    h, w = tex.getYSize(), tex.getXSize()
    arr = np.frombuffer(bytes(data), dtype=np.uint8).reshape(h, w, channels)
    return arr[::-1].copy()

