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
  pi * cutoff^2 / 4 (for cutoff <= 1);
- ``topk_overlap``: the share of the reference's top-k classes that are in the model's;
- ``in_set`` / ``kept_in_set``: whether the top-1 lies in each image's class set (dog
  breeds, cats, ...: superclass accuracy), on the clean image and under a PGD attack on
  -log p(set) (``SetScore``); ``kept_under_attack``: per image, robust agreement;
- ``nested_robustness``: robustness at several radii and step counts, each image
  attacked only while no smaller or shorter attack has flipped it;
- ``seen_in_perturbation``: whether a viewer model (the standard one) sees the adversarial
  class in the perturbation alone, stretched to the image's range.
"""
from typing import Callable, Sequence

import torch
from torch import nn

from ..attacks import make_attack, madry_step


def predict(model, images: torch.Tensor, batch: int = 32) -> torch.Tensor:
    """Top-1 class per image (an empty long tensor for no images)."""
    if not len(images):
        return torch.zeros(0, dtype=torch.long)
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


def topk(model, images: torch.Tensor, k: int = 5, batch: int = 32) -> torch.Tensor:
    """(N, k) the model's ``k`` highest classes per image, highest first (all of them when
    it has fewer)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            logits = model(images[i:i + batch])
            out.append(logits.topk(min(k, logits.shape[1]), 1).indices)
    return torch.cat(out)


def topk_agreement(model, images: torch.Tensor, labels: torch.Tensor, k: int = 5,
                   batch: int = 32) -> float:
    """Share of images whose reference label is among the model's top ``k``."""
    return float((topk(model, images, k, batch) == labels[:, None]).any(1).float().mean())


def topk_overlap(model, images: torch.Tensor, reference_topk: torch.Tensor) -> float:
    """Mean share of the reference's top-k classes (N, k) that are among the model's top k."""
    own = topk(model, images, reference_topk.shape[1])
    return float((own[:, :, None] == reference_topk[:, None, :]).any(1).float().mean())


def class_set_masks(names: Sequence[str], class_sets: dict, classes: int = 1000) -> torch.Tensor:
    """(N, classes) bool: row i marks the classes of the set ``names[i]``."""
    masks = torch.zeros(len(names), classes, dtype=torch.bool)
    for i, name in enumerate(names):
        masks[i, list(class_sets[name])] = True
    return masks


def in_set(model, images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """(N,) bool: the model's top-1 lies in the image's class set."""
    return masks.gather(1, predict(model, images)[:, None].to(masks.device))[:, 0]


class SetScore(nn.Module):
    """Two logits per image: the log-sum-exp of the model's logits inside the image's class
    set and outside it. Cross-entropy on class 0 is -log p(set), so an attack on it pushes
    the whole set down (not one class of it); ``top1_in_set`` (after each forward): whether
    the model's own top-1 lies in the set."""

    def __init__(self, model, masks: torch.Tensor):
        super().__init__()
        self.model, self.masks = model, masks
        self.top1_in_set = None
        # in the model's own mode: an attack restores this wrapper's mode, and with it the model's
        self.train(getattr(model, "training", False))

    def forward(self, x):
        logits = self.model(x)
        masks = self.masks.to(logits.device)
        self.top1_in_set = masks.gather(1, logits.argmax(1, keepdim=True))[:, 0].detach()
        low = torch.finfo(logits.dtype).min
        return torch.stack([logits.masked_fill(~masks, low).logsumexp(1),
                            logits.masked_fill(masks, low).logsumexp(1)], 1)


def kept_in_set(model, images: torch.Tensor, masks: torch.Tensor, eps: float, steps: int,
                norm: str, batch: int = 8) -> torch.Tensor:
    """(N,) bool: the top-1 stays in the image's class set at every step of a PGD attack on
    -log p(set) (step 2.5 eps / steps, from zero) and after it. Small batches: a batch's
    attack ends only once every image of it has left its set."""
    kept = []
    for i in range(0, len(images), batch):
        x, score = images[i:i + batch], SetScore(model, masks[i:i + batch])
        attack = make_attack(score, norm, eps, step=madry_step(eps, steps))
        attack.start(x, torch.zeros(len(x), dtype=torch.long, device=x.device))
        k = torch.ones(len(x), dtype=torch.bool, device=x.device)
        for _ in range(steps):
            if not k.any():
                break
            attack.step()
            k &= score.top1_in_set
        with torch.no_grad():
            score(attack.adversarial)
        kept.append(k & score.top1_in_set)
    return torch.cat(kept)


def kept_under_attack(model, images: torch.Tensor, labels: torch.Tensor, eps: float, steps: int,
                      norm: str, batch: int = 8) -> torch.Tensor:
    """(N,) bool: ``robust_agreement`` per image (the label never flips); small batches as
    in ``kept_in_set``."""
    return torch.cat([_attacked(model, images[i:i + batch], labels[i:i + batch], eps, steps,
                                norm, stop_when_broken=True)[1]
                      for i in range(0, len(images), batch)])


def nested_robustness(kept: Callable, start: torch.Tensor, radii: Sequence[float],
                      steps: Sequence[int]) -> dict[tuple[float, int], torch.Tensor]:
    """{(eps, K): (N,) bool} for every radius and step count: kept by every attack of at
    most K steps (of ``steps``) and radius at most eps, starting from ``start`` (e.g. the
    images right when clean). ``kept(indices, eps, steps)`` attacks only those images. A
    flip found inside a smaller ball is a flip inside every larger one, and one found in
    fewer steps counts for more steps: such images are not attacked again."""
    out = {}
    previous = {k: start.clone() for k in steps}      # kept at the last (smaller) radius
    for eps in sorted(radii):
        shorter = start.clone()                       # kept at this radius with fewer steps
        for k in sorted(steps):
            now = previous[k] & shorter
            todo = now.nonzero().flatten()
            if len(todo):
                now[todo] = kept(todo, eps, k).to(now.device)
            out[(eps, k)] = previous[k] = shorter = now
    return out


def amplified(perturbations: torch.Tensor) -> torch.Tensor:
    """Each (3, H, W) perturbation stretched to fill [0, 1] (its minimum -> 0, its maximum
    -> 1, over all channels; a constant one -> 0.5)."""
    flat = perturbations.flatten(1)
    lo, hi = flat.amin(1).view(-1, 1, 1, 1), flat.amax(1).view(-1, 1, 1, 1)
    span = hi - lo
    return torch.where(span > 0, (perturbations - lo) / span.clamp_min(1e-12),
                       torch.full_like(perturbations, 0.5))


def seen_in_perturbation(viewer, perturbations: torch.Tensor, classes: torch.Tensor) -> dict:
    """How much of each adversarial class (N,) the viewer sees in its perturbation alone
    (amplified): {"top1": share where it is the viewer's top-1, "top5": among its top 5,
    "images": N}; nan shares for no images."""
    if not len(perturbations):
        return {"top1": float("nan"), "top5": float("nan"), "images": 0}
    top = topk(viewer, amplified(perturbations), 5)
    classes = classes.to(top.device)
    return {"top1": float((top[:, 0] == classes).float().mean()),
            "top5": float((top == classes[:, None]).any(1).float().mean()),
            "images": len(perturbations)}


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
