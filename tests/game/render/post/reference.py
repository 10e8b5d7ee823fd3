"""numpy implementations of the post effects' formulas (float64, images in [0, 1],
(H, W, 3), row 0 at the top). The GPU results are checked against these."""
import numpy as np

from game.render.post.patch_shuffle import permutation

LUMA = np.array([0.299, 0.587, 0.114])
TO_YIQ = np.array([[0.299, 0.587, 0.114],
                   [0.595716, -0.274453, -0.321263],
                   [0.211456, -0.522591, 0.311135]])


def alpha(img, a):
    return img * a


def rgb2hsv(c):
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    mx, mn = c.max(-1), c.min(-1)
    d = mx - mn
    safe = np.where(d > 1e-6, d, 1.0)
    h = np.where(mx == r, np.mod((g - b) / safe, 6.0),
                 np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    h = np.where(d > 1e-6, h / 6.0, 0.0)
    s = np.where(mx > 1e-6, d / np.where(mx > 1e-6, mx, 1.0), 0.0)
    return np.stack([h, s, mx], -1)


def hsv2rgb(hsv):
    h, s, v = hsv[..., 0:1], hsv[..., 1:2], hsv[..., 2:3]
    k = np.mod(np.array([5.0, 3.0, 1.0]) + h * 6.0, 6.0)
    return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def hue(img, shift):
    if shift == 0:
        return img
    hsv = rgb2hsv(np.clip(img, 0, 1))
    hsv[..., 0] = np.mod(hsv[..., 0] + shift, 1.0)
    return hsv2rgb(hsv)


def hue_yiq(img, shift):
    a = 2 * np.pi * shift
    rot = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    m = np.linalg.inv(TO_YIQ) @ rot @ TO_YIQ
    return img @ m.T


def saturation(img, s):
    grey = (img @ LUMA)[..., None]
    return grey + (img - grey) * s


def contrast(img, value):
    return (img - 0.5) * value + 0.5


def patch_shuffle(img, k, seed=0):
    h, w, _ = img.shape
    perm = permutation(k, seed)
    out = np.empty_like(img)
    for y in range(h):
        for x in range(w):
            iy, ix = (y + 0.5) * k / h, (x + 0.5) * k / w
            cy, cx = min(int(iy), k - 1), min(int(ix), k - 1)
            s = perm[cy * k + cx]
            sy = int(np.floor((s // k + iy - cy) * h / k))
            sx = int(np.floor((s % k + ix - cx) * w / k))
            out[y, x] = img[min(sy, h - 1), min(sx, w - 1)]
    return out


def gaussian_kernel(sigma):
    r = int(np.ceil(3 * sigma))
    x = np.arange(-r, r + 1)
    k = np.exp(-0.5 * x * x / (sigma * sigma))
    return k / k.sum(), r


def blur(img, sigma):
    if sigma < 0.3:
        return img
    k, r = gaussian_kernel(sigma)
    out = img
    for axis in (1, 0):
        pad = [(0, 0)] * 3
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="edge")
        acc = np.zeros_like(out)
        n = out.shape[axis]
        for i, w in enumerate(k):
            sl = [slice(None)] * 3
            sl[axis] = slice(i, i + n)
            acc += w * p[tuple(sl)]
        out = acc
    return out


def frequency(img, freq_cutoff=4.0, low_alpha=1.0, high_alpha=1.0, low_sigma=0.0,
              high_sigma=0.0, low_hue=0.0, high_hue=0.0):
    low = blur(img, freq_cutoff)
    high = img - low
    low, high = blur(low, low_sigma), blur(high, high_sigma)
    low = hue(low, low_hue)
    if high_hue:
        high = hue_yiq(high, high_hue)
    return np.clip(0.5 + (low - 0.5) * low_alpha + high_alpha * high, 0, 1)
