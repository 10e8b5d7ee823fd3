"""Fur and noise textures (numpy FFT only), following the probe's measured recipe.

The probe's fur tile was 512 px per 0.25 world units (2048 px/unit): brightness =
0.80 + 0.10 s1 + 0.08 s2 + 0.06 s3 + 0.06 clumps + 0.12 sparse tips, each s white noise
filtered by an anisotropic Gaussian (sigma across 0.6/1.5/3.6 px, along 10/20/30 px).
Here the same filter is expressed in world units and applied directly in atlas texel
space (strands run along atlas x = each part's u axis), so it matches any atlas density.
"""
from __future__ import annotations

import numpy as np

PROBE_PX_PER_UNIT = 2048.0


def filtered_noise(rng, shape, sigma_x, sigma_y):
    """White noise low-passed by a Gaussian (sigmas in texels), unit std, tileable."""
    h, w = shape
    n = rng.standard_normal((h, w))
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    g = np.exp(-2 * np.pi ** 2 * ((fx * sigma_x) ** 2 + (fy * sigma_y) ** 2))
    out = np.fft.irfft2(np.fft.rfft2(n) * g, s=(h, w))
    return (out - out.mean()) / (out.std() + 1e-9)


def fur_brightness(size, px_per_unit, seed=0, contrast=1.0):
    """(size, size) float32 brightness in [0.25, 1], strands along x (image columns)."""
    rng = np.random.default_rng(seed)
    k = px_per_unit / PROBE_PX_PER_UNIT
    shape = (size, size)
    s = [filtered_noise(rng, shape, al * k, ac * k)
         for al, ac in ((10, 0.6), (20, 1.5), (30, 3.6))]
    clumps = filtered_noise(rng, shape, 60 * k, 14 * k)
    tips = (rng.random(shape) < 0.03).astype(float)
    tips = filtered_noise_like(tips, 6 * k, 0.8 * k)
    tips = tips / (tips.max() + 1e-9)
    b = (0.10 * s[0] + 0.08 * s[1] + 0.06 * s[2] + 0.06 * clumps) * contrast
    b = 0.80 + b + 0.12 * contrast * (tips * 3 - 0.3)
    return np.clip(b, 0.25, 1.0).astype(np.float32)


def filtered_noise_like(img, sigma_x, sigma_y):
    h, w = img.shape
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    g = np.exp(-2 * np.pi ** 2 * ((fx * sigma_x) ** 2 + (fy * sigma_y) ** 2))
    return np.fft.irfft2(np.fft.rfft2(img) * g, s=(h, w))


def value_noise3(pos, scale, seed=0):
    """Smooth 3D value noise in [-1, 1] at world positions (..., 3), feature size ~scale."""
    rng = np.random.default_rng(seed)
    table = rng.uniform(-1, 1, 4096)
    p = np.asarray(pos, float) / scale
    i = np.floor(p).astype(np.int64)
    f = p - i
    f = f * f * (3 - 2 * f)

    def h(ix, iy, iz):
        return table[(ix * 73856093 ^ iy * 19349663 ^ iz * 83492791) % 4096]

    out = 0.0
    for dx in (0, 1):
        for dy in (0, 1):
            for dz in (0, 1):
                wgt = ((f[..., 0] if dx else 1 - f[..., 0]) * (f[..., 1] if dy else 1 - f[..., 1])
                       * (f[..., 2] if dz else 1 - f[..., 2]))
                out = out + wgt * h(i[..., 0] + dx, i[..., 1] + dy, i[..., 2] + dz)
    return out


def fbm3(pos, scale, seed=0, octaves=3):
    out = 0.0
    amp = 1.0
    tot = 0.0
    for o in range(octaves):
        out = out + amp * value_noise3(pos, scale / 2 ** o, seed + o)
        tot += amp
        amp *= 0.5
    return out / tot
