"""Fine-tuning a student from a frozen teacher, without labelled data.

Labels: the teacher's **soft** predictions (softmax, temperature 1) on the clean image;
the inner PGD attack of the "adv" variant uses the teacher's **hard** label (argmax).

- ``adv``: loss = KL(p_teacher(x) || p_student(PGD_L2(x))) + clean_weight * KL(p_teacher(x) ||
  p_student(x)). The pilot's recipe (eval mode: BatchNorm statistics frozen, Adam lr 5e-5,
  batch 32, 160 px crops, L2 PGD-2 at eps 0.5, step eps, from zero) plus what it lacked:
  the clean distillation term, a frozen classifier layer (its bias is where a class
  prior drifts fastest), class-balanced sampling of renders, and far more diverse images.
- ``stylized``: loss = KL(p_teacher(clean) || p_student(texture-swapped)) + clean_weight *
  KL(p_teacher(clean) || p_student(clean)): the same scene or photo, its label fixed
  by the clean version, its textures replaced (renders: object/background textures swapped
  in the 3D scene; photos: ``augment.randomise_texture``).

Checkpoints: fp16 safetensors of the network's state_dict, ``<name>_iter<N>.safetensors``
(the weights after N optimiser steps) at the requested iterations, and the final weights
``<name>.safetensors`` with ``<name>.json`` (configuration and training log). Beside each,
``<name>_state_iter<N>.safetensors`` (``nets.training.state``): what a resumed run needs to
continue exactly as if it had never stopped.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from . import augment
from .state import rng_states, run_settings, save_state, state_path, write_safetensors
from ..attacks import PGDL2, madry_step

VARIANTS = ("adv", "stylized")


@dataclass
class TrainConfig:
    variant: str = "adv"
    steps: int | None = None          # stop after this many optimiser steps ...
    minutes: float | None = None      # ... or after this much wall time (whichever first)
    batch: int = 32
    size: int = 160                   # training crop size (the model is fully convolutional)
    lr: float = 5e-5
    eps: float = 0.5                  # L2 radius of the inner attack, images in [0, 1]
    attack_steps: int = 2
    clean_weight: float = 1.0
    photo_fraction: float = 0.25      # share of each batch taken from photos
    freeze: tuple[str, ...] = ("classifier",)   # parameter-name prefixes kept fixed
    l2sp: float = 0.0                 # weight of the pull towards the teacher's weights (L2-SP)
    balance_power: float = 0.5        # render sampling weight = count(teacher label) ** -power
    checkpoints: tuple[int, ...] = ()
    seed: int = 0
    log_every: int = 10
    device: str = "cpu"               # "cpu", "cuda", "cuda:1", ... (see ``resolve_device``)
    # what a resumed run may change: how long it runs, where and what it saves
    FREE_ON_RESUME: ClassVar[tuple[str, ...]] = ("steps", "minutes", "checkpoints", "log_every",
                                                 "device")

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, not {self.variant!r}")
        if self.steps is None and self.minutes is None:
            raise ValueError("give steps or minutes")
        resolve_device(self.device)  # a missing GPU fails here, before any data is made


@dataclass
class Pool:
    """Training images. ``renders`` (N, H, W, 3) uint8; ``swapped``: the same scenes with
    textures swapped (stylized only); ``photos`` / ``textures``: (3, H, W) float tensors."""
    renders: np.ndarray
    swapped: np.ndarray | None = None
    photos: list = field(default_factory=list)
    textures: list = field(default_factory=list)
    weights: np.ndarray | None = None


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> CUDA when torch sees a GPU, else CPU; a CUDA device that is not
    there is a clear ValueError (not a crash deep inside the first step)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {name!r}: use cpu, cuda, cuda:N or auto") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r}: torch sees no CUDA GPU on this machine")
    return device


def kl_soft(p_teacher: torch.Tensor, logits_student: torch.Tensor) -> torch.Tensor:
    """KL(p_teacher || softmax(logits_student)), mean over the batch."""
    logp = F.log_softmax(logits_student, 1)
    return (p_teacher * (p_teacher.clamp_min(1e-12).log() - logp)).sum(1).mean()


def trainable(student: torch.nn.Module, freeze=()) -> list[torch.nn.Parameter]:
    """Mark the student's parameters trainable except those under ``freeze`` prefixes
    (relative to the wrapped network ``student.net``); eval mode (BatchNorm frozen)."""
    student.eval()
    params = []
    for name, p in student.net.named_parameters():
        keep = not any(name.startswith(f) for f in freeze)
        p.requires_grad_(keep)
        if keep:
            params.append(p)
    return params


def balance_weights(teacher, renders: np.ndarray, power: float, size: int = 160,
                    batch: int = 64) -> np.ndarray:
    """Sampling weights that flatten the teacher's label distribution over ``renders``."""
    labels = []
    with torch.no_grad():
        for i in range(0, len(renders), batch):
            x = augment.to_tensor(renders[i:i + batch]).to(_device_of(teacher))
            x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
            labels.append(teacher(x).argmax(1))
    labels = torch.cat(labels).cpu().numpy()
    counts = np.bincount(labels, minlength=1000).astype(np.float64)
    w = counts[labels] ** -power
    return w / w.sum()


def sample_batch(pool: Pool, cfg: TrainConfig, rng: np.random.Generator):
    """(student input, teacher input), both (B, 3, size, size) in [0, 1]."""
    n_photo = int(round(cfg.batch * cfg.photo_fraction)) if pool.photos else 0
    n_render = cfg.batch - n_photo
    idx = rng.choice(len(pool.renders), n_render, p=pool.weights)
    clean = augment.to_tensor(pool.renders[idx])
    if cfg.variant == "stylized":
        both = torch.cat([clean, augment.to_tensor(pool.swapped[idx])], 1)  # same crop for both
        both = augment.render_crops(both, cfg.size)
        t_in, s_in = both[:, :3], both[:, 3:]
    else:
        t_in = s_in = augment.render_crops(clean, cfg.size)
    if n_photo:
        which = rng.integers(len(pool.photos), size=n_photo)
        crops = torch.cat([augment.photo_crops(pool.photos[i], 1, cfg.size) for i in which])
        if cfg.variant == "stylized":
            styled = []
            for c in crops:
                tex = augment.photo_crops(pool.textures[rng.integers(len(pool.textures))], 1, cfg.size)[0]
                styled.append(augment.randomise_texture(c, tex, float(rng.uniform(0.6, 1.0))))
            s_photo = torch.stack(styled)
        else:
            s_photo = crops
        t_in, s_in = torch.cat([t_in, crops]), torch.cat([s_in, s_photo])
    return s_in, t_in


def _device_of(model) -> torch.device:
    return next(model.parameters(), torch.empty(0)).device


def early_blocks(n: int) -> tuple[str, ...]:
    """The parameter prefixes of MobileNetV2's first ``n`` feature blocks (``features.0.`` ...),
    for ``freeze``: the early, generic filters kept as the teacher has them."""
    return tuple(f"features.{i}." for i in range(n))


def anchors(student, teacher) -> list[tuple[torch.nn.Parameter, torch.Tensor]]:
    """(trainable parameter, the teacher's value of it): what L2-SP pulls towards."""
    start = dict(teacher.net.named_parameters())
    return [(p, start[n].detach().clone()) for n, p in student.net.named_parameters()
            if p.requires_grad]


def l2sp_penalty(pairs) -> torch.Tensor:
    """The squared distance of the trainable parameters from their anchors (Li et al. 2018)."""
    return sum((p - a).pow(2).sum() for p, a in pairs)


def train_step(student, teacher, optimiser, s_in, t_in, cfg: TrainConfig, anchor=None) -> float:
    """One optimiser step; the loss (with ``cfg.l2sp`` x ``l2sp_penalty(anchor)`` when given)."""
    device = _device_of(student)
    s_in, t_in = s_in.to(device, non_blocking=True), t_in.to(device, non_blocking=True)
    with torch.no_grad():
        p_t = F.softmax(teacher(t_in), 1)
    if cfg.variant == "adv":
        step = cfg.eps if cfg.attack_steps <= 2 else madry_step(cfg.eps, cfg.attack_steps)
        s_in = PGDL2(student, cfg.eps, step=step).run(s_in, cfg.attack_steps, p_t.argmax(1))
    logits = student(torch.cat([s_in, t_in]))
    n = len(s_in)
    loss = kl_soft(p_t, logits[:n]) + cfg.clean_weight * kl_soft(p_t, logits[n:])
    if anchor and cfg.l2sp:
        loss = loss + cfg.l2sp * l2sp_penalty(anchor)
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    optimiser.step()
    return float(loss.detach())


def save_weights(student, path: Path, iteration: int | None = None) -> Path:
    """fp16 safetensors of the student's weights, written whole (temp file, then rename);
    ``iteration`` (optimiser steps behind these weights) goes into the file's metadata."""
    sd = {k: (v.half() if v.is_floating_point() else v).detach().cpu().contiguous()
          for k, v in student.net.state_dict().items()}
    meta = {"iteration": str(int(iteration))} if iteration is not None else None
    return write_safetensors(path, sd, meta)


def train(student, teacher, pool: Pool, cfg: TrainConfig, out: Path, name: str,
          log=print, start_step: int = 0, previous: dict | None = None, state=None) -> dict:
    """Fine-tune ``student`` (a ``Classifier``, changed in place) and write its checkpoints,
    each with its state file (``nets.training.state``), and the final weights with theirs.

    ``state``: a ``TrainState`` of an earlier run of the same settings, continued exactly
    (weights, optimiser, generators, iteration and record come from it). Without one,
    ``start_step``: iterations already done (the student holds their weights; the
    optimiser starts afresh), ``previous``: the earlier run's record, kept in this one.
    ``cfg.steps`` / ``cfg.minutes`` count this run only.
    Returns the run's record (also written to ``out/<name>.json``).
    """
    out = Path(out)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    device = resolve_device(cfg.device)
    student.to(device)
    teacher.to(device)
    params = trainable(student, cfg.freeze)
    teacher.eval().requires_grad_(False)
    if pool.weights is None and cfg.balance_power > 0:
        pool.weights = balance_weights(teacher, pool.renders, cfg.balance_power, cfg.size)
    optimiser = torch.optim.Adam(params, lr=cfg.lr)
    anchor = anchors(student, teacher) if cfg.l2sp else None
    run = run_settings(cfg, cfg.FREE_ON_RESUME, renders=len(pool.renders), photos=len(pool.photos))
    if state is not None:
        state.check("loop", run)
        state.restore(student, optimiser, device)
        rng.bit_generator.state = state.progress["numpy_rng"]
        start_step, previous = state.iteration, state.progress["record"]
    wanted = sorted(i for i in set(cfg.checkpoints) if i > 1)
    start, history, saved = time.monotonic(), [], {}
    step = start_step

    def record_at(weights: Path) -> dict:
        return run_record(name, cfg, step, time.monotonic() - start, (step - start_step) * cfg.batch,
                          saved, weights, history, len(pool.renders), len(pool.photos),
                          start_step=start_step, previous=previous)

    def keep_state(weights: Path) -> None:
        save_state(state_path(out, name, step), iteration=step, recipe="loop", run=run,
                   student=student, optimiser=optimiser, rng=rng_states(device),
                   progress={"numpy_rng": rng.bit_generator.state, "record": record_at(weights)})

    while True:
        elapsed = time.monotonic() - start
        if cfg.steps is not None and step - start_step >= cfg.steps:
            break
        if cfg.minutes is not None and elapsed >= cfg.minutes * 60:
            break
        s_in, t_in = sample_batch(pool, cfg, rng)
        loss = train_step(student, teacher, optimiser, s_in, t_in, cfg, anchor)
        step += 1
        history.append(loss)
        if step in wanted:
            saved[step] = str(save_weights(student, out / f"{name}_iter{step}.safetensors", step))
            keep_state(Path(saved[step]))
        if step % cfg.log_every == 0 or step == 1:
            recent = history[-cfg.log_every:]
            rate = (step - start_step) * cfg.batch / max(time.monotonic() - start, 1e-9)
            log(f"step {step}  loss {sum(recent) / len(recent):.4f}  {rate:.1f} images/s  "
                f"{(time.monotonic() - start) / 60:.1f} min")
    final = save_weights(student, out / f"{name}.safetensors", step)
    if step > start_step:
        keep_state(final)
    record = record_at(final)
    (out / f"{name}.json").write_text(json.dumps(record, indent=1))
    return record


def run_record(name: str, cfg, steps: int, wall: float, images: int, saved: dict, final: Path,
               history: list, renders: int, photos: int, **extra) -> dict:
    """What a training run writes to ``<name>.json`` (and the model card reads)."""
    return {"name": name, "config": asdict(cfg), "steps": steps, "wall_s": round(wall, 1),
            "images_seen": images, "checkpoints": saved, "final": str(final),
            "start_step": 0, "previous": None, **extra,
            "loss_first": history[:5], "loss_last": history[-5:],
            "loss_curve": [round(float(np.mean(history[i:i + 25])), 4)
                           for i in range(0, len(history), 25)],
            "renders": int(renders), "photos": photos}
