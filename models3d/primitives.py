"""A simple morph pair (sphere <-> rounded box) with shared topology and UVs.

Used by tests and as a neutral object: exact, tiny, and quick to build.
"""
from __future__ import annotations

import numpy as np

from models3d.mesh import MorphPair


def uv_grid(n_u: int, n_v: int):
    """A (n_v+1) x (n_u+1) vertex grid's UVs and its triangle indices."""
    u, v = np.meshgrid(np.linspace(0, 1, n_u + 1), np.linspace(0, 1, n_v + 1))
    uvs = np.stack([u.ravel(), v.ravel()], -1).astype(np.float32)
    idx = []
    w = n_u + 1
    for j in range(n_v):
        for i in range(n_u):
            a, b, c, d = j * w + i, j * w + i + 1, (j + 1) * w + i, (j + 1) * w + i + 1
            idx += [(a, b, d), (a, d, c)]
    return uvs, np.array(idx, dtype=np.uint32)


def vertex_normals(pos: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Smooth normals with coincident vertices (UV seams, poles) welded."""
    from models3d.geometry import vertex_normals as welded

    return welded(np.asarray(pos, np.float32), np.asarray(idx, np.int64),
                  np.zeros(len(pos), np.int64))


def checker_texture(size: int = 256, cells: int = 8, c0=(230, 60, 40), c1=(40, 80, 220)) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size] * cells // size
    mask = ((x + y) % 2).astype(bool)[..., None]
    return np.where(mask, np.array(c1, np.uint8), np.array(c0, np.uint8)).astype(np.uint8)


def sphere_box(n_u: int = 48, n_v: int = 24, radius: float = 0.5) -> MorphPair:
    uvs, idx = uv_grid(n_u, n_v)
    theta = uvs[:, 0] * 2 * np.pi          # around z
    phi = (uvs[:, 1] - 0.5) * np.pi        # -pi/2 (bottom) .. pi/2 (top)
    d = np.stack([np.cos(phi) * np.cos(theta), np.cos(phi) * np.sin(theta), np.sin(phi)], -1)
    sphere = (radius * d).astype(np.float32)
    # Rounded box: push the directions out towards the cube with an L8 norm.
    box = (radius * d / np.linalg.norm(d, ord=8, axis=1, keepdims=True)).astype(np.float32)
    # The UV seam duplicates vertices: fine for shading, and the poles are degenerate rows.
    return MorphPair(
        name="sphere_box", labels=("sphere", "box"), morph_label="Boxness",
        positions_a=sphere, positions_b=box,
        normals_a=d.astype(np.float32), normals_b=vertex_normals(box, idx),
        uvs=uvs, indices=idx,
        texture_a=checker_texture(), texture_b=checker_texture(c0=(250, 220, 40), c1=(30, 140, 60)),
        camera={"yaw": -30.0, "pitch": -15.0, "distance": 2.4}, background="lawn",
    )
