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


def resolve_feature_plane(spec: str) -> MorphPair:
    """The Feat. Vis. plane: an image file for now; ``<layer>:<channel>`` names come
    with the feature-visualisation cache (nets/)."""
    from models3d.feature_plane import plane_pair
    from models3d.textures import load_texture

    if not looks_like_path(spec) and ":" in spec:
        raise AssetError(f"feature visualisation {spec!r}: no cached visualisation for "
                         "<layer>:<channel> yet; give an image file instead")
    return plane_pair(load_texture(Path(spec), "RGB"), name=Path(spec).stem)


def resolve_background(spec: str) -> np.ndarray:
    if looks_like_path(spec):
        return load_background_file(Path(spec))
    from models3d import catalog

    return catalog.load_background(spec)


def load_background_file(path: Path) -> np.ndarray:
    """Any image file -> a square power-of-two RGB image (centre crop, then resize)."""
    from models3d.textures import load_square_image

    return load_square_image(path, BACKGROUND_SIZE)
