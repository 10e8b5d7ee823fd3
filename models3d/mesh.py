"""The contract between asset code and the renderer: a morphable mesh pair.

Both shapes share one index buffer and one UV layout, so the GPU blends positions
(shape) and textures (texture) independently. Plain numpy, no panda3d.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class AssetError(ValueError):
    """An asset that cannot be used; the message says why, for the user."""


@dataclass
class MorphPair:
    name: str                 # e.g. "dog_cat"
    labels: tuple[str, str]   # ("dog", "cat"): what morph 0 and morph 1 are
    morph_label: str          # the thesis' group name, e.g. "Catness"
    positions_a: np.ndarray   # (N, 3) float32, z up, object centred at the origin
    positions_b: np.ndarray   # (N, 3) float32
    normals_a: np.ndarray     # (N, 3) float32, unit length
    normals_b: np.ndarray     # (N, 3) float32
    uvs: np.ndarray           # (N, 2) float32, shared by both textures
    indices: np.ndarray       # (M, 3) uint32 triangles, shared
    texture_a: np.ndarray     # (H, W, 3|4) uint8, H and W powers of two
    texture_b: np.ndarray     # (H, W, 3|4) uint8, same shape as texture_a
    alpha: np.ndarray | None = None   # (H, W) uint8 separate alpha texture, optional
    camera: dict = field(default_factory=dict)  # preferred camera params (yaw, pitch, distance)
    background: str = "lawn"  # matching background name
    source: str = "procedural (models3d)"

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        n = len(self.positions_a)
        for label, arr, cols in (
            ("positions_a", self.positions_a, 3), ("positions_b", self.positions_b, 3),
            ("normals_a", self.normals_a, 3), ("normals_b", self.normals_b, 3),
            ("uvs", self.uvs, 2),
        ):
            if arr.ndim != 2 or arr.shape != (n, cols):
                raise AssetError(f"{self.name}: {label} has shape {arr.shape}, expected ({n}, {cols})")
            if not np.isfinite(arr).all():
                raise AssetError(f"{self.name}: {label} contains NaN or infinite values")
        if self.indices.ndim != 2 or self.indices.shape[1] != 3 or len(self.indices) == 0:
            raise AssetError(f"{self.name}: indices must be a non-empty (M, 3) triangle list")
        if self.indices.max() >= n or self.indices.min() < 0:
            raise AssetError(f"{self.name}: an index points past the {n} vertices")
        if self.texture_a.shape != self.texture_b.shape:
            raise AssetError(f"{self.name}: the two textures differ in shape "
                             f"{self.texture_a.shape} vs {self.texture_b.shape}")

    def blended_positions(self, t: float) -> np.ndarray:
        """What the morph vertex shader computes, on the CPU (for tests and framing)."""
        return (self.positions_a * (1.0 - t) + self.positions_b * t).astype(np.float32)
