"""Evaluation measures (pure torch): agreement, robust agreement, shape bias, spectra.

- ``agreement``: share of images where a model's top-1 equals the reference labels
  (the standard model's clean labels);
- ``robust_agreement``: the same under a PGD attack on those labels (``nets.attacks``,
  step 2.5 * eps / steps); an image counts as kept only if the label never flips, at
  any step;
- ``shape_bias``: on cue-conflict images, among decisions that fall into the shape's
  or the texture's class set, the share that follows the shape (Geirhos et al. 2019);
- ``confidence``: the model's top-1 probability per image (which reference labels are
  near-ties);
- ``label_stability``: how often a model keeps its own top-1 under changes that keep the
  content (mirror, JPEG, a 90 % centre crop): a ceiling for how well any *other*
  network can be expected to agree with its labels;
- ``low_frequency_share``: share of a perturbation's energy (|FFT|^2 summed over channels
  and images) at radial frequencies <= ``cutoff`` x Nyquist. A constant gives 1 for
  any cutoff; white noise gives about the disc's share of the frequency square,
  pi * cutoff^2 / 4 (for cutoff <= 1).
"""
from typing import Sequence

import torch

from ..attacks import make_attack, madry_step


def predict(model, images: torch.Tensor, batch: int = 32) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model(images[i:i + batch]).argmax(1) for i in range(0, len(images), batch)])


def agreement(model, images: torch.Tensor, labels: torch.Tensor) -> float:
    return float((predict(model, images) == labels).float().mean())


def confidence(model, images: torch.Tensor, batch: int = 32) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model(images[i:i + batch]).softmax(1).amax(1)
                          for i in range(0, len(images), batch)])


def _jpeg(images: torch.Tensor, quality: int) -> torch.Tensor:
    import io

    import numpy as np
    from PIL import Image

    out = []
    for x in images:
        buf = io.BytesIO()
        a = (x.permute(1, 2, 0).clamp(0, 1).numpy() * 255).round().astype(np.uint8)
        Image.fromarray(a).save(buf, "JPEG", quality=quality)
        out.append(torch.from_numpy(np.asarray(Image.open(buf).convert("RGB")).copy()))
    return torch.stack(out).permute(0, 3, 1, 2).float() / 255


def label_stability(model, images: torch.Tensor) -> dict[str, float]:
    """Agreement of ``model`` with its own top-1 under content-keeping changes."""
    h, w = images.shape[-2:]
    dh, dw = round(h * 0.05), round(w * 0.05)
    crop = torch.nn.functional.interpolate(images[..., dh:h - dh, dw:w - dw], size=(h, w),
                                           mode="bilinear", antialias=True, align_corners=False)
    own = predict(model, images)
    return {"mirror": agreement(model, images.flip(-1), own),
            "jpeg75": agreement(model, _jpeg(images, 75), own),
            "crop90": agreement(model, crop, own)}


def topk_agreement(model, images: torch.Tensor, labels: torch.Tensor, k: int = 5,
                   batch: int = 32) -> float:
    """Share of images whose reference label is among the model's top ``k``."""
    with torch.no_grad():
        top = torch.cat([model(images[i:i + batch]).topk(k, 1).indices
                         for i in range(0, len(images), batch)])
    return float((top == labels[:, None]).any(1).float().mean())


def robust_agreement(model, images: torch.Tensor, labels: torch.Tensor, eps: float, steps: int,
                     norm: str, batch: int = 32, stop_when_broken: bool = False):
    """(share kept, perturbations (N, 3, H, W)). ``stop_when_broken`` ends a batch's attack
    once every label has flipped (same counts, less time; the perturbations are then
    those of fewer steps)."""
    kept, deltas = [], []
    for i in range(0, len(images), batch):
        x, y = images[i:i + batch], labels[i:i + batch]
        adv, k = _attacked(model, x, y, eps, steps, norm, stop_when_broken)
        kept.append(k)
        deltas.append(adv - x)
    return float(torch.cat(kept).float().mean()), torch.cat(deltas)


def _attacked(model, x, y, eps, steps, norm, stop_when_broken):
    """(adversarial images, kept): kept[i] when the model says y[i] at every step and after."""
    attack = make_attack(model, norm, eps, step=madry_step(eps, steps)).start(x, y)
    kept = torch.ones(len(x), dtype=torch.bool, device=x.device)
    for _ in range(steps):
        if stop_when_broken and not kept.any():
            break   # every label has flipped: more steps change no count
        attack.step()
        kept &= attack.last_logits.argmax(1) == y
    with torch.no_grad():
        kept &= model(attack.adversarial).argmax(1) == y
    return attack.adversarial, kept


def shape_bias(predictions: torch.Tensor, shapes: Sequence[str], textures: Sequence[str],
               class_sets: dict) -> dict:
    """{"shape_bias": shape / (shape + texture) decisions (nan if none), "shape", "texture", "other"}."""
    n_shape = n_texture = n_other = 0
    for p, s, t in zip(predictions.tolist(), shapes, textures):
        if p in class_sets[s]:
            n_shape += 1
        elif p in class_sets[t]:
            n_texture += 1
        else:
            n_other += 1
    decided = n_shape + n_texture
    return {"shape_bias": n_shape / decided if decided else float("nan"),
            "shape": n_shape, "texture": n_texture, "other": n_other}


def radial_frequency(h: int, w: int) -> torch.Tensor:
    """|f| / Nyquist for every bin of an (h, w) FFT (0 at DC, 1 at the Nyquist edge)."""
    fy = torch.fft.fftfreq(h).view(-1, 1)
    fx = torch.fft.fftfreq(w).view(1, -1)
    return (fy ** 2 + fx ** 2).sqrt() / 0.5


def low_frequency_share(perturbations: torch.Tensor, cutoff: float) -> float:
    """Share of the energy of (N, C, H, W) or (C, H, W) perturbations at |f| <= cutoff x Nyquist."""
    x = perturbations if perturbations.ndim == 4 else perturbations[None]
    power = torch.fft.fft2(x.double()).abs().pow(2).sum((0, 1))
    total = float(power.sum())
    if total == 0:
        return float("nan")
    mask = radial_frequency(*power.shape) <= cutoff
    return float(power[mask].sum()) / total
