"""dog <-> cat: one parametric quadruped evaluated at dog and at cat parameters.

Both shapes come from the same part list sampled on the same (u, v) grids, so they share
topology and UV layout. x forward (head at +x), z up, feet on z = 0 before centring.
Parameters follow the probe's recipe (shared/notes/procedural-objects-probe.md).
"""
from __future__ import annotations

import numpy as np

from . import fur
from .geometry import Part, bezier, build_mesh, centre, ellipsoid, pack, paint_atlas, to_uint8, tube

TEX = 1024

DOG = dict(
    body_len=0.95, body_r=0.19, body_w=0.82, chest=1.12, height=0.62, back_arch=0.02,
    leg_r=0.05, thigh_f=1.9, thigh_r=2.4, hock=0.07, stagger=0.06, paw=(0.07, 0.035, 0.05),
    neck_len=0.30, neck_ang=52.0, neck_r=0.105,
    head=(0.15, 0.115, 0.12), snout_len=0.23, snout_r=0.07, snout_taper=0.65, snout_dip=0.04,
    ear_h=0.17, ear_r=0.065, ear_flat=0.3, ear_splay=14.0, ear_x=-0.35,
    tail_len=0.55, tail_r=0.055, tail_hang=0.85, tail_curl=0.10,
    eye_r=0.022, nose_r=0.032, scale=1.0,
)
CAT = dict(
    body_len=0.66, body_r=0.125, body_w=0.9, chest=1.05, height=0.31, back_arch=0.015,
    leg_r=0.034, thigh_f=1.7, thigh_r=2.2, hock=0.05, stagger=0.045, paw=(0.045, 0.026, 0.036),
    neck_len=0.12, neck_ang=45.0, neck_r=0.085,
    head=(0.125, 0.135, 0.12), snout_len=0.055, snout_r=0.06, snout_taper=0.8, snout_dip=0.02,
    ear_h=0.14, ear_r=0.065, ear_flat=0.3, ear_splay=22.0, ear_x=-0.05,
    tail_len=0.45, tail_r=0.03, tail_hang=0.75, tail_curl=0.10,
    eye_r=0.026, nose_r=0.018, scale=1.5,
)


def _lin(*pts):
    """Piecewise-linear profile through (t, value) points, as a vectorised function."""
    ts = np.array([p[0] for p in pts])
    vs = np.array([p[1] for p in pts])
    return lambda t: np.interp(np.asarray(t, float), ts, vs)


def part_surfs(p):
    """name -> (surf, nu, nv, world size) for one parameter set."""
    s = {}
    L, r, h = p["body_len"], p["body_r"], p["height"]
    x0, x1 = -L / 2, L / 2
    arch = p["back_arch"]
    ctrl = [(x0, 0, h - 0.01), (x0 + L / 3, 0, h + arch), (x1 - L / 3, 0, h + arch), (x1, 0, h + 0.02)]
    spine = lambda t: bezier(ctrl, t)
    prof = _lin((0, 0.92), (0.18, 1.0), (0.45, 0.88), (0.75, p["chest"]), (1, 1.0))
    s["body"] = (tube(spine, lambda t: r * prof(t), lambda t: r * p["body_w"] * prof(t),
                      cap=(0.14, 0.14), cap_flat=(0.9, 0.8)), 48, 40)
    # legs: near (y<0, camera side at yaw 0) and far, front and rear
    wy = r * p["body_w"] * 0.55
    lr, st = p["leg_r"], p["stagger"]
    for name, xs, ys, front in (("leg_fn", x1 - 0.17 * L, -wy, True), ("leg_ff", x1 - 0.17 * L, wy, True),
                                ("leg_rn", x0 + 0.16 * L, -wy, False), ("leg_rf", x0 + 0.16 * L, wy, False)):
        xs = xs + (st if ys < 0 else -st) * (1 if front else -1) * 0.5
        ftop = h + 0.1 * r
        if front:
            c = [(xs, ys, ftop), (xs + 0.01, ys, h * 0.45), (xs - 0.01, ys, h * 0.2), (xs + 0.015, ys, 0.03)]
            th = p["thigh_f"]
        else:
            hk = p["hock"]
            c = [(xs, ys, ftop), (xs + 1.3 * hk, ys, h * 0.45), (xs - 1.6 * hk, ys, h * 0.2), (xs - 0.3 * hk, ys, 0.03)]
            th = p["thigh_r"]
        lp = _lin((0, th), (0.3, 0.5 * (th + 1)), (0.55, 1.0), (0.85, 0.8), (1, 0.85))
        s[name] = (tube(lambda t, c=c: bezier(c, t), lambda t, lp=lp: lr * lp(t) * 1.05,
                        lambda t, lp=lp: lr * lp(t) * 0.85, ref=(1, 0, 0)), 28, 16)
        pr = p["paw"]
        fx = c[-1][0] + pr[0] * 0.45
        s["paw" + name[3:]] = (ellipsoid((fx, ys, pr[1]), pr), 10, 12)
    # neck and head
    ang = np.radians(p["neck_ang"])
    nb = np.array([x1 - 0.05 * L, 0, h + 0.1 * r])
    ne = nb + p["neck_len"] * np.array([np.cos(ang), 0, np.sin(ang)])
    hx, hz, hy = p["head"]
    hc = ne + np.array([0.35 * hx, 0, 0.2 * hz])
    nr = p["neck_r"]
    s["neck"] = (tube(lambda t: nb + (ne - nb) * np.asarray(t)[..., None] + np.array([0, 0, 0.0]),
                      _lin((0, nr * 1.35), (0.6, nr), (1, nr * 0.95)), _lin((0, nr * 1.2), (1, nr * 0.9)),
                      cap=(0.1, 0.1)), 16, 20)
    s["head"] = (ellipsoid(hc, (hx, hz, hy)), 24, 28)
    sl, sr, dip = p["snout_len"], p["snout_r"], p["snout_dip"]
    sb = hc + np.array([0.25 * hx, 0, -0.25 * hz])
    se = hc + np.array([0.6 * hx + sl, 0, -0.25 * hz - dip])
    s["snout"] = (tube(lambda t: sb + (se - sb) * np.asarray(t)[..., None],
                       _lin((0, sr), (1, sr * p["snout_taper"])),
                       _lin((0, sr * 1.1), (1, sr * p["snout_taper"] * 0.95)),
                       cap=(0.1, 0.25), cap_flat=(1.0, 0.6)), 16, 20)
    nz = p["nose_r"]
    s["nose"] = (ellipsoid(se + np.array([sr * p["snout_taper"] * 0.45, 0, sr * p["snout_taper"] * 0.35]),
                           (nz * 0.8, nz * 0.7, nz)), 8, 10)
    for side, sy in (("n", -1), ("f", 1)):
        er = p["eye_r"]
        ec = hc + np.array([0.72 * hx, sy * 0.52 * hy, 0.22 * hz])
        s["eye_" + side] = (ellipsoid(ec, (er, er, er), axis=(0.75, sy * 0.66, 0.1)), 8, 10)
        spl = np.radians(p["ear_splay"]) * sy
        eb = hc + np.array([p["ear_x"] * hx, sy * 0.45 * hy, 0.55 * hz])
        et = eb + p["ear_h"] * np.array([0.05, np.sin(spl), np.cos(spl)])
        er0 = p["ear_r"]
        s["ear_" + side] = (tube(lambda t, eb=eb, et=et: eb + (et - eb) * np.asarray(t)[..., None],
                                 _lin((0, er0 * p["ear_flat"]), (1, 0.004)),
                                 _lin((0, er0), (0.5, er0 * 0.65), (1, 0.004)), ref=(1, 0, 0),
                                 cap=(0.1, 0.05)), 12, 12)
    # tail hanging down behind
    tl, tr = p["tail_len"], p["tail_r"]
    tb = np.array([x0 + 0.02, 0, h + 0.3 * r])
    hang = p["tail_hang"]
    tc = [tb, tb + tl * np.array([-0.45, 0, 0.05]), tb + tl * np.array([-0.55, 0, -hang * 0.75]),
          tb + tl * np.array([-0.45 - p["tail_curl"], 0, -hang])]
    tp = _lin((0, 0.8), (0.3, 1.15), (0.7, 1.2), (1, 0.7))
    s["tail"] = (tube(lambda t: bezier(tc, t), lambda t: tr * tp(t), lambda t: tr * tp(t),
                      ref=(0, 0, 1), cap=(0.08, 0.15)), 24, 14)
    sc = p["scale"]
    out = {}
    for k, (f, nu, nv) in s.items():
        out[k] = (lambda u, v, f=f: f(u, v) * sc, nu, nv)
    return out


SIZES = {  # world extent (u, v) used for the shared atlas layout (dog proportions)
    "body": (1.15, 1.1), "neck": (0.35, 0.66), "head": (0.45, 0.8), "snout": (0.3, 0.42),
    "nose": (0.06, 0.12), "eye_n": (0.05, 0.1), "eye_f": (0.05, 0.1),
    "ear_n": (0.2, 0.22), "ear_f": (0.2, 0.22), "tail": (0.6, 0.36),
    **{f"leg_{k}": (0.62, 0.42) for k in ("fn", "ff", "rn", "rf")},
    **{f"paw_{k}": (0.14, 0.3) for k in ("fn", "ff", "rn", "rf")},
}


def _smoothstep(a, b, x):
    t = np.clip((x - a) / (b - a), 0, 1)
    return t * t * (3 - 2 * t)


def _mix(c0, c1, w):
    return np.asarray(c0) * (1 - w[..., None]) + np.asarray(c1) * w[..., None]


TAN = np.array([0.80, 0.55, 0.28]) * 1.2
BLACK = np.array([0.09, 0.075, 0.06])


def paint_dog(part, u, v, pos):
    n = part.name
    elev = -np.cos(2 * np.pi * v)   # 1 on top of a tube, -1 underneath
    nz = fur.fbm3(pos, 0.08, seed=3)
    col = np.broadcast_to(TAN, pos.shape).copy()
    if n == "body":
        lower = _smoothstep(-0.6, 0.1, elev)
        col = _mix(TAN * 1.08, TAN, lower)  # lighter belly
        sad = _smoothstep(-0.05, 0.2, elev + 0.25 * nz) * _smoothstep(0.1, 0.2, u) * (1 - _smoothstep(0.74, 0.84, u + 0.06 * nz))
        col = _mix(col, BLACK, sad)
    elif n == "tail":
        col = _mix(TAN, BLACK, _smoothstep(-0.2, 0.3, elev + 0.4 * nz) * 0.9 + 0.1 * (u > 0.85))
    elif n == "neck":
        col = _mix(TAN, BLACK * 1.4, 0.8 * _smoothstep(0.3, 0.7, elev + 0.3 * nz) * (1 - _smoothstep(0.5, 0.9, u)))
    elif n == "head":
        front = _smoothstep(0.55, 0.85, u)         # u runs back -> front of the head
        top = _smoothstep(0.4, 0.9, elev + 0.2 * nz) * 0.6
        col = _mix(TAN, BLACK, np.clip(front + top, 0, 1))
    elif n in ("snout", "ear_n", "ear_f"):
        col = _mix(BLACK, TAN * 0.6, 0.15 * (nz > 0.3))
    elif n == "nose":
        col = np.broadcast_to(BLACK * 0.5, pos.shape)
    elif n.startswith("eye"):
        col = _mix(np.array([0.16, 0.09, 0.04]), np.array([0.9, 0.9, 0.9]), (u > 0.9) * 0.0)
        col = _mix(col, np.array([0.02, 0.02, 0.02]), _smoothstep(0.75, 0.85, u))
    elif n.startswith("leg"):
        col = _mix(TAN * 0.9, TAN * 1.05, _smoothstep(0.3, 0.8, u))
    elif n.startswith("paw"):
        col = np.broadcast_to(TAN * 1.05, pos.shape)
    return col


WARM = np.array([0.62, 0.52, 0.40])    # brown-grey tabby: beat the probe's warmer
STRIPE = np.array([0.14, 0.11, 0.08])  # (0.72, 0.52, 0.32) / (0.28, 0.17, 0.08) at side views
CREAM = np.array([0.92, 0.84, 0.70])


def paint_cat(part, u, v, pos):
    n = part.name
    elev = -np.cos(2 * np.pi * v)
    sc = CAT["scale"]
    w = fur.fbm3(pos / sc, 0.05, seed=7)
    period = 0.075
    col = np.broadcast_to(WARM, pos.shape).copy()

    def stripes(phase, width=0.55):
        s = 0.5 + 0.5 * np.sin(2 * np.pi * phase)
        return _smoothstep(width - 0.12, width + 0.12, s)

    if n == "body":
        ph = pos[..., 0] / sc / period + 0.9 * w + 0.8 * np.abs(elev) ** 2
        st = stripes(ph, 0.62) * _smoothstep(-0.55, -0.15, elev)
        col = _mix(WARM, STRIPE, st)
        col = _mix(col, STRIPE * 0.8, _smoothstep(0.86, 0.95, elev + 0.05 * w))   # dark back line
        col = _mix(col, CREAM, _smoothstep(-0.55, -0.8, elev))                    # light belly
    elif n.startswith("leg"):
        ph = pos[..., 2] / sc / (period * 0.9) + 0.5 * w
        col = _mix(WARM, STRIPE, 0.4 * stripes(ph, 0.6) * (1 - _smoothstep(0.85, 0.95, u)))
        col = _mix(col, CREAM, _smoothstep(0.8, 0.95, u))
    elif n == "tail":
        ph = u * 0.45 / period * 1.2 + 0.3 * w
        col = _mix(WARM, STRIPE, stripes(ph, 0.5) * 0.9)
        col = _mix(col, STRIPE * 0.7, _smoothstep(0.9, 0.97, u))
    elif n == "neck":
        ph = pos[..., 0] / sc / period * 1.3 + 0.6 * w + 0.5 * elev
        col = _mix(WARM, STRIPE, stripes(ph) * _smoothstep(-0.3, 0.2, elev))
        col = _mix(col, CREAM, _smoothstep(-0.5, -0.85, elev))
    elif n == "head":
        # forehead stripes running back from the brow ("M"), cheek lines, light chin
        side = 2 * v - 1
        ph = side * 3.2 + 0.4 * w
        top = _smoothstep(0.2, 0.6, elev) * (1 - _smoothstep(0.78, 0.9, u))
        col = _mix(WARM, STRIPE, stripes(ph, 0.6) * top)
        cheek = _smoothstep(-0.1, 0.3, np.abs(side) - 0.35) * _smoothstep(-0.5, -0.1, elev) * (1 - _smoothstep(-0.1, 0.2, elev))
        col = _mix(col, STRIPE, 0.7 * cheek * stripes(u * 7 + w * 0.3, 0.6))
        col = _mix(col, CREAM, _smoothstep(-0.45, -0.8, elev) + 0.6 * _smoothstep(0.85, 0.95, u))
    elif n == "snout":
        col = np.broadcast_to(CREAM, pos.shape)
    elif n == "nose":
        col = np.broadcast_to(np.array([0.75, 0.45, 0.42]), pos.shape)
    elif n.startswith("eye"):
        iris = np.array([0.55, 0.6, 0.15])
        col = _mix(np.broadcast_to(iris, pos.shape), np.array([0.02, 0.02, 0.02]),
                   _smoothstep(0.8, 0.86, u) * _smoothstep(0.5, 0.8, np.abs(np.cos(np.pi * v))))
        col = _mix(col, np.array([0.02, 0.02, 0.02]), _smoothstep(0.93, 0.97, u))
    elif n.startswith("ear"):
        col = _mix(WARM, STRIPE * 0.8, _smoothstep(0.6, 0.9, u))
    elif n.startswith("paw"):
        col = np.broadcast_to(CREAM, pos.shape)
    return col


FUR_STRENGTH = {"nose": 0.1, "eye_n": 0.0, "eye_f": 0.0}


def build():
    """Return the raw arrays for the dog_cat MorphPair."""
    sa, sb = part_surfs(DOG), part_surfs(CAT)
    parts = [Part(k, sa[k][0], sb[k][0], sa[k][1], sa[k][2], SIZES[k]) for k in sa]
    density = pack(parts, TEX)
    pos_a, pos_b, na, nb, uvs, tris = build_mesh(parts, TEX)
    tex_a = paint_atlas(parts, TEX, "a", paint_dog, background=TAN)
    tex_b = paint_atlas(parts, TEX, "b", paint_cat, background=WARM)
    fb = fur.fur_brightness(TEX, density, seed=11)
    # fur multiplies the colour, weaker on eyes and nose
    fmask = np.ones((TEX, TEX), np.float32)
    for p in parts:
        if p.name in FUR_STRENGTH:
            x0, y0, w, h = p.rect
            fmask[TEX - (y0 + h) - 6:TEX - y0 + 6, x0 - 6:x0 + w + 6] = FUR_STRENGTH[p.name]
    f = (1 - fmask + fmask * fb)[..., None]
    pos_a, pos_b = centre(pos_a, pos_b)
    return dict(positions_a=pos_a, positions_b=pos_b, normals_a=na, normals_b=nb, uvs=uvs,
                indices=tris, texture_a=to_uint8(tex_a * f), texture_b=to_uint8(tex_b * f))
