"""Adversarial attacks: PGD under L2 or Linf, one file per norm.

    attack = make_attack(model, "l2", eps=1.0)           # untargeted
    attack = make_attack(model, "linf", 8 / 255, target=291)
    attack.start(image)        # (3, H, W) or (B, 3, H, W) in [0, 1]
    attack.step()              # one step of eps / 8, projected, clamped to [0, 1]
    attack.adversarial, attack.perturbation, attack.steps_done
    adv = attack.run(images, steps=10)                     # a batch, from scratch
    attack = make_attack(model, "l2", 0.5, step=madry_step(0.5, 10))   # 2.5 * eps / steps
    adv = attack.run(images, 10, labels)     # away from given labels (no clean forward pass)

``eps`` is in the units of the [0, 1] image for both norms (8/255 for Linf "8").
"""
from .base import (PGD, STEP_FRACTION, AttackError, check_eps, check_target, eval_mode,
                   madry_step)
from .pgd_l2 import PGDL2
from .pgd_linf import PGDLinf

ATTACKS: dict[str, type[PGD]] = {"l2": PGDL2, "linf": PGDLinf}
NORMS = tuple(ATTACKS)


def make_attack(model, norm: str, eps: float, target: int | None = None,
                step: float | None = None) -> PGD:
    """The PGD attack for ``norm`` ("l2" or "linf"); ``step`` defaults to eps / 8."""
    try:
        cls = ATTACKS[str(norm).lower()]
    except KeyError:
        raise AttackError(f"unknown norm {norm!r}; choose one of {', '.join(NORMS)}") from None
    return cls(model, eps, target, step)


__all__ = ["ATTACKS", "AttackError", "NORMS", "PGD", "PGDL2", "PGDLinf", "STEP_FRACTION",
           "check_eps", "check_target", "eval_mode", "madry_step", "make_attack"]
