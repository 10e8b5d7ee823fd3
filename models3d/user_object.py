"""The user's own 3D object: an OBJ with separate diffuse and
alpha textures, or a glTF/GLB file, turned into a MorphPair (both halves equal).

Object spec: ``PATH`` or ``PATH|diffuse=IMAGE|alpha=IMAGE``; textures given in the
spec win over the MTL's map_Kd / map_d. A missing or unreadable texture is a clear
error; no texture at all means a white object.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from models3d.mesh import AssetError, MorphPair
from models3d.textures import load_texture

FILL = 0.65
FOV_DEG = 40.0


def parse_spec(spec: str) -> tuple[Path, dict[str, Path]]:
    head, *opts = spec.split("|")
    extra = {}
    for opt in opts:
        key, _, value = opt.partition("=")
        if key not in ("diffuse", "alpha") or not value:
            raise AssetError(f"object option {opt!r}: expected diffuse=IMAGE or alpha=IMAGE")
        extra[key] = Path(value)
    return Path(head), extra


def load_user_object(spec: str | Path) -> MorphPair:
    path, extra = parse_spec(str(spec))
    suffix = path.suffix.lower()
    if not path.is_file():
        raise AssetError(f"3D file not found: {path}")
    if suffix == ".obj":
        from models3d.obj_loader import parse_obj

        mesh = parse_obj(path)
        pos, uvs, normals, idx = mesh.positions, mesh.uvs, mesh.normals, mesh.indices
        diffuse, alpha = extra.get("diffuse", mesh.diffuse), extra.get("alpha", mesh.alpha)
    elif suffix in (".gltf", ".glb"):
        from models3d.gltf_loader import load_gltf

        pos, uvs, normals, idx, diffuse_img = load_gltf(path)
        diffuse, alpha = extra.get("diffuse"), extra.get("alpha")
        if diffuse is None and diffuse_img is not None:
            diffuse = diffuse_img
    else:
        raise AssetError(f"{path.name}: unsupported 3D format {suffix or '(none)'}; use .obj, .gltf or .glb")
    return make_pair(path.stem, pos, uvs, normals, idx, diffuse, alpha)


def make_pair(name, pos, uvs, normals, idx, diffuse, alpha) -> MorphPair:
    pos = normalise(pos)
    if uvs is None:
        uvs = spherical_uvs(pos)
    if normals is None:
        from models3d.primitives import vertex_normals

        normals = vertex_normals(pos, idx)
    normals = _unit(normals)
    tex = _texture(diffuse, "RGB") if diffuse is not None else np.full((4, 4, 3), 255, np.uint8)
    if isinstance(alpha, np.ndarray):
        alpha_img = alpha
    else:
        alpha_img = _texture(alpha, "L", size=tex.shape[0]) if alpha is not None else None
    return MorphPair(
        name=name, labels=(name, name), morph_label="Morph",
        positions_a=pos, positions_b=pos.copy(), normals_a=normals, normals_b=normals.copy(),
        uvs=np.asarray(uvs, np.float32), indices=np.asarray(idx, np.uint32),
        texture_a=tex, texture_b=tex.copy(), alpha=alpha_img,
        camera={"yaw": -45.0, "pitch": -12.0, "distance": framing_distance(pos)},
        source=f"user file {name}")


def _texture(src, mode, size=None):
    if isinstance(src, np.ndarray):
        return src
    return load_texture(Path(src), mode, size)


def normalise(pos: np.ndarray) -> np.ndarray:
    """Centre the bounding box at the origin and scale its largest side to 1."""
    pos = np.asarray(pos, np.float64)
    lo, hi = pos.min(0), pos.max(0)
    extent = float((hi - lo).max())
    if not math.isfinite(extent) or extent <= 0:
        raise AssetError("the object has no extent (all vertices in one point)")
    return ((pos - (lo + hi) / 2) / extent).astype(np.float32)


def framing_distance(pos: np.ndarray) -> float:
    radius = float(np.linalg.norm(pos, axis=1).max())
    return round(radius / (FILL * math.tan(math.radians(FOV_DEG / 2))), 3)


def spherical_uvs(pos: np.ndarray) -> np.ndarray:
    d = pos / np.maximum(np.linalg.norm(pos, axis=1, keepdims=True), 1e-9)
    u = 0.5 + np.arctan2(d[:, 1], d[:, 0]) / (2 * math.pi)
    v = 0.5 + np.arcsin(np.clip(d[:, 2], -1, 1)) / math.pi
    return np.stack([u, v], 1).astype(np.float32)


def _unit(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, np.float32)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return np.where(length > 1e-12, n / np.maximum(length, 1e-12), np.array([0, 0, 1], np.float32))
