"""What every PGD variant shares: checks, the step loop, mode handling.

Settings go in the constructor (model, eps, target, step size), data in the call
(``start`` / ``run``: images, and optionally the labels to move away from). Images are
in [0, 1]; the model normalises them itself (``Classifier``).
The gradient is taken with respect to the input only: the model's parameters are
never asked for gradients (``requires_grad`` stays as it is, ``.grad`` stays None),
and its train/eval mode is restored after every forward pass.

A variant (one per file) defines the norm: ``_direction(grad)`` (the steepest ascent
direction of unit size in that norm) and ``_project(delta)`` (onto the eps ball).
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

# Each step moves eps / 8 (thesis: "The step magnitude is one-eighth of the
# chosen epsilon value").
STEP_FRACTION = 1.0 / 8.0
RANGE_TOLERANCE = 1e-5  # input values this far outside [0, 1] are clamped, not refused


class AttackError(ValueError):
    """A setting or input the attack refuses; the message says why."""


def check_eps(eps, what: str = "eps") -> float:
    """``eps`` (or another size named ``what``) as a finite float >= 0."""
    try:
        value = float(eps)
    except (TypeError, ValueError):
        raise AttackError(f"{what} must be a number, got {eps!r}") from None
    if not math.isfinite(value):
        raise AttackError(f"{what} must be a finite number, got {eps!r}")
    if value < 0:
        raise AttackError(f"{what} must be >= 0, got {eps!r}")
    return value


def madry_step(eps: float, steps: int) -> float:
    """2.5 * eps / steps (Madry et al. 2018): enough for ``steps`` steps to cross the ball."""
    return 2.5 * eps / max(int(steps), 1)


def check_target(target) -> int | None:
    """None (untargeted) or a class index >= 0 (an int, or text / float holding one)."""
    if target is None:
        return None
    if isinstance(target, bool):
        raise AttackError(f"target must be a class index, got {target!r}")
    try:
        value = float(str(target).strip())
    except ValueError:
        raise AttackError(f"target must be a class index, got {target!r}") from None
    if not math.isfinite(value) or value != int(value) or value < 0:
        raise AttackError(f"target must be a whole class index >= 0, got {target!r}")
    return int(value)


def as_batch(images: torch.Tensor) -> torch.Tensor:
    """(3, H, W) or (B, 3, H, W) in [0, 1] -> a detached float32 (B, 3, H, W) copy."""
    x = torch.as_tensor(images)
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if x.dim() != 4 or x.shape[1] != 3:
        raise AttackError(f"expected images of shape (3, H, W) or (B, 3, H, W), "
                          f"got {tuple(x.shape)}")
    x = x.detach().to(torch.float32).clone()
    if not torch.isfinite(x).all():
        raise AttackError("the image contains NaN or infinite values")
    lo, hi = float(x.min()), float(x.max())
    if lo < -RANGE_TOLERANCE or hi > 1 + RANGE_TOLERANCE:
        raise AttackError(f"images must be in [0, 1], got values in [{lo:.4g}, {hi:.4g}]")
    return x.clamp_(0.0, 1.0)


@contextmanager
def eval_mode(model: nn.Module):
    """``model`` in eval mode inside, its own mode (train or eval) restored after."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


class PGD:
    """Projected gradient descent, one step at a time, from the clean image (no random start).

    ``target`` None: untargeted, each step ascends the cross-entropy of the class the
    model predicted for the clean image (or of the ``labels`` given to ``start``). Else:
    each step descends the cross-entropy of class ``target``. Every step has size
    ``step`` (default ``eps / 8``) in the attack's norm, then the perturbation is
    projected onto the eps ball around the clean image and the image clamped to [0, 1].
    """

    norm = ""

    def __init__(self, model: nn.Module, eps: float, target: int | None = None,
                 step: float | None = None):
        self.model = model
        self.eps = check_eps(eps)
        self.target = check_target(target)
        self._step = self.eps * STEP_FRACTION if step is None else check_eps(step, "step")
        self._clean: torch.Tensor | None = None
        self._adv: torch.Tensor | None = None
        self._labels: torch.Tensor | None = None
        self.clean_logits: torch.Tensor | None = None  # (B, classes) of the clean images
        self.last_logits: torch.Tensor | None = None   # of the input of the last step
        self.steps_done = 0

    @property
    def step_size(self) -> float:
        return self._step

    @property
    def targeted(self) -> bool:
        return self.target is not None

    # -- data ---------------------------------------------------------------------------
    def start(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> "PGD":
        """Begin an attack on ``images`` ((3, H, W) or (B, 3, H, W) in [0, 1]).

        ``labels`` ((B,) class indices; untargeted attacks only) are the classes to move
        away from instead of the model's predictions. No forward pass is made for them:
        ``clean_logits`` are then those of the first step (its input is the clean image).
        """
        x = as_batch(images)
        logits = None
        if labels is not None:
            labels = self._given(labels, x)
        else:
            with eval_mode(self.model), torch.no_grad():
                logits = self.model(x).detach().float()
            if logits.dim() != 2:
                raise AttackError(f"the model must return (B, classes) logits, got {tuple(logits.shape)}")
            if self.targeted and self.target >= logits.shape[1]:
                raise AttackError(f"target {self.target} is not a class of this model "
                                  f"(0..{logits.shape[1] - 1})")
            original = logits.argmax(dim=1)
            labels = original if not self.targeted else torch.full_like(original, self.target)
        self._clean, self._adv, self._labels = x, x.clone(), labels
        self.clean_logits = self.last_logits = logits
        self.steps_done = 0
        return self

    def _given(self, labels, x: torch.Tensor) -> torch.Tensor:
        if self.targeted:
            raise AttackError("labels are for an untargeted attack; this one has a target")
        labels = torch.as_tensor(labels, device=x.device)
        if labels.shape != (len(x),) or labels.is_floating_point():
            raise AttackError(f"labels must be {len(x)} class indices, got shape "
                              f"{tuple(labels.shape)} of {labels.dtype}")
        return labels.long()

    def step(self) -> torch.Tensor:
        """One PGD step; returns the adversarial images (B, 3, H, W)."""
        if self._adv is None:
            raise RuntimeError("call start(images) before step()")
        x = self._adv.clone().requires_grad_(True)
        with eval_mode(self.model), torch.enable_grad():
            logits = self.model(x)
            # Summed, not averaged: each image's gradient is its own, whatever the batch.
            loss = F.cross_entropy(logits.float(), self._labels, reduction="sum")
            (grad,) = torch.autograd.grad(loss, x)
        self.last_logits = logits.detach().float()
        if self.clean_logits is None:  # labels were given: this step's input is the clean image
            self.clean_logits = self.last_logits
        sign = -1.0 if self.targeted else 1.0  # targeted descends, untargeted ascends
        moved = self._adv + sign * self.step_size * self._direction(grad)
        delta = self._project(moved - self._clean)
        self._adv = (self._clean + delta).clamp(0.0, 1.0).detach()
        self.steps_done += 1
        return self._adv

    def run(self, images: torch.Tensor, steps: int,
            labels: torch.Tensor | None = None) -> torch.Tensor:
        """``steps`` steps on a batch from scratch; the adversarial images."""
        if int(steps) != steps or steps < 0:
            raise AttackError(f"steps must be a whole number >= 0, got {steps!r}")
        self.start(images, labels)
        for _ in range(int(steps)):
            self.step()
        return self.adversarial

    # -- results ------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._adv is not None

    @property
    def clean(self) -> torch.Tensor:
        self._need_start()
        return self._clean

    @property
    def adversarial(self) -> torch.Tensor:
        """(B, 3, H, W) in [0, 1]: clean + perturbation."""
        self._need_start()
        return self._adv

    @property
    def perturbation(self) -> torch.Tensor:
        """(B, 3, H, W): adversarial - clean, inside the eps ball."""
        self._need_start()
        return self._adv - self._clean

    @property
    def original_class(self) -> torch.Tensor:
        """(B,) the model's top class on the clean images."""
        self._need_start()
        if self.clean_logits is None:
            raise RuntimeError("with labels given, the clean logits come with the first step")
        return self.clean_logits.argmax(dim=1)

    def _need_start(self) -> None:
        if self._adv is None:
            raise RuntimeError("the attack has not started: call start(images)")

    # -- the norm (one file per variant) ----------------------------------------------------
    def _direction(self, grad: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _project(self, delta: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        kind = f"target={self.target}" if self.targeted else "untargeted"
        return f"{type(self).__name__}(eps={self.eps:g}, {kind}, steps_done={self.steps_done})"
