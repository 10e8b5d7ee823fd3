"""fire truck <-> race car: one part list whose boxes and wheels move between two layouts.

Truck parts morph into car parts: cab -> low wedge nose, body -> low wide
body, water tank -> cockpit, ladder rails -> spoiler end plates, ladder rungs -> the
segments of the rear wing, bumper -> front wing, light bar -> roll hoop, the middle
rear wheels shrink into the rear wheels. Box faces are separate patches (flat shading).
Toy scale: ~2 units long (so it fits the app's distance range). x forward, z up.
"""
from __future__ import annotations

import numpy as np

from .fur import filtered_noise
from .geometry import Part, box_corners, box_parts, build_mesh, centre, pack, paint_atlas, to_uint8, tube

TEX = 1024
N_RUNGS = 8
RED_T = np.array([0.78, 0.06, 0.04])
RED_C = np.array([0.82, 0.05, 0.04])
CHROME = np.array([0.78, 0.78, 0.80])
GLASS = np.array([0.10, 0.13, 0.18])
BLACK = np.array([0.05, 0.05, 0.05])
WHITE = np.array([0.92, 0.92, 0.90])
YELLOW = np.array([0.95, 0.78, 0.10])


def _boxes():
    """name -> (lo_a, hi_a, taper_a, lo_b, hi_b, taper_b)."""
    b = {
        "cab": ((0.55, -0.30, 0.12), (1.00, 0.30, 0.80), (0, 0.07, 0.02, 0.02),
                (0.35, -0.24, 0.06), (0.98, 0.24, 0.22), (0, 0.45, 0.06, 0.06)),
        "body": ((-1.00, -0.31, 0.12), (0.55, 0.31, 0.70), (0, 0, 0, 0),
                 (-0.80, -0.34, 0.06), (0.40, 0.34, 0.30), (0.05, 0.30, 0.06, 0.06)),
        "tank": ((-0.60, -0.24, 0.70), (0.20, 0.24, 0.80), (0, 0, 0, 0),
                 (-0.40, -0.15, 0.28), (0.12, 0.15, 0.40), (0.12, 0.20, 0.03, 0.03)),
        "bumper": ((1.00, -0.31, 0.12), (1.06, 0.31, 0.24), (0, 0, 0, 0),
                   (0.88, -0.38, 0.04), (1.04, 0.38, 0.08), (0, 0, 0, 0)),
        "lightbar": ((0.68, -0.22, 0.80), (0.84, 0.22, 0.85), (0, 0, 0, 0),
                     (-0.50, -0.07, 0.30), (-0.40, 0.07, 0.48), (0.02, 0.02, 0.01, 0.01)),
        "rail_n": ((-1.08, -0.25, 0.86), (0.95, -0.19, 0.94), (0, 0, 0, 0),
                   (-0.98, -0.35, 0.24), (-0.72, -0.32, 0.54), (0, 0.1, 0, 0)),
        "rail_f": ((-1.08, 0.19, 0.86), (0.95, 0.25, 0.94), (0, 0, 0, 0),
                   (-0.98, 0.32, 0.24), (-0.72, 0.35, 0.54), (0, 0.1, 0, 0)),
    }
    xs = np.linspace(-0.98, 0.85, N_RUNGS)
    ys = np.linspace(-0.32, 0.32, N_RUNGS + 1)
    for i in range(N_RUNGS):
        b[f"rung{i}"] = ((xs[i] - 0.03, -0.19, 0.87), (xs[i] + 0.03, 0.19, 0.92), (0, 0, 0, 0),
                         (-0.99, ys[i], 0.48), (-0.73, ys[i + 1], 0.53), (0, 0.06, 0, 0))
    return b


WHEELS = {  # name: (x, r, width) for truck / car
    "wheel_f": ((0.75, 0.15, 0.10), (0.66, 0.15, 0.16)),
    "wheel_m": ((-0.40, 0.15, 0.10), (-0.56, 0.13, 0.10)),
    "wheel_r": ((-0.72, 0.15, 0.10), (-0.56, 0.16, 0.18)),
}
WHEEL_Y = (0.29, 0.38)   # wheel centre |y| truck / car


def _wheel(x, r, w, y):
    side = np.sign(y)
    a = np.array([x, y - side * w / 2, r])
    b = np.array([x, y + side * w / 2, r])
    spine = lambda t: a + (b - a) * np.asarray(t)[..., None]
    rad = lambda t: np.full(np.shape(t), r)
    return tube(spine, rad, rad, ref=(0, 0, 1), cap=(0.3, 0.3), cap_flat=(0.12, 0.12))


def parts():
    out = []
    for name, (la, ha, ta, lb, hb, tb) in _boxes().items():
        ca, cb = box_corners(la, ha, ta), box_corners(lb, hb, tb)
        n = (6, 4, 4) if name in ("cab", "body") else (2, 2, 2)
        for p in box_parts(name, ca, cb, n=n):
            p.info["centre"] = (np.asarray(la) + np.asarray(ha)) / 2
            out.append(p)
    for name, (wa, wb) in WHEELS.items():
        for side in (-1, 1):
            pa = _wheel(*wa, side * WHEEL_Y[0])
            pb = _wheel(*wb, side * WHEEL_Y[1])
            out.append(Part(f"{name}{'n' if side < 0 else 'f'}", pa, pb, 20, 24, (0.3, 0.95)))
    return out


def _box(lo, hi, x, z):
    return ((x > lo[0]) & (x < hi[0]) & (z > lo[1]) & (z < hi[1])).astype(float)


def _mix(c, d, w):
    return c * (1 - w[..., None]) + np.asarray(d) * w[..., None]


def _wheel_paint(u, v, hub, rim):
    cap = 0.3
    d = np.minimum(u, 1 - u) / cap                       # 0 at the axle .. 1 at the rim edge
    col = np.broadcast_to(BLACK * 1.2, u.shape + (3,)).copy()
    col = _mix(col, rim, (d < 0.62).astype(float))
    col = _mix(col, hub, (d < 0.25).astype(float))
    spokes = (np.abs(np.sin(5 * np.pi * v)) > 0.8) & (d > 0.28) & (d < 0.6)
    col = _mix(col, BLACK * 2, spokes.astype(float))
    tread = (d >= 1) & (np.sin(2 * np.pi * v * 40) > 0.3)
    return _mix(col, BLACK * 0.5, tread.astype(float))


def paint_truck(part, u, v, pos):
    x, y, z = pos[..., 0], pos[..., 1], pos[..., 2]
    box, face = part.info.get("box"), part.info.get("face")
    col = np.broadcast_to(RED_T, pos.shape).copy()
    if part.name.startswith("wheel"):
        return _wheel_paint(u, v, CHROME, CHROME * 0.85)
    if box == "cab":
        if face in ("ny", "py"):
            col = _mix(col, GLASS, _box((0.62, 0.50), (0.90, 0.73), x, z))
            col = _mix(col, BLACK, _box((0.56, 0.13), (0.985, 0.47), x, z) * 0.0
                       + (np.abs(x - 0.94) < 0.006) * (z < 0.47))
        if face == "px":
            col = _mix(col, GLASS, ((np.abs(y) < 0.27) & (z > 0.50) & (z < 0.74)).astype(float))
            grille = (np.abs(y) < 0.14) & (z > 0.2) & (z < 0.42)
            col = _mix(col, np.where((np.sin(z * 180)[..., None] > 0), CHROME, BLACK), grille.astype(float))
            lights = (np.abs(np.abs(y) - 0.22) < 0.04) & (np.abs(z - 0.3) < 0.04)
            col = _mix(col, np.array([1.0, 0.97, 0.85]), lights.astype(float))
        band = (np.abs(z - 0.42) < 0.022) & (face in ("ny", "py"))
        col = _mix(col, WHITE, band.astype(float))
        col = _mix(col, YELLOW, ((np.abs(z - 0.385) < 0.012) & (face in ("ny", "py"))).astype(float))
    elif box == "body":
        if face in ("ny", "py"):
            seg = (x + 1.0) / 1.55 * 3
            inner = (np.abs(seg - np.floor(seg) - 0.5) < 0.44) & (z > 0.46) & (z < 0.66)
            shutter = np.where((np.sin(z * 400)[..., None] > 0), CHROME, CHROME * 0.75)
            col = _mix(col, shutter, inner.astype(float))
            col = _mix(col, WHITE, (np.abs(z - 0.42) < 0.022).astype(float))
            col = _mix(col, YELLOW, (np.abs(z - 0.385) < 0.012).astype(float))
        if face == "nx":
            col = _mix(col, np.array([1.0, 0.6, 0.1]), ((np.abs(np.abs(y) - 0.25) < 0.04) & (np.abs(z - 0.25) < 0.04)).astype(float))
            col = _mix(col, CHROME, ((np.abs(y) < 0.18) & (z > 0.35) & (z < 0.65) & (np.sin(z * 120) > 0.6)).astype(float))
    elif box == "tank":
        col = _mix(col, CHROME * 0.9, 0.3 * np.ones_like(x))
    elif box in ("rail_n", "rail_f") or (box or "").startswith("rung"):
        col = np.broadcast_to(CHROME, pos.shape).copy()
    elif box == "bumper":
        col = np.broadcast_to(CHROME, pos.shape).copy()
    elif box == "lightbar":
        col = np.where((y < 0)[..., None], np.array([0.95, 0.1, 0.1]), np.array([0.15, 0.3, 1.0]))
    return col


def paint_car(part, u, v, pos):
    x, y, z = pos[..., 0], pos[..., 1], pos[..., 2]
    box, face = part.info.get("box"), part.info.get("face")
    col = np.broadcast_to(RED_C, pos.shape).copy()
    if part.name.startswith("wheel"):
        return _wheel_paint(u, v, np.array([0.85, 0.7, 0.2]), np.array([0.75, 0.75, 0.78]))
    stripe = ((np.abs(np.abs(y) - 0.07) < 0.035)).astype(float)
    if box in ("cab", "body"):
        if face == "pz" or (face == "px" and box == "cab"):
            col = _mix(col, WHITE, stripe)
        if face in ("ny", "py") and box == "body":
            roundel = ((x + 0.25) ** 2 + ((z - 0.18) * 1.0) ** 2) < 0.075 ** 2
            col = _mix(col, WHITE, roundel.astype(float))
            digit = (np.abs(x + 0.25) < 0.025) & (np.abs(z - 0.18) < 0.05) & ~((np.abs(x + 0.25) < 0.01) & (np.abs(z - 0.18) > 0.02))
            col = _mix(col, BLACK, (digit & roundel).astype(float))
            col = _mix(col, YELLOW, _box((0.05, 0.10), (0.30, 0.16), x, z))
            col = _mix(col, BLACK, (np.abs(z - 0.085) < 0.02).astype(float))
        if face in ("ny", "py") and box == "cab":
            col = _mix(col, BLACK, (np.abs(z - 0.085) < 0.02).astype(float))
        if face == "px" and box == "cab":
            lights = (np.abs(np.abs(y) - 0.15) < 0.05) & (z > 0.08)
            col = _mix(col, np.array([1.0, 0.95, 0.75]), lights.astype(float))
        if face == "nx":
            col = _mix(col, BLACK, ((np.abs(y) < 0.2) & (z < 0.2)).astype(float))
            col = _mix(col, np.array([1.0, 0.15, 0.1]), ((np.abs(np.abs(y) - 0.25) < 0.04) & (z > 0.2)).astype(float))
    elif box == "tank":
        if face == "pz":
            col = _mix(col, BLACK, ((np.abs(y) < 0.1) & (x > -0.3) & (x < 0.02)).astype(float))
            col = _mix(col, YELLOW, (((x + 0.12) ** 2 + y ** 2) < 0.05 ** 2).astype(float))
        elif face == "px":
            col = np.broadcast_to(GLASS * 1.5, pos.shape).copy()
        else:
            col = _mix(col, GLASS * 1.5, (z > 0.33).astype(float))
    elif (box or "").startswith("rung") or box == "bumper":
        col = np.broadcast_to(BLACK * 2.5, pos.shape).copy()
        col = _mix(col, WHITE, ((face == "nx") * np.ones_like(x) * 0.0))
    elif box in ("rail_n", "rail_f"):
        col = _mix(col, WHITE, (z > 0.45).astype(float))
    elif box == "lightbar":
        col = np.broadcast_to(BLACK * 2, pos.shape).copy()
    return col


def build():
    ps = parts()
    pack(ps, TEX, pad=4)
    pos_a, pos_b, na, nb, uvs, tris = build_mesh(ps, TEX)
    rng = np.random.default_rng(5)
    grain = 1 + 0.04 * filtered_noise(rng, (TEX, TEX), 1.0, 1.0)[..., None]   # paint/dirt grain
    tex_a = paint_atlas(ps, TEX, "a", paint_truck, background=RED_T, pad=4) * grain
    tex_b = paint_atlas(ps, TEX, "b", paint_car, background=RED_C, pad=4) * grain
    pos_a, pos_b = centre(pos_a, pos_b)
    return dict(positions_a=pos_a, positions_b=pos_b, normals_a=na, normals_b=nb, uvs=uvs,
                indices=tris, texture_a=to_uint8(tex_a), texture_b=to_uint8(tex_b))
