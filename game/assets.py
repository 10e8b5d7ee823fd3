"""Resolves the discrete parameters `object` and `background` to assets.

A name picks a built-in (models3d.catalog); a path loads the user's file. Every
failure is an AssetError with a message meant for the user.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from models3d.mesh import AssetError, MorphPair

BACKGROUND_SIZE = 1024  # power of two: the mip chain of the blur stays exact
EXTRA_OBJECTS = ("sphere_box",)


def object_names() -> list[str]:
    from models3d import catalog

    return list(catalog.OBJECT_NAMES) + list(EXTRA_OBJECTS)


def background_names() -> list[str]:
    from models3d import catalog

    return list(catalog.BACKGROUND_NAMES)


def looks_like_path(spec: str) -> bool:
    return "/" in spec or "\\" in spec or Path(spec).suffix != ""


def resolve_object(spec: str) -> MorphPair:
    if spec == "sphere_box":
        from models3d.primitives import sphere_box

        return sphere_box()
    if looks_like_path(spec):
        from models3d.user_object import load_user_object

        return load_user_object(Path(spec))
    from models3d import catalog

    return catalog.load_pair(spec)


def resolve_background(spec: str) -> np.ndarray:
    if looks_like_path(spec):
        return load_background_file(Path(spec))
    from models3d import catalog

    return catalog.load_background(spec)


def load_background_file(path: Path) -> np.ndarray:
    """Any image file -> a square power-of-two RGB image (centre crop, then resize)."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise AssetError(f"background file not found: {path}")
    try:
        with Image.open(path) as im:
            im.load()
            img = _to_rgb8(im)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise AssetError(f"cannot read background image {path.name}: {exc}") from None
    w, h = img.size
    if w < 2 or h < 2:
        raise AssetError(f"background image {path.name} is too small ({w}x{h})")
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    img = img.crop((left, top, left + side, top + side))
    img = img.resize((BACKGROUND_SIZE, BACKGROUND_SIZE), Image.LANCZOS)
    return np.asarray(img, dtype=np.uint8)


def _to_rgb8(im):
    """16-bit, greyscale, palette, alpha: all become 8-bit RGB."""
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        arr = np.clip(arr / peak * 255.0, 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L").convert("RGB")
    if im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) / (hi - lo or 1.0) * 255.0
        return Image.fromarray(arr.astype(np.uint8), "L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (128, 128, 128))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")
