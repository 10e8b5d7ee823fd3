"""The batched recipe: the same fine-tune as ``loop.train``, shaped for a GPU.

``loop.train`` is the CPU recipe (batch 32, Python-side augmentation, labels from the
teacher on the *clean, un-augmented* image). This one keeps its losses and safeguards
(``loop.train_step``: soft labels, PGD on the teacher's hard label for ``adv``, the clean
distillation term, frozen classifier, frozen BatchNorm statistics, class-balanced
render sampling) and changes what a GPU makes cheap:

- the data lives on the device (a ``pack``: uint8 renders, their texture-swapped twins,
  photos and textures) and is augmented there in a few batched kernels
  (``batch_augment``): random resized crops, flips and colour jitter per sample;
- **consistent teaching**: the teacher labels the very crop the student sees (its clean
  version), so every augmentation is a new, correctly labelled example (Beyer et al.
  2022, "Knowledge distillation: a good teacher is patient and consistent");
- large batches (256), bf16 autocast, AdamW with a linear warm-up and a cosine decay
  to zero over a **budget** of wall time (``--seconds``) or of steps (``--steps``), so a
  run of any length ends annealed; the schedule starts once the first step has run;
- checkpoints at fractions of the budget (their iteration numbers are recorded), each
  with its state file (``nets.training.state``); a process may stop before the budget
  is spent (``--stop-after``, e.g. a short GPU slot) and the next one continues from the
  newest state in the output folder, where the schedule stood;
- the student starts from the teacher's weights, or from another weights file
  (``--init``, a ``.safetensors`` file read weights-only, e.g. a bundled variant); a
  resumed run continues its own weights instead.

Run on a machine with only torch (no Panda3D): ``python -m nets.training.batched
--pack PACK.npz --teacher WEIGHTS --variant adv --seconds 300 --out DIR``.
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from . import batch_augment as aug
from .loop import (TrainConfig, anchors, balance_weights, early_blocks, resolve_device,
                   run_record, save_weights, train_step, trainable)
from .state import rng_states, run_settings, save_state, state_path


@dataclass
class BatchedConfig:
    variant: str = "adv"
    seconds: float = 300.0            # wall-time budget (the lr schedule spans it) ...
    steps: int | None = None          # ... or a budget of optimiser steps instead
    max_steps: int | None = None      # stop at this step, budget or not (tests, smoke runs)
    stop_after: float | None = None   # this process stops after these seconds (a GPU slot)
    batch: int = 256
    size: int = 224
    lr: float = 2e-4
    warmup: float = 0.03              # fraction of the budget
    weight_decay: float = 0.0
    eps: float = 0.5
    eps_ramp: float = 0.3             # the attack's eps rises from 0 over this fraction (adv)
    attack_steps: int = 2
    clean_weight: float = 1.0
    photo_fraction: float = 0.25
    freeze: tuple[str, ...] = ("classifier",)
    l2sp: float = 0.0                 # pull towards the teacher's weights (``loop.l2sp_penalty``)
    balance_power: float = 0.5
    checkpoints: tuple[float, ...] = (0.3,)   # fractions of the budget
    seed: int = 0
    device: str = "auto"
    amp: bool = True                  # bf16 autocast on CUDA
    log_every: int = 25
    # what a resumed run may change: when this process stops, where and what it saves
    FREE_ON_RESUME: ClassVar[tuple[str, ...]] = ("max_steps", "stop_after", "checkpoints",
                                                 "device", "log_every")

    def progress(self, step: int, seconds: float) -> float:
        """How much of the budget is spent after ``step`` steps and ``seconds`` of training."""
        return step / self.steps if self.steps else seconds / self.seconds

    def step_config(self) -> TrainConfig:
        """The per-step settings ``loop.train_step`` reads."""
        return TrainConfig(variant=self.variant, steps=1, batch=self.batch, size=self.size,
                           lr=self.lr, eps=self.eps, attack_steps=self.attack_steps,
                           clean_weight=self.clean_weight, photo_fraction=self.photo_fraction,
                           freeze=self.freeze, l2sp=self.l2sp, device=self.device)

    def eps_at(self, progress: float) -> float:
        """The inner attack's radius: a linear ramp from 0 (a sudden full-strength attack on
        the pretrained network wrecks its features in the first steps)."""
        return self.eps * min(progress / self.eps_ramp, 1.0) if self.eps_ramp > 0 else self.eps

    def lr_at(self, progress: float) -> float:
        """Linear warm-up, then cosine decay to 0 at the end of the budget."""
        if progress < self.warmup:
            return self.lr * max(progress, 1e-3) / self.warmup
        t = min((progress - self.warmup) / max(1 - self.warmup, 1e-9), 1.0)
        return self.lr * 0.5 * (1 + math.cos(math.pi * t))


class DevicePool:
    """A pack's images on the training device, and batches drawn from them."""

    def __init__(self, groups: dict, device: torch.device, variant: str, photo_side: int = 384):
        def stack(images):
            return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous().to(device)

        self.device = device
        self.variant = variant
        self.clean = stack(groups["clean"])
        self.swapped = stack(groups["swapped"]) if variant == "stylized" else None
        if variant == "adv" and groups.get("swapped"):
            self.clean = torch.cat([self.clean, stack(groups["swapped"])])  # just more images
        self.photos = [_float(p, device, photo_side) for p in groups.get("photos", [])]
        self.textures = [_float(t, device, photo_side) for t in groups.get("textures", [])]
        self.weights = torch.full((len(self.clean),), 1.0 / len(self.clean), device=device)

    def balance(self, teacher, power: float, size: int) -> None:
        renders = self.clean.permute(0, 2, 3, 1).cpu().numpy()
        w = balance_weights(teacher, renders, power, size=size, batch=256)
        self.weights = torch.from_numpy(w).float().to(self.device)

    def batch(self, cfg: BatchedConfig, gen: torch.Generator):
        """(student input, teacher input), (B, 3, size, size) in [0, 1] on the device."""
        n_photo = int(round(cfg.batch * cfg.photo_fraction)) if self.photos else 0
        idx = torch.multinomial(self.weights, cfg.batch - n_photo, replacement=True, generator=gen)
        x = self.clean[idx].float() / 255
        if self.swapped is not None:
            x = torch.cat([x, self.swapped[idx].float() / 255], 1)   # twins share crop + colours
        x = aug.jitter(aug.crops(x, cfg.size, gen=gen), gen=gen)
        t_in, s_in = x[:, :3], x[:, -3:]
        if n_photo:
            p = self._photo_crops(n_photo, cfg.size, gen)
            s_p = p
            if self.variant == "stylized" and self.textures:
                tex = self._crops(self.textures, n_photo, cfg.size, (0.2, 1.0), gen)
                mix = 0.6 + 0.4 * torch.rand(n_photo, device=self.device, generator=gen)
                s_p = aug.randomise_texture(p, tex, mix)
            t_in, s_in = torch.cat([t_in, p]), torch.cat([s_in, s_p])
        fmt = torch.channels_last if self.device.type == "cuda" else torch.contiguous_format
        return s_in.contiguous(memory_format=fmt), t_in.contiguous(memory_format=fmt)

    def _photo_crops(self, n, size, gen):
        return aug.jitter(self._crops(self.photos, n, size, (0.08, 1.0), gen), gen=gen)

    def _crops(self, images, n, size, scale, gen):
        which = torch.randint(len(images), (n,), device=self.device, generator=gen).cpu()
        out = torch.empty(n, 3, size, size, device=self.device)
        for i in which.unique().tolist():
            sel = (which == i).nonzero().flatten().to(self.device)
            src = images[i].unsqueeze(0).expand(len(sel), -1, -1, -1)
            out[sel] = aug.crops(src, size, scale=scale, ratio=(0.75, 1.33), gen=gen)
        return out


class FullPrecision(torch.nn.Module):
    """Runs the wrapped model in fp32 even inside an autocast region (the teacher: its labels
    must be the ones the evaluation compares with, not bf16 near-ties flipped)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        with torch.autocast(x.device.type, enabled=False):
            return self.model(x.float())


def _float(img: np.ndarray, device, side: int) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, h, w) float on ``device``, shorter side at most ``side``."""
    t = torch.from_numpy(np.array(img, copy=True)).permute(2, 0, 1).float().div(255).to(device)
    scale = side / min(t.shape[1:])
    if scale < 1:
        t = torch.nn.functional.interpolate(t[None], scale_factor=scale, mode="bilinear",
                                            antialias=True, align_corners=False)[0]
    return t


def train_batched(student, teacher, pool: DevicePool, cfg: BatchedConfig, out: Path, name: str,
                  log=print, state=None, init: str | None = None) -> dict:
    """Fine-tune ``student`` (changed in place) over ``cfg``'s budget; write checkpoints.

    ``state``: a ``TrainState`` of an earlier process of this run (same settings), continued
    exactly: weights, optimiser, generators, iteration and the schedule's position. The
    process ends when the budget is spent, at ``cfg.max_steps`` or after ``cfg.stop_after``
    seconds; it then writes the weights, the record and (after any step) its state.
    ``init``: the weights file the student was loaded from (``load_init``), recorded;
    None: the teacher's weights (or, resumed, whatever the first process recorded).
    """
    out = Path(out)
    t_setup = time.monotonic()
    first_step_s = 0.0
    device = resolve_device(cfg.device)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator(device=device).manual_seed(cfg.seed)
    student.to(device)
    teacher.to(device).eval().requires_grad_(False)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cudnn.allow_tf32 = False   # the teacher's labels in full fp32
        student.to(memory_format=torch.channels_last)
        teacher.to(memory_format=torch.channels_last)
    params = trainable(student, cfg.freeze)
    anchor = anchors(student, teacher) if cfg.l2sp else None
    teacher = FullPrecision(teacher)
    if cfg.balance_power > 0:
        pool.balance(teacher, cfg.balance_power, cfg.size)
    optimiser = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    run = run_settings(cfg, cfg.FREE_ON_RESUME, renders=len(pool.clean), photos=len(pool.photos),
                       textures=len(pool.textures))
    step, spent, previous = 0, 0.0, None
    if state is not None:
        state.check("batched", run)
        state.restore(student, optimiser, device, gen)
        step, spent, previous = state.iteration, state.progress["seconds"], state.progress["record"]
    start_step = step
    step_cfg = cfg.step_config()
    autocast = torch.autocast(device.type, dtype=torch.bfloat16,
                              enabled=cfg.amp and device.type == "cuda")
    marks = sorted(f for f in set(cfg.checkpoints) if cfg.progress(step, spent) < f < 1)
    history, saved = [], {}
    setup_s = time.monotonic() - t_setup
    start = None   # the schedule's clock runs from the end of this process's first step

    def seconds() -> float:   # training seconds of the budget spent, earlier processes included
        return spent + (time.monotonic() - start if start is not None else 0.0)

    def keep(weights: Path) -> dict:
        record = run_record(name, cfg, step, seconds() - spent, (step - start_step) * cfg.batch,
                            saved, weights, history, len(pool.clean), len(pool.photos),
                            recipe="batched", start_step=start_step, previous=previous,
                            budget_spent=cfg.progress(step, seconds()) >= 1, init=init,
                            setup_s=round(setup_s, 1), first_step_s=round(first_step_s, 1),
                            machine=machine_description(device))
        if step > start_step:
            save_state(state_path(out, name, step), iteration=step, recipe="batched", run=run,
                       student=student, optimiser=optimiser, rng=rng_states(device, gen),
                       progress={"seconds": seconds(), "record": record})
        return record

    while True:
        progress = cfg.progress(step, seconds())
        if progress >= 1 or (cfg.max_steps is not None and step >= cfg.max_steps) or \
                (cfg.stop_after is not None and time.monotonic() - t_setup >= cfg.stop_after):
            break
        for group in optimiser.param_groups:
            group["lr"] = cfg.lr_at(progress)
        step_cfg.eps = cfg.eps_at(progress)
        s_in, t_in = pool.batch(cfg, gen)
        with autocast:
            loss = train_step(student, teacher, optimiser, s_in, t_in, step_cfg, anchor)
        step += 1
        history.append(loss)
        if start is None:   # kernel autotuning on a process's first step is not training time
            first_step_s = time.monotonic() - t_setup - setup_s
            start = time.monotonic()
        while marks and cfg.progress(step, seconds()) >= marks[0]:
            marks.pop(0)
            saved[step] = str(save_weights(student, out / f"{name}_iter{step}.safetensors", step))
            keep(Path(saved[step]))
        if step % cfg.log_every == 0 or step == start_step + 1:
            recent = history[-cfg.log_every:]
            elapsed = max(seconds() - spent, 1e-9)
            log(f"{name} step {step}  loss {sum(recent) / len(recent):.4f}  "
                f"lr {cfg.lr_at(progress):.2e}  eps {step_cfg.eps:.3f}  "
                f"{(step - start_step - 1) * cfg.batch / elapsed:.0f} images/s  {elapsed:.0f} s"
                + (f"  (setup {setup_s:.0f} s, first step {first_step_s:.0f} s)"
                   if step == start_step + 1 else ""))
    final = save_weights(student, out / f"{name}.safetensors", step)
    record = keep(final)
    (out / f"{name}.json").write_text(json.dumps(record, indent=1))
    return record


def machine_description(device: torch.device) -> str:
    if device.type == "cuda":
        return (f"{torch.cuda.get_device_name(device)} GPU, torch {torch.__version__}, "
                f"bf16 autocast")
    return f"{platform.machine()} CPU, {torch.get_num_threads()} torch thread(s), torch {torch.__version__}"


def load_init(student, path) -> None:
    """Load the weights file ``path`` into ``student``: a ``.safetensors`` file only (never a
    pickle), read by ``nets.loading``; ValueError / ``ModelLoadError`` for anything else."""
    from ..loading import load_into, load_state_dict_file, metadata_of
    from .state import FORMAT

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--init {path}: no such file")
    if path.suffix.lower() != ".safetensors":
        raise ValueError(f"--init {path}: give a .safetensors weights file (pickles are not read)")
    meta = metadata_of(path)
    if meta.get("format") == FORMAT and "progress" in meta:
        raise ValueError(f"--init {path}: a training state; continue its run with --resume")
    load_into(student.net, load_state_dict_file(path), source=path)


def load_standard(path) -> "torch.nn.Module":
    """The standard MobileNetV2 (a ``Classifier``) from a weights file, without the registry's
    package lookup (the training machine may not have the weights package installed)."""
    from .. import registry  # noqa: F401  registers the architectures
    from ..models import mobilenet

    return mobilenet.build(Path(path))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nets.training.batched", description=__doc__.split("\n")[0])
    ap.add_argument("--pack", required=True, help="training pack (perturber train-pack)")
    ap.add_argument("--teacher", required=True, help="standard MobileNetV2 weights file")
    ap.add_argument("--variant", choices=("adv", "stylized"), required=True)
    ap.add_argument("--seconds", type=float, default=300.0, help="the budget in wall time")
    ap.add_argument("--steps", type=int, default=None,
                    help="the budget in optimiser steps instead of --seconds (reproducible)")
    ap.add_argument("--max-steps", type=int, default=None, help="stop at this step")
    ap.add_argument("--stop-after", type=float, default=None,
                    help="stop this process after these seconds (the next one resumes)")
    ap.add_argument("--checkpoints", default="0.3", help="fractions of the budget, e.g. 0.1,0.4")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default=None)
    ap.add_argument("--resume", default=None,
                    help="the state file to continue from (default: the newest of this run in --out)")
    ap.add_argument("--fresh", action="store_true",
                    help="start from the teacher even when --out holds states of this run")
    ap.add_argument("--init", default=None, metavar="WEIGHTS",
                    help="start from this .safetensors weights file instead of the teacher's "
                    "weights (e.g. a bundled variant); a resumed run continues its own weights")
    fields = ("batch", "size", "lr", "warmup", "eps", "eps_ramp", "attack_steps", "clean_weight",
              "photo_fraction", "balance_power", "weight_decay", "l2sp", "seed")
    for field in fields:
        default = getattr(BatchedConfig, field)
        ap.add_argument(f"--{field.replace('_', '-')}", type=type(default), default=None)
    ap.add_argument("--freeze-blocks", type=int, default=0,
                    help="also keep the first N feature blocks as the teacher has them")
    ap.add_argument("--device", default="auto")
    a = ap.parse_args(argv)
    from ..loading import ModelLoadError
    from .pack import read_pack
    from .state import StateMismatch, load_state, newest_state

    overrides = {f: getattr(a, f) for f in fields if getattr(a, f) is not None}
    if a.variant == "stylized":
        overrides.setdefault("clean_weight", 0.5)
    cfg = BatchedConfig(variant=a.variant, seconds=a.seconds, steps=a.steps, max_steps=a.max_steps,
                        stop_after=a.stop_after,
                        checkpoints=tuple(float(s) for s in a.checkpoints.split(",") if s.strip()),
                        freeze=BatchedConfig.freeze + early_blocks(a.freeze_blocks),
                        device=a.device, **overrides)
    name = a.name or f"mobilenet_v2_{a.variant}"
    if a.resume and a.fresh:
        ap.error("--resume and --fresh exclude each other")
    resume = a.resume or (None if a.fresh else newest_state(a.out, name))
    try:
        state = load_state(resume) if resume else None
        device = resolve_device(cfg.device)
        teacher, student = load_standard(a.teacher), load_standard(a.teacher)
        init = a.init if state is None else None
        if init:
            load_init(student, init)
        t0 = time.monotonic()
        groups, meta = read_pack(a.pack)
        pool = DevicePool(groups, device, cfg.variant)
        print(f"pack {a.pack}: {meta['groups']} read in {time.monotonic() - t0:.1f} s", flush=True)
        if state is not None:
            print(f"resuming {state.path} at iteration {state.iteration}"
                  + (f" (its own weights: --init {a.init} is not used)" if a.init else ""), flush=True)
        elif init:
            print(f"starting from {init} (--init), not from the teacher's weights", flush=True)
    except (StateMismatch, ModelLoadError, ValueError) as exc:   # a bad file or device: before any step
        ap.error(str(exc))
    try:
        record = train_batched(student, teacher, pool, cfg, Path(a.out), name,
                               log=lambda s: print(s, flush=True), state=state, init=init)
    except StateMismatch as exc:
        ap.error(str(exc))
    record["pack"] = {k: v for k, v in meta.items() if k != "scene_table"}   # per scene: in the pack
    Path(a.out, f"{name}.json").write_text(json.dumps(record, indent=1))
    print(json.dumps({k: record[k] for k in ("name", "steps", "wall_s", "images_seen",
                                             "checkpoints", "budget_spent")}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
