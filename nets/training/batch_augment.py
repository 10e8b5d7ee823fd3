"""Batched augmentation on the training device (pure torch): a whole batch in a few kernels.

The per-image versions in ``augment`` loop in Python on the CPU, which starves a GPU.
Here every sample still gets its own random crop, flip and colours, but through one
``affine_grid`` + ``grid_sample`` and broadcast arithmetic:

- ``crops``: random resized crops (area ``scale``, aspect ``ratio``) and horizontal
  flips of (B, C, H, W) images to ``size``; channels beyond 3 (e.g. a texture-swapped
  twin stacked on the clean image) get the same crop;
- ``jitter``: brightness, contrast and saturation per sample (same factors for twins);
- ``randomise_texture``: ``augment.randomise_texture`` for a batch (amplitude-phase
  recombination with a per-sample mix).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

_GREY = (0.299, 0.587, 0.114)


def _uniform(n: int, lo: float, hi: float, like: torch.Tensor, gen) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, device=like.device, generator=gen)


def crops(images: torch.Tensor, size: int, scale=(0.5, 1.0), ratio=(0.85, 1.18),
          flip: bool = True, gen: torch.Generator | None = None) -> torch.Tensor:
    """(B, C, H, W) float -> (B, C, size, size): one random resized crop (and flip) each."""
    b = len(images)
    area = _uniform(b, *scale, images, gen)
    log_r = _uniform(b, math.log(ratio[0]), math.log(ratio[1]), images, gen)
    aspect = log_r.exp()
    w = (area * aspect).sqrt().clamp(max=1.0)      # crop width / image width
    h = (area / aspect).sqrt().clamp(max=1.0)
    tx = (torch.rand(b, device=images.device, generator=gen) * 2 - 1) * (1 - w)
    ty = (torch.rand(b, device=images.device, generator=gen) * 2 - 1) * (1 - h)
    sign = torch.ones(b, device=images.device)
    if flip:
        sign = torch.where(torch.rand(b, device=images.device, generator=gen) < 0.5, -sign, sign)
    theta = torch.zeros(b, 2, 3, device=images.device, dtype=images.dtype)
    theta[:, 0, 0], theta[:, 0, 2] = w * sign, tx
    theta[:, 1, 1], theta[:, 1, 2] = h, ty
    grid = F.affine_grid(theta, (b, images.shape[1], size, size), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="reflection",
                         align_corners=False)


def _grey(x: torch.Tensor) -> torch.Tensor:
    w = torch.tensor(_GREY, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
    return (x * w).sum(1, keepdim=True)


def jitter(images: torch.Tensor, brightness=0.3, contrast=0.3, saturation=0.3,
           gen: torch.Generator | None = None) -> torch.Tensor:
    """Per-sample colour jitter of (B, 3k, H, W) in [0, 1]; each 3-channel image of a
    sample (twins stacked on channels) gets that sample's factors."""
    b, c = images.shape[:2]
    f = [_uniform(b, 1 - a, 1 + a, images, gen).view(b, 1, 1, 1)
         for a in (brightness, contrast, saturation)]
    out = []
    for x in images.split(3, 1):
        x = x * f[0]
        mean = _grey(x).mean((2, 3), keepdim=True)
        x = (x - mean) * f[1] + mean
        g = _grey(x)
        out.append(((x - g) * f[2] + g).clamp(0, 1))
    return torch.cat(out, 1)


def randomise_texture(images: torch.Tensor, textures: torch.Tensor, mix: torch.Tensor) -> torch.Tensor:
    """Batched amplitude-phase recombination: (B, 3, H, W) images and textures, ``mix`` (B,)."""
    m = mix.view(-1, 1, 1, 1).to(images.dtype)
    fi, ft = torch.fft.fft2(images.float()), torch.fft.fft2(textures.float())
    out = torch.fft.ifft2(torch.polar((1 - m) * fi.abs() + m * ft.abs(), fi.angle())).real
    mu, sd = out.mean((2, 3), keepdim=True), out.std((2, 3), keepdim=True).clamp_min(1e-6)
    tmu, tsd = textures.mean((2, 3), keepdim=True), textures.std((2, 3), keepdim=True)
    return ((out - mu) / sd * ((1 - m) * sd + m * tsd) + (1 - m) * mu + m * tmu).clamp(0, 1)
