"""Shared machinery for procedural morph pairs: parametric parts -> mesh + painted atlas.

A *part* is a pair of vectorised surface functions ``surf(u, v) -> (..., 3)`` (shape A and
shape B) over the unit square, sampled on the same (nu, nv) grid for both shapes, so the
two meshes share topology. Each part owns a rectangle of the texture atlas; the texture is
painted per texel by evaluating the surfaces at the texel's (u, v), so colours can depend
on the 3D position (stripes in world units) and on (u, v) (saddles, rings).

Texture convention: arrays are images in the usual orientation (row 0 = top);
uv (0, 0) is the image's bottom-left, as for textures Panda3D loads from files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Surf = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass
class Part:
    name: str
    surf_a: Surf
    surf_b: Surf
    nu: int
    nv: int
    size: tuple[float, float]   # world extent along u and v (for atlas space)
    closed: bool = True         # a closed surface: orient it outwards by signed volume
    info: dict = field(default_factory=dict)
    rect: tuple[int, int, int, int] | None = None  # x0, y0, w, h texels (y from the bottom)


# ---------------------------------------------------------------- frames and tubes
def _norm(a):
    return a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)


def bezier(ctrl, t):
    """Cubic (or any degree) Bezier through control points ctrl (K, 3) at t (...)."""
    ctrl = np.asarray(ctrl, float)
    k = len(ctrl) - 1
    t = np.asarray(t, float)[..., None]
    from math import comb
    out = 0.0
    for i, c in enumerate(ctrl):
        out = out + comb(k, i) * (1 - t) ** (k - i) * t ** i * c
    return out


def tube(spine, ra, rb, ref=(0.0, 0.0, 1.0), cap=(0.12, 0.12), cap_flat=(1.0, 1.0)):
    """A capsule-like tube along ``spine(t) -> (..., 3)`` for t in [0, 1].

    ``ra(t)``/``rb(t)``: radii along the reference direction N ("up") and the side B.
    u in [0, cap0] is the start cap, [1-cap1, 1] the end cap (hemi-ellipsoids of depth
    r * cap_flat); v goes once around, v = 0 at -N (the seam hides underneath).
    """
    ref = np.asarray(ref, float)

    def surf(u, v):
        u = np.asarray(u, float)
        v = np.asarray(v, float)
        c0, c1 = cap
        t = np.clip((u - c0) / (1 - c0 - c1), 0, 1)
        eps = 1e-3
        p = spine(t)
        tan = _norm(spine(np.clip(t + eps, 0, 1)) - spine(np.clip(t - eps, 0, 1)))
        n = _norm(ref - (tan @ ref)[..., None] * tan)
        b = np.cross(tan, n)
        scale = np.ones_like(u)
        ext = np.zeros_like(u)
        s0 = u < c0
        s1 = u > 1 - c1
        ph0 = (1 - u[s0] / c0) * (np.pi / 2)          # pi/2 at the pole .. 0
        ph1 = (u[s1] - (1 - c1)) / c1 * (np.pi / 2)
        r0 = ra(np.zeros(1))[0]
        r1 = ra(np.ones(1))[0]
        scale[s0] = np.cos(ph0)
        ext[s0] = -np.sin(ph0) * r0 * cap_flat[0]
        scale[s1] = np.cos(ph1)
        ext[s1] = np.sin(ph1) * r1 * cap_flat[1]
        th = np.pi + 2 * np.pi * v
        a = ra(t) * scale
        bb = rb(t) * scale
        return (p + ext[..., None] * tan + (a * np.cos(th))[..., None] * n
                + (bb * np.sin(th))[..., None] * b)
    return surf


def ellipsoid(center, radii, axis=(1.0, 0.0, 0.0), up=(0.0, 0.0, 1.0)):
    """Ellipsoid with semi-axes radii=(along axis, along up, side); u pole to pole."""
    center = np.asarray(center, float)
    ax = _norm(np.asarray(axis, float))
    up = np.asarray(up, float)
    n = _norm(up - (up @ ax) * ax)
    b = np.cross(ax, n)

    def surf(u, v):
        ph = (np.asarray(u, float) - 0.5) * np.pi
        th = np.pi + 2 * np.pi * np.asarray(v, float)
        x = np.sin(ph) * radii[0]
        c = np.cos(ph)
        return (center + x[..., None] * ax + (c * np.cos(th) * radii[1])[..., None] * n
                + (c * np.sin(th) * radii[2])[..., None] * b)
    return surf


def quad(c00, c10, c01, c11):
    """A bilinear patch: u from c00 to c10, v from c00 to c01."""
    c = [np.asarray(x, float) for x in (c00, c10, c01, c11)]

    def surf(u, v):
        u = np.asarray(u, float)[..., None]
        v = np.asarray(v, float)[..., None]
        return (c[0] * (1 - u) * (1 - v) + c[1] * u * (1 - v) + c[2] * (1 - u) * v
                + c[3] * u * v)
    return surf


def box_parts(name, corners_a, corners_b, n=(4, 4, 4), size=None, info=None):
    """Six quad parts of a hexahedron given by 8 corners [x][y][z] (0 = min side).

    corners_*: array (2, 2, 2, 3). Faces are separate parts: flat shading, own texels.
    """
    ca = np.asarray(corners_a, float)
    cb = np.asarray(corners_b, float)
    faces = {  # name: (corner index triples for c00, c10, c01, c11), grid axes
        "px": ((1, 0, 0), (1, 1, 0), (1, 0, 1), (1, 1, 1), 1, 2),
        "nx": ((0, 1, 0), (0, 0, 0), (0, 1, 1), (0, 0, 1), 1, 2),
        "py": ((1, 1, 0), (0, 1, 0), (1, 1, 1), (0, 1, 1), 0, 2),
        "ny": ((0, 0, 0), (1, 0, 0), (0, 0, 1), (1, 0, 1), 0, 2),
        "pz": ((0, 0, 1), (1, 0, 1), (0, 1, 1), (1, 1, 1), 0, 1),
        "nz": ((0, 1, 0), (1, 1, 0), (0, 0, 0), (1, 0, 0), 0, 1),
    }
    ext = np.abs(ca[1, 1, 1] - ca[0, 0, 0])
    parts = []
    for fname, (i00, i10, i01, i11, au, av) in faces.items():
        pa = quad(ca[i00], ca[i10], ca[i01], ca[i11])
        pb = quad(cb[i00], cb[i10], cb[i01], cb[i11])
        sz = (max(ext[au], 0.02), max(ext[av], 0.02)) if size is None else size
        parts.append(Part(f"{name}.{fname}", pa, pb, n[au] + 1, n[av] + 1, sz, closed=False,
                          info=dict(info or {}, face=fname, box=name)))
    return parts


def box_corners(lo, hi, taper_top=(0.0, 0.0, 0.0, 0.0)):
    """Corners (2,2,2,3) of an axis box; taper_top moves the top face's x0, x1, y0, y1 in."""
    lo = np.asarray(lo, float)
    hi = np.asarray(hi, float)
    c = np.zeros((2, 2, 2, 3))
    for i in range(2):
        for j in range(2):
            for k in range(2):
                c[i, j, k] = (hi[0] if i else lo[0], hi[1] if j else lo[1], hi[2] if k else lo[2])
                if k:
                    c[i, j, k, 0] += taper_top[0] if i == 0 else -taper_top[1]
                    c[i, j, k, 1] += taper_top[2] if j == 0 else -taper_top[3]
    return c


# ---------------------------------------------------------------- atlas layout
def pack(parts, tex_size=1024, pad=6):
    """Shelf-pack the parts' rectangles (texels proportional to world size)."""
    order = sorted(range(len(parts)), key=lambda i: -parts[i].size[1])

    def attempt(scale):
        x = y = shelf = 0
        rects = {}
        for i in order:
            w = max(int(parts[i].size[0] * scale), 4) + 2 * pad
            h = max(int(parts[i].size[1] * scale), 4) + 2 * pad
            if w > tex_size:
                return None
            if x + w > tex_size:
                x, y, shelf = 0, y + shelf, 0
            if y + h > tex_size:
                return None
            rects[i] = (x + pad, y + pad, w - 2 * pad, h - 2 * pad)
            x += w
            shelf = max(shelf, h)
        return rects

    lo, hi = 1.0, 4096.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if attempt(mid) is None:
            hi = mid
        else:
            lo = mid
    rects = attempt(lo)
    for i, r in rects.items():
        parts[i].rect = r
    return lo  # texels per world unit


# ---------------------------------------------------------------- mesh assembly
def grid_indices(nu, nv):
    i, j = np.meshgrid(np.arange(nu - 1), np.arange(nv - 1), indexing="ij")
    a = (i * nv + j).ravel()
    b = a + nv
    return np.concatenate([np.stack([a, a + 1, b], 1), np.stack([a + 1, b + 1, b], 1)])


def vertex_normals(pos, tris, groups):
    fn = np.cross(pos[tris[:, 1]] - pos[tris[:, 0]], pos[tris[:, 2]] - pos[tris[:, 0]])
    vn = np.zeros_like(pos)
    for k in range(3):
        np.add.at(vn, tris[:, k], fn)
    # weld coincident vertices (seams, poles) within each part
    key = np.concatenate([np.round(pos / 1e-5).astype(np.int64), groups[:, None]], 1)
    _, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.ravel()
    acc = np.zeros((inv.max() + 1, 3))
    np.add.at(acc, inv, vn)
    vn = acc[inv]
    bad = np.linalg.norm(vn, axis=1) < 1e-12
    vn[bad] = (pos[bad] - pos.mean(0))
    vn[np.linalg.norm(vn, axis=1) < 1e-12] = (0, 0, 1)
    return _norm(vn).astype(np.float32)


def build_mesh(parts, tex_size):
    pos_a, pos_b, uvs, tris, groups = [], [], [], [], []
    base = 0
    for gi, p in enumerate(parts):
        u, v = np.meshgrid(np.linspace(0, 1, p.nu), np.linspace(0, 1, p.nv), indexing="ij")
        pa = p.surf_a(u, v).reshape(-1, 3)
        pb = p.surf_b(u, v).reshape(-1, 3)
        t = grid_indices(p.nu, p.nv)
        if p.closed:
            vol = np.einsum("ij,ij->i", pa[t[:, 0]], np.cross(pa[t[:, 1]], pa[t[:, 2]])).sum()
            if vol < 0:
                t = t[:, [0, 2, 1]]
        else:  # open patches (box faces) face away from the box centre
            fn = np.cross(pa[t[:, 1]] - pa[t[:, 0]], pa[t[:, 2]] - pa[t[:, 0]]).sum(0)
            if fn @ (pa.mean(0) - p.info.get("centre", np.zeros(3))) < 0:
                t = t[:, [0, 2, 1]]
        x0, y0, w, h = p.rect
        uvs.append(np.stack([(x0 + u.ravel() * w) / tex_size, (y0 + v.ravel() * h) / tex_size], 1))
        pos_a.append(pa)
        pos_b.append(pb)
        tris.append(t + base)
        groups.append(np.full(len(pa), gi))
        base += len(pa)
    pos_a = np.concatenate(pos_a)
    pos_b = np.concatenate(pos_b)
    tris = np.concatenate(tris).astype(np.uint32)
    groups = np.concatenate(groups)
    return (pos_a, pos_b, vertex_normals(pos_a, tris, groups),
            vertex_normals(pos_b, tris, groups), np.concatenate(uvs).astype(np.float32), tris)


def paint_atlas(parts, tex_size, which, paint, background=(0.5, 0.5, 0.5), pad=6):
    """Evaluate ``paint(part, u, v, pos) -> (..., 3) float RGB`` over every part's texels.

    The rectangle's padding is painted with clamped (u, v): no seams under mipmapping.
    """
    img = np.empty((tex_size, tex_size, 3), np.float32)
    img[:] = background
    for p in parts:
        x0, y0, w, h = p.rect
        xs = np.arange(x0 - pad, x0 + w + pad)
        ys = np.arange(y0 - pad, y0 + h + pad)
        xs = xs[(xs >= 0) & (xs < tex_size)]
        ys = ys[(ys >= 0) & (ys < tex_size)]
        u = np.clip((xs + 0.5 - x0) / w, 0, 1)
        v = np.clip((ys + 0.5 - y0) / h, 0, 1)
        uu, vv = np.meshgrid(u, v, indexing="xy")  # rows = v
        surf = p.surf_a if which == "a" else p.surf_b
        col = paint(p, uu, vv, surf(uu, vv))
        rows = tex_size - 1 - ys  # v up -> image rows down
        img[rows[:, None], xs[None, :]] = col
    return img


def to_uint8(img):
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)


def centre(pos_a, pos_b):
    """Shift each shape so its bounding box is centred on the origin."""
    out = []
    for p in (pos_a, pos_b):
        c = (p.min(0) + p.max(0)) / 2
        out.append((p - c).astype(np.float32))
    return out
