"""Image augmentation for fine-tuning, on float tensors in [0, 1] (pure torch/torchvision).

- ``photo_crops``: random resized crops (scale 0.08-1), flips, colour jitter: how the
  pilot turned 20 photos into many training images;
- ``render_crops``: mild crops (scale 0.5-1) and flips for renders, which are already
  varied by their scene parameters;
- ``randomise_texture``: the photo analogue of a texture swap. The Fourier phase of the
  photo (where its edges and shapes are) is kept and its amplitude spectrum (how much
  energy each frequency and orientation holds: the look of its textures) is replaced by a
  mix with a random texture's, then each channel gets the texture's mean and spread
  (its colours): amplitude-phase recombination, after Chen et al. 2021 ("Amplitude-Phase
  Recombination", ICCV), as a cheap stand-in for style transfer (no AdaIN decoder here).
"""
import numpy as np
import torch
from torchvision.transforms import v2

_JITTER = v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.05)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) or (H, W, 3) uint8 -> (N, 3, H, W) / (3, H, W) float in [0, 1]."""
    t = torch.from_numpy(np.array(images, copy=True) if not images.flags.writeable
                         else np.ascontiguousarray(images))
    return (t.permute(0, 3, 1, 2) if t.ndim == 4 else t.permute(2, 0, 1)).float() / 255.0


def photo_crops(photo: torch.Tensor, n: int, size: int) -> torch.Tensor:
    """``n`` augmented crops (n, 3, size, size) of one photo (3, H, W)."""
    crop = v2.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True)
    out = []
    for _ in range(n):
        x = crop(photo)
        if torch.rand(()) < 0.5:
            x = x.flip(-1)
        out.append(_JITTER(x).clamp(0, 1))
    return torch.stack(out)


def render_crops(images: torch.Tensor, size: int) -> torch.Tensor:
    """Mild crops and flips of a batch of renders (B, 3, H, W) -> (B, 3, size, size)."""
    crop = v2.RandomResizedCrop(size, scale=(0.5, 1.0), ratio=(0.85, 1.18), antialias=True)
    out = []
    for x in images:
        x = crop(x)
        out.append(x.flip(-1) if torch.rand(()) < 0.5 else x)
    return torch.stack(out)


def randomise_texture(image: torch.Tensor, texture: torch.Tensor, mix: float = 0.8) -> torch.Tensor:
    """Keep ``image``'s Fourier phase, take ``mix`` of ``texture``'s amplitude and its colours.

    Both (3, H, W) in [0, 1], same size. ``mix`` 0 returns ``image``'s spectrum unchanged.
    """
    fi, ft = torch.fft.fft2(image), torch.fft.fft2(texture)
    amp = (1 - mix) * fi.abs() + mix * ft.abs()
    out = torch.fft.ifft2(torch.polar(amp, fi.angle())).real
    mu, sd = out.mean((1, 2), keepdim=True), out.std((1, 2), keepdim=True).clamp_min(1e-6)
    tmu, tsd = texture.mean((1, 2), keepdim=True), texture.std((1, 2), keepdim=True)
    mu_mix = (1 - mix) * mu + mix * tmu
    sd_mix = (1 - mix) * sd + mix * tsd
    return ((out - mu) / sd * sd_mix + mu_mix).clamp(0, 1)
