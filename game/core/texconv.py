"""numpy <-> Panda3D texture conversions (pure functions; rows are flipped because
textures are stored bottom-up while images are top-down)."""
from __future__ import annotations

import numpy as np
from panda3d.core import SamplerState, Texture


def numpy_to_texture(image: np.ndarray, name: str = "image", mipmaps: bool = False,
                     tex: Texture | None = None, anisotropy: int = 4) -> Texture:
    """(H, W), (H, W, 3) or (H, W, 4) uint8 image -> Texture (RGB / RGBA / luminance).

    ``mipmaps``: trilinear with ``anisotropy`` (for surfaces seen at an angle; a picture
    facing the screen gains nothing from it and a software rasteriser pays for it).

    ``tex``: an existing texture gets the new pixels and keeps its own sampler settings
    (a view's nearest filtering stays); a picture of the same size and kind is copied
    into its RAM image in place, which the GSG then updates instead of re-creating it.
    """
    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise TypeError(f"expected a uint8 image, got {img.dtype}")
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected an (H, W[, 1|3|4]) image, got shape {image.shape}")
    h, w, c = img.shape
    fmt = {1: Texture.F_luminance, 3: Texture.F_rgb, 4: Texture.F_rgba}[c]
    if tex is not None:
        if not _write_in_place(tex, img, fmt):
            _set_image(tex, img, fmt)
        return tex
    tex = Texture(name)
    _set_image(tex, img, fmt)
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


def _set_image(tex: Texture, img: np.ndarray, fmt) -> None:
    h, w, c = img.shape
    tex.setup2dTexture(w, h, Texture.T_unsigned_byte, fmt)
    order = {1: "G", 3: "RGB", 4: "RGBA"}[c]
    tex.setRamImageAs(np.ascontiguousarray(img[::-1]).tobytes(), order)


def _write_in_place(tex: Texture, img: np.ndarray, fmt) -> bool:
    """Copy ``img`` into ``tex``'s RAM image if that has its size and kind; False if not.
    Panda3D keeps RGB(A) RAM images in BGR(A) order, bottom row first."""
    h, w, c = img.shape
    if (tex.getTextureType() != Texture.TT_2d_texture or tex.getXSize() != w
            or tex.getYSize() != h or tex.getFormat() != fmt
            or tex.getComponentType() != Texture.T_unsigned_byte or not tex.hasRamImage()
            or tex.getRamImageCompression() != Texture.CM_off or tex.hasRamMipmapImage(1)):
        return False
    ram = np.frombuffer(memoryview(tex.modifyRamImage()), np.uint8)
    if ram.size != h * w * c:
        return False
    ram = ram.reshape(h, w, c)
    src = img[::-1]
    if c == 1:
        ram[...] = src
    else:
        ram[..., :3] = src[..., 2::-1]
        if c == 4:
            ram[..., 3] = src[..., 3]
    return True


def texture_to_numpy(tex: Texture, channels: int = 3) -> np.ndarray:
    """A texture's RAM image -> (H, W, channels) uint8, top row first."""
    if not tex.hasRamImage():
        raise RuntimeError(f"texture {tex.getName()!r} has no RAM image to read")
    order = "RGB" if channels == 3 else "RGBA"
    data = tex.getRamImageAs(order)
    h, w = tex.getYSize(), tex.getXSize()
    arr = np.frombuffer(bytes(data), dtype=np.uint8).reshape(h, w, channels)
    return arr[::-1].copy()

