"""Wavefront OBJ (+ MTL) -> arrays, in plain numpy.

Handles polygons (fan-triangulated), negative indices, missing UVs (spherical
projection) and missing normals (computed). Anything unusable raises AssetError
with the line number.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models3d.mesh import AssetError

MAX_FILE_BYTES = 300_000_000
MAX_MTL_BYTES = 10_000_000
MAX_MTLLIBS = 16
MAX_CORNERS = 6_000_000


@dataclass
class ObjMesh:
    positions: np.ndarray        # (N, 3) float32, one row per unique corner
    uvs: np.ndarray | None       # (N, 2) or None when the file has none
    normals: np.ndarray | None   # (N, 3) or None
    indices: np.ndarray          # (M, 3) uint32
    diffuse: Path | None         # map_Kd of the first material that has one
    alpha: Path | None           # map_d


def _index(token: str, count: int, line_no: int, what: str) -> int:
    i = int(token)
    i = i - 1 if i > 0 else count + i
    if not 0 <= i < count:
        raise AssetError(f"line {line_no}: {what} index {token} is out of range (have {count})")
    return i


def parse_obj(path: Path) -> ObjMesh:
    path = Path(path)
    if not path.is_file():
        raise AssetError(f"3D file not found: {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise AssetError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    v, vt, vn = [], [], []
    corners: dict[tuple, int] = {}
    corner_list: list[tuple] = []
    tris: list[tuple[int, int, int]] = []
    mtllibs: list[str] = []
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        raise AssetError(f"cannot read {path.name}: {exc}") from None
    for line_no, raw in enumerate(text.splitlines(), 1):
        parts = raw.split("#", 1)[0].split()
        if not parts:
            continue
        tag, args = parts[0], parts[1:]
        try:
            if tag == "v":
                v.append([float(a) for a in args[:3]])
                if len(v[-1]) != 3:
                    raise ValueError("a vertex needs x y z")
            elif tag == "vt":
                vt.append([float(a) for a in (args + ["0"])[:2]])
            elif tag == "vn":
                vn.append([float(a) for a in args[:3]])
            elif tag == "f":
                if len(args) < 3:
                    raise ValueError("a face needs at least 3 corners")
                ids = []
                for a in args:
                    f = (a.split("/") + ["", ""])[:3]
                    key = (_index(f[0], len(v), line_no, "vertex"),
                           _index(f[1], len(vt), line_no, "uv") if f[1] else -1,
                           _index(f[2], len(vn), line_no, "normal") if f[2] else -1)
                    if key not in corners:
                        corners[key] = len(corner_list)
                        corner_list.append(key)
                    ids.append(corners[key])
                tris += [(ids[0], ids[k], ids[k + 1]) for k in range(1, len(ids) - 1)]
                if len(corner_list) > MAX_CORNERS:
                    raise AssetError(f"{path.name} has more than {MAX_CORNERS} vertices")
            elif tag == "mtllib":
                mtllibs.append(" ".join(args))
        except AssetError:
            raise
        except ValueError as exc:
            raise AssetError(f"{path.name} line {line_no}: cannot parse {raw.strip()[:60]!r} ({exc})") from None
    if not tris:
        raise AssetError(f"{path.name} has no faces: is it a Wavefront OBJ file?")
    c = np.array(corner_list, dtype=np.int64)
    pos = np.asarray(v, np.float32)[c[:, 0]]
    has_uv = bool(vt) and (c[:, 1] >= 0).all()
    has_n = bool(vn) and (c[:, 2] >= 0).all()
    diffuse, alpha = _materials(path, mtllibs)
    if not np.isfinite(pos).all():
        raise AssetError(f"{path.name} has non-finite vertex coordinates")
    return ObjMesh(
        positions=pos,
        uvs=np.asarray(vt, np.float32)[c[:, 1]] if has_uv else None,
        normals=np.asarray(vn, np.float32)[c[:, 2]] if has_n else None,
        indices=np.asarray(tris, np.uint32), diffuse=diffuse, alpha=alpha)


def _materials(obj_path: Path, mtllibs: list[str]) -> tuple[Path | None, Path | None]:
    diffuse = alpha = None
    if len(mtllibs) > MAX_MTLLIBS:
        raise AssetError(f"{obj_path.name} names {len(mtllibs)} material libraries (max {MAX_MTLLIBS})")
    for lib in mtllibs:
        mtl = obj_path.parent / lib
        if not mtl.is_file():
            continue
        if mtl.stat().st_size > MAX_MTL_BYTES:
            raise AssetError(f"{mtl.name} is larger than {MAX_MTL_BYTES // 1_000_000} MB")
        try:
            text = mtl.read_text(errors="replace")
        except OSError as exc:
            raise AssetError(f"cannot read {mtl.name}: {exc}") from None
        for raw in text.splitlines():
            parts = raw.split("#", 1)[0].split()
            if len(parts) < 2:
                continue
            # Options such as "-bm 1" may precede the file name: take the last token.
            if parts[0] == "map_Kd" and diffuse is None:
                diffuse = mtl.parent / parts[-1]
            elif parts[0] in ("map_d", "map_D") and alpha is None:
                alpha = mtl.parent / parts[-1]
    return diffuse, alpha
