"""The "Feat. Vis." plane: an image on a square in 3D that
replaces the object, so camera and post effects test the image's invariances."""
from __future__ import annotations

import numpy as np

from models3d.mesh import MorphPair

SIDE = 1.2  # scene units; about the size of the built-in objects


def plane_pair(image: np.ndarray, name: str = "feature_plane") -> MorphPair:
    """A square in the x-z plane facing -y (the yaw-0 camera), image upright."""
    h = SIDE / 2
    pos = np.array([[-h, 0, -h], [h, 0, -h], [h, 0, h], [-h, 0, h]], np.float32)
    uvs = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
    normals = np.tile(np.array([[0, -1, 0]], np.float32), (4, 1))
    idx = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
    return MorphPair(
        name=name, labels=(name, name), morph_label="Morph",
        positions_a=pos, positions_b=pos.copy(), normals_a=normals, normals_b=normals.copy(),
        uvs=uvs, indices=idx, texture_a=image, texture_b=image.copy(),
        camera={"yaw": 0.0, "pitch": 0.0, "distance": 2.6}, source="feature visualisation plane")
