"""Background images made by code: a lawn and a street, seen from the default camera.

Each image is a numpy ray-cast of a ground plane (plus a far vertical backdrop and sky)
through a 40-degree camera pitched -12 degrees at 1.25 units above the ground, so the
horizon sits where a renderer's 3D ground would be. The lawn's grass is Panda3D's
packaged ``models/maps/envir-ground.jpg`` (BSD licence, see SOURCES.md), tiled every
0.35 units with manual trilinear mip filtering; everything else is procedural noise.
"""
from __future__ import annotations

import os

import numpy as np

from .fur import filtered_noise

SIZE = 1024
FOV = 40.0
PITCH = -12.0
CAM_H = 1.25


def _rays(size):
    f = 1.0 / np.tan(np.radians(FOV / 2))
    s = (np.arange(size) + 0.5) / size * 2 - 1
    x, y = np.meshgrid(s, -s)  # y up, row 0 = top
    d = np.stack([x, np.full_like(x, f), y], -1)  # camera looks +Y (depth), z up
    p = np.radians(PITCH)
    rot = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    d = d @ rot.T
    return d / np.linalg.norm(d, axis=-1, keepdims=True)


def _mips(tile):
    levels = [tile.astype(np.float32)]
    while levels[-1].shape[0] > 1:
        t = levels[-1]
        levels.append(0.25 * (t[0::2, 0::2] + t[1::2, 0::2] + t[0::2, 1::2] + t[1::2, 1::2]))
    return levels


def _sample(levels, gx, gy, period, footprint):
    """Trilinear-ish sample of a tiled texture at ground coords with a texel footprint."""
    n = levels[0].shape[0]
    lod = np.clip(np.log2(np.maximum(footprint / period * n, 1e-6)), 0, len(levels) - 1)
    l0 = np.floor(lod).astype(int)
    fr = (lod - l0)[..., None]
    out = np.zeros(gx.shape + (3,), np.float32)
    for lv in range(len(levels)):
        m = (l0 == lv) | (l0 + 1 == lv)
        if not m.any():
            continue
        t = levels[lv]
        k = t.shape[0]
        ix = (np.floor(gx[m] / period * k).astype(int)) % k
        iy = (np.floor(gy[m] / period * k).astype(int)) % k
        c = t[iy, ix]
        wgt = np.where(l0[m] == lv, 1 - fr[m][:, 0], fr[m][:, 0])[:, None]
        out[m] += c * wgt
    return out


def _ground(size):
    d = _rays(size)
    below = d[..., 2] < -1e-4
    t = np.where(below, CAM_H / np.maximum(-d[..., 2], 1e-4), np.inf)
    gx, gy = d[..., 0] * t, d[..., 1] * t
    footprint = t * (2 * np.tan(np.radians(FOV / 2)) / size) / np.maximum(-d[..., 2], 0.05)
    return d, below, t, gx, gy, footprint


def _sky(d, top=(0.50, 0.66, 0.86), horizon=(0.80, 0.86, 0.92)):
    e = np.clip(d[..., 2] * 3, 0, 1)[..., None]
    return np.asarray(horizon) * (1 - e) + np.asarray(top) * e


def _backdrop(d, depth):
    """Where rays hit a vertical plane Y = depth: (hit x, hit height above ground, dist)."""
    t = depth / np.maximum(d[..., 1], 1e-4)
    return d[..., 0] * t, CAM_H + d[..., 2] * t, t


def lawn(size=SIZE, seed=1):
    from PIL import Image
    import panda3d
    path = os.path.join(os.path.dirname(panda3d.__file__), "models", "maps", "envir-ground.jpg")
    tile = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255.0
    rng = np.random.default_rng(seed)
    d, below, t, gx, gy, fp = _ground(size)
    img = _sky(d)
    g = _sample(_mips(tile), gx[below], gy[below], 0.35, fp[below])
    # large-scale mowing/lighting variation
    var = filtered_noise(rng, (size, size), 40, 40)[below][:, None]
    g = g * (1.05 + 0.10 * var) * np.array([0.95, 1.05, 0.85])
    img[below] = g
    # a hedge / tree line far behind
    hx, hz, ht = _backdrop(d, 16.0)
    ridge = 1.3 + 0.4 * np.interp(hx, np.linspace(-40, 40, 256), filtered_noise(rng, (1, 256), 3, 1)[0])
    hedge = (hz < ridge) & (d[..., 1] > 0) & (ht < t)
    leaf = filtered_noise(rng, (size, size), 1.5, 1.5)
    hc = np.array([0.16, 0.28, 0.12]) * (1 + 0.35 * leaf[..., None])
    img[hedge] = hc[hedge]
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)


def street(size=SIZE, seed=2):
    rng = np.random.default_rng(seed)
    d, below, t, gx, gy, fp = _ground(size)
    img = _sky(d, top=(0.55, 0.65, 0.80), horizon=(0.82, 0.84, 0.86))
    # asphalt: grey with fine grain (pre-filtered noise tile sampled like a texture)
    grain = filtered_noise(rng, (256, 256), 0.7, 0.7)
    blotch = filtered_noise(rng, (256, 256), 12, 12)
    asph = (0.34 + 0.05 * grain + 0.03 * blotch)[..., None] * np.array([1.0, 1.0, 1.03])
    tile_levels = _mips(np.repeat(asph, 1, axis=2))
    gb = below
    col = _sample(tile_levels, gx[gb], gy[gb], 1.2, fp[gb])
    X, Y = gx[gb], gy[gb]
    # lane markings: dashed white centre line behind the object, solid edge lines
    dash = (np.abs(Y - 4.2) < 0.07) & ((np.floor((X + 50) / 1.5) % 2) == 0)
    edge = np.abs(Y - 7.3) < 0.06
    near_edge = np.abs(Y - 0.9 + 0.0) < 0.0  # none in front of the object
    # pixel footprint softening
    soft = np.clip(0.14 / np.maximum(fp[gb], 1e-3), 0, 1)[:, None]
    col = np.where((dash | edge)[:, None], col * (1 - soft) + np.array([0.9, 0.9, 0.86]) * soft, col)
    del near_edge
    # kerb and sidewalk beyond the road
    kerb = (Y > 7.6) & (Y < 7.9)
    walk = Y >= 7.9
    slab = ((np.floor(X / 1.0) + np.floor(Y / 1.0)) % 2)[:, None] * 0.03
    col = np.where(kerb[:, None], np.array([0.72, 0.71, 0.68]), col)
    col = np.where(walk[:, None], np.array([0.62, 0.60, 0.57]) + slab, col)
    img[gb] = col
    # building facades at Y = 11: storeys of windows, varied colours per building
    hx, hz, ht = _backdrop(d, 18.0)
    hit = (d[..., 1] > 0) & (ht < t) & (hz > 0)
    bidx = np.floor((hx + 100) / 4.5).astype(int)
    brng = np.random.default_rng(seed + 10)
    heights = brng.uniform(5, 12, 100)
    colours = brng.uniform(0.35, 0.75, (100, 3)) * np.array([1.0, 0.9, 0.8])
    bi = np.clip(bidx, 0, 99)
    hit &= hz < heights[bi]
    fac = colours[bi]
    lx = ((hx + 100) % 4.5)
    wx = ((lx % 1.1) > 0.35) & ((lx % 1.1) < 0.85) & (lx > 0.3) & (lx < 4.2)
    wz = ((hz % 1.5) > 0.5) & ((hz % 1.5) < 1.2) & (hz > 1.0)
    win = (wx & wz)[..., None]
    glass = np.array([0.20, 0.25, 0.32]) + 0.08 * (hz / 12)[..., None]
    door = ((lx > 1.8) & (lx < 2.6) & (hz < 1.0))[..., None]
    fac = np.where(win | door, glass, fac)
    img[hit] = fac[hit]
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
