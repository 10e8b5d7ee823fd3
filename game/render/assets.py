"""Resolves the discrete parameters `object`, `background` and `feat_vis` to assets.

A name picks a built-in (models3d.catalog); a path loads the user's file. Every
failure is an AssetError with a message meant for the user.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Optional

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
    head = spec.split("|", 1)[0]
    return "/" in head or "\\" in head or Path(head).suffix != ""


def resolve_object(spec: str) -> MorphPair:
    if spec == "sphere_box":
        from models3d.primitives import sphere_box

        return sphere_box()
    if looks_like_path(spec):
        from models3d.user_object import load_user_object

        return load_user_object(spec)
    from models3d import catalog

    return catalog.load_pair(spec)


# "block13:42", "features.13:7", "logit:281"; never a path (no slash, no extension).
_FEATURE_SPEC = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*:\d+")
PLACEHOLDER_SOURCE = "feature visualisation placeholder"
FeatureSource = Callable[[str], Optional[np.ndarray]]


def is_feature_spec(spec: str) -> bool:
    """True for ``<layer>:<channel>`` (or ``logit:<class>``), False for an image path."""
    return bool(_FEATURE_SPEC.fullmatch(spec.strip())) and not Path(spec).is_file()


def resolve_feature_plane(spec: str, source: FeatureSource | None = None) -> MorphPair:
    """The Feat. Vis. plane for an image file or ``<layer>:<channel>``.

    ``source(spec)`` gives the visualisation of a ``<layer>:<channel>``: an (H, W, 3)
    image, or None while it is being made (the plane then shows a placeholder, see
    :func:`is_placeholder`); it raises ValueError (or RuntimeError) for a bad spec.
    Without a source (no models, e.g. a headless render) such a spec is an AssetError.
    """
    from models3d.feature_plane import plane_pair
    from models3d.textures import load_texture

    if is_feature_spec(spec):
        if source is None:
            raise AssetError(f"feature visualisation {spec!r}: <layer>:<channel> needs the "
                             "app's models; make an image with `perturber featvis ... --out "
                             "FILE.png` and give that file")
        try:
            image = source(spec.strip())
        except (ValueError, KeyError, RuntimeError) as exc:
            raise AssetError(str(exc).strip("'\"")) from None
        if image is None:
            pair = plane_pair(placeholder_image(), name=spec.strip())
            pair.source = PLACEHOLDER_SOURCE
            return pair
        return plane_pair(square_pot(image), name=spec.strip())
    return plane_pair(load_texture(Path(spec), "RGB"), name=Path(spec).stem)


def is_placeholder(pair: MorphPair | None) -> bool:
    return pair is not None and pair.source == PLACEHOLDER_SOURCE


def placeholder_image(size: int = 64) -> np.ndarray:
    """A quiet grey checkerboard: "a picture comes here"."""
    y, x = np.mgrid[0:size, 0:size] // (size // 8)
    grey = np.where((x + y) % 2 == 0, 96, 72).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def square_pot(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) image in [0, 1] or uint8 -> a square power-of-two uint8 texture
    (the texture blur's mip chain stays exact)."""
    from PIL import Image

    from models3d.textures import pot_size

    pixels = np.asarray(image)
    if pixels.dtype != np.uint8:
        pixels = np.round(np.clip(pixels, 0.0, 1.0) * 255).astype(np.uint8)
    h, w = pixels.shape[:2]
    side = pot_size(w, h)
    if (h, w) == (side, side):
        return np.ascontiguousarray(pixels[..., :3])
    return np.asarray(Image.fromarray(pixels[..., :3]).resize((side, side), Image.LANCZOS))


def resolve_background(spec: str) -> np.ndarray:
    if looks_like_path(spec):
        return load_background_file(Path(spec))
    from models3d import catalog

    return catalog.load_background(spec)


def load_background_file(path: Path) -> np.ndarray:
    """Any image file -> a square power-of-two RGB image (centre crop, then resize)."""
    from models3d.textures import load_square_image

    return load_square_image(path, BACKGROUND_SIZE)
