"""Projected gradient descent on images in [0, 1], pure torch (L2 or Linf ball).

Untargeted: maximises the cross-entropy of ``labels``. Starts from zero (no random
start), step size ``step`` (default 2.5 * eps / steps, the Madry et al. rule).
``pgd(...)`` returns (adversarial images, kept) where ``kept[i]`` is True when the
model predicted ``labels[i]`` at the start and after every step (an image counts as
broken if its label flips at any step). The model's train/eval mode and its
parameters' ``requires_grad`` flags are left as they were. ``stop_when_broken``
ends the attack once every image's label has flipped (same counts, less time; the
perturbations are then those of fewer steps).
"""
import torch
import torch.nn.functional as F


def _project(delta: torch.Tensor, eps: float, norm: str) -> torch.Tensor:
    if norm == "linf":
        return delta.clamp(-eps, eps)
    n = delta.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
    return delta * (eps / n).clamp(max=1.0)


def _ascent(grad: torch.Tensor, step: float, norm: str) -> torch.Tensor:
    if norm == "linf":
        return step * grad.sign()
    n = grad.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
    return step * grad / n


def pgd(model, images: torch.Tensor, labels: torch.Tensor, eps: float, steps: int,
        norm: str = "l2", step: float | None = None, stop_when_broken: bool = False):
    if norm not in ("l2", "linf"):
        raise ValueError(f"norm must be 'l2' or 'linf', not {norm!r}")
    step = 2.5 * eps / max(steps, 1) if step is None else step
    images = images.detach()
    delta = torch.zeros_like(images, requires_grad=True)
    kept = torch.ones(len(images), dtype=torch.bool, device=images.device)
    if eps <= 0 or steps <= 0:
        with torch.no_grad():
            kept &= model(images).argmax(1) == labels
        return images.clone(), kept
    for _ in range(steps):
        logits = model(images + delta)
        kept &= logits.detach().argmax(1) == labels
        if stop_when_broken and not kept.any():
            break   # every label has flipped: more steps change no count
        grad, = torch.autograd.grad(F.cross_entropy(logits, labels), delta)
        with torch.no_grad():
            delta += _ascent(grad, step, norm)
            delta.copy_(_project(delta, eps, norm))
            delta.copy_((images + delta).clamp(0, 1) - images)
    adv = (images + delta).detach()
    with torch.no_grad():
        kept &= model(adv).argmax(1) == labels
    return adv, kept
