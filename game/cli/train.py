"""`perturber train`: fine-tune the standard MobileNetV2 into a robust variant.

  perturber train --variant adv|stylized [--minutes M | --steps N] [--checkpoints 100,300]
                  [--images FOLDER] [--eps E] [--attack-steps K] --out DIR [--name NAME]
                  [--resume [FILE]]

Renders come from ``game.batch.train_data`` (cached under ``cache/train-data/``), photos from
``nets.training.photos`` (+ ``--images``); the loop is ``nets.training.loop`` (see it
for the losses and defaults). Writes ``DIR/NAME_iter<N>.safetensors`` at the requested
iterations, ``DIR/NAME.safetensors`` (final) and ``DIR/NAME.json`` (the run's record), and
beside each weights file its state ``DIR/NAME_state_iter<N>.safetensors``, from which
``--resume`` continues the run exactly.
"""
from __future__ import annotations

import json
from pathlib import Path

from game.cli import values
from game.core.outputs import check_output, check_output_dir
from game.core.params import ParamError

MAX_MINUTES = 7 * 24 * 60
MAX_STEPS = 10_000_000

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".JPEG"}
NEWEST = True   # --resume without a file: the newest state of the run in --out


def add_commands(sub) -> None:
    p = sub.add_parser("train", help="fine-tune MobileNetV2 into an Adv. Trained or Stylized variant")
    p.add_argument("--variant", choices=("adv", "stylized"), required=True)
    p.add_argument("--minutes", type=values.number(above=0, hi=MAX_MINUTES), default=None,
                   help="wall-time budget")
    p.add_argument("--steps", type=values.count(1, MAX_STEPS), default=None,
                   help="optimiser steps (default 300 when --minutes is not given)")
    p.add_argument("--checkpoints", type=values.iterations, default=(),
                   help="iterations to save, e.g. 100,300")
    p.add_argument("--images", type=values.existing_dir, default=None,
                   help="a folder of extra training images (searched recursively; e.g. "
                   "ImageNet's train folder)")
    p.add_argument("--max-images", type=values.count(1, 1_000_000), default=2000,
                   help="at most this many from --images")
    p.add_argument("--eps", type=values.number(0, 16), default=0.5,
                   help="L2 radius of the inner attack, images in [0, 1] (default 0.5)")
    p.add_argument("--attack-steps", type=values.count(0, 1000), default=2,
                   help="inner PGD steps (default 2)")
    p.add_argument("--clean-weight", type=values.number(0, 100), default=None,
                   help="weight of the clean distillation term (default 1 adv, 0.5 stylized)")
    p.add_argument("--lr", type=values.number(above=0, hi=1), default=5e-5)
    p.add_argument("--l2sp", type=values.number(0, 1e6), default=0.0,
                   help="weight of the pull towards the standard model's weights (L2-SP; "
                   "against forgetting; default 0)")
    p.add_argument("--freeze-blocks", type=values.count(0, 19), default=0,
                   help="keep the first N feature blocks as the standard model has them "
                   "(the classifier always is; default 0)")
    p.add_argument("--batch", type=values.count(1, 4096), default=32)
    p.add_argument("--size", type=values.count(32, 1024), default=160,
                   help="training crop size (default 160)")
    p.add_argument("--renders", type=values.count(1, 100_000), default=1400,
                   help="random scenes to render/cache")
    p.add_argument("--render-seed", type=values.count(0), default=0)
    p.add_argument("--seed", type=values.count(0), default=0)
    p.add_argument("--threads", type=values.count(0, 256), default=0,
                   help="torch threads (0 = torch's default)")
    p.add_argument("--device", default="auto",
                   help="cpu, cuda, cuda:N, or auto (CUDA when torch sees a GPU; default)")
    p.add_argument("--resume", nargs="?", const=NEWEST, type=values.existing_file, default=None,
                   metavar="FILE",
                   help="continue a run exactly from its state: without FILE the newest state "
                   "of --name in --out; FILE: a state file, or a weights file (its state file "
                   "beside it, else the weights alone: the iteration comes from the file or its "
                   "NAME.json, the optimiser and generators restart). Give the same settings")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--name", type=values.name, default=None,
                   help="file stem (default mobilenet_v2_<variant>)")
    p.add_argument("--force", action="store_true",
                   help="replace the final weights and record of an earlier run of this name")


def run(args) -> int | None:
    if args.command != "train":
        return None
    return cmd_train(args)


def resume_state(resume, out: Path, name: str):
    """The ``TrainState`` that ``--resume`` names, or None for a weights file without one."""
    from nets.loading import ModelLoadError
    from nets.training.state import load_state, newest_state, state_for

    if resume is NEWEST:
        found = newest_state(out, name)
        if found is None:
            raise ParamError(f"--resume: no state of run {name!r} in {out} "
                             f"({name}_state_iter<N>.safetensors); give the file to resume from")
        return load_state(found)
    try:
        found = state_for(resume)
    except ModelLoadError as exc:
        raise ParamError(f"--resume: {exc}") from None
    return load_state(found) if found else None


def resume_point(path: Path) -> tuple[int, dict | None]:
    """(iterations already done, the earlier run's record or None) for ``--resume path``,
    a weights file without a state file beside it.

    The iteration comes from the weights file's own metadata; for files without it, from
    ``NAME.json`` beside a final weights file. A file that says neither is refused: counting
    from 0 again would overwrite the earlier run's checkpoints."""
    from nets.loading import ModelLoadError, iteration_of

    try:
        done = iteration_of(path)
    except ModelLoadError as exc:
        raise ParamError(f"--resume: {exc}") from None
    meta = path.with_suffix(".json")
    previous = None
    if meta.is_file():
        try:
            previous = json.loads(meta.read_text())
        except (OSError, ValueError) as exc:
            raise ParamError(f"--resume: {meta} is not a readable run record ({exc})") from None
        if not isinstance(previous, dict) or not isinstance(previous.get("steps"), int):
            raise ParamError(f"--resume: {meta} is not a run record (no 'steps')")
    if done is None and previous is not None:
        done = previous["steps"]
    if done is None:
        raise ParamError(f"--resume {path}: the file does not say which iteration it holds "
                         "(no metadata, no NAME.json beside it)")
    return done, previous


def folder_images(folder, limit: int, max_side: int = 320) -> list:
    """Up to ``limit`` images of ``folder`` as (3, H, W) float tensors, shorter side <= max_side."""
    import numpy as np
    from PIL import Image

    from nets.training.augment import to_tensor

    files = sorted(p for p in Path(folder).expanduser().rglob("*") if p.suffix in IMAGE_SUFFIXES)
    if len(files) > limit:
        idx = np.random.default_rng(0).choice(len(files), limit, replace=False)
        files = [files[i] for i in sorted(idx)]
    out = []
    for f in files:
        try:
            im = Image.open(f).convert("RGB")
        except OSError:
            continue
        scale = max_side / min(im.size)
        if scale < 1:
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.BILINEAR)
        out.append(to_tensor(np.asarray(im)))
    return out


def build_pool(variant: str, n_renders: int, render_seed: int, images: str | None, max_images: int):
    import numpy as np

    from game.batch.train_data import cached, texture_bank
    from nets.training.augment import to_tensor
    from nets.training.loop import Pool
    from nets.training.photos import TRAIN_PHOTOS, photos

    data = cached("random", n_renders, render_seed)
    photo_list = [to_tensor(p) for p in photos(TRAIN_PHOTOS)]
    if images:
        photo_list += folder_images(images, max_images)
    if variant == "adv":  # both renderings are just more images for adversarial training
        return Pool(np.concatenate([data["clean"], data["swapped"]]), photos=photo_list)
    textures = [to_tensor(t) for t in texture_bank(np.random.default_rng(render_seed + 7))]
    return Pool(data["clean"], data["swapped"], photos=photo_list, textures=textures)


def cmd_train(args) -> int:
    import torch

    from nets import registry
    from nets.training.loop import TrainConfig, early_blocks, train
    from nets.training.state import run_settings

    if args.threads:
        torch.set_num_threads(args.threads)
    steps = args.steps if (args.steps or args.minutes) else 300
    try:
        cfg = TrainConfig(variant=args.variant, steps=steps, minutes=args.minutes,
                          batch=args.batch, size=args.size, lr=args.lr, eps=args.eps,
                          attack_steps=args.attack_steps,
                          clean_weight=args.clean_weight if args.clean_weight is not None
                          else (1.0 if args.variant == "adv" else 0.5),
                          checkpoints=args.checkpoints, seed=args.seed, l2sp=args.l2sp,
                          freeze=TrainConfig.freeze + early_blocks(args.freeze_blocks),
                          device=args.device)
    except ValueError as exc:
        raise ParamError(f"train: {exc}") from None
    name = args.name or f"mobilenet_v2_{args.variant}"
    out = check_output_dir(args.out, "--out")
    state = resume_state(args.resume, out, name) if args.resume else None
    if state is not None:   # the settings now; the data's sizes are checked once it is made
        state.check("loop", {**state.run, **run_settings(cfg, cfg.FREE_ON_RESUME)})
        start_step, previous = state.iteration, None
    else:
        start_step, previous = resume_point(args.resume) if args.resume else (0, None)
    # continuing this run's own state replaces its final files; anything else needs --force
    own = state is not None and state.path.parent.resolve() == out.resolve() \
        and state.path.name.startswith(f"{name}_state_iter")
    for suffix in (".safetensors", ".json", ".md"):  # before any work: the place is writable
        check_output(out / f"{name}{suffix}", force=args.force or own, what="train output")
    print(f"rendering/reading {args.renders} scenes ...", flush=True)
    pool = build_pool(args.variant, args.renders, args.render_seed, args.images, args.max_images)
    print(f"pool: {len(pool.renders)} renders, {len(pool.photos)} photos", flush=True)
    teacher = registry.load("mobilenet_v2")
    student = registry.load("mobilenet_v2")
    if state is not None:
        print(f"resuming {state.path} at iteration {start_step} (weights, optimiser, "
              "generators)", flush=True)
    elif args.resume:
        from nets.loading import load_checkpoint, load_into

        load_into(student.net, load_checkpoint(args.resume), source=args.resume)
        print(f"resuming {args.resume} at iteration {start_step} (weights only: no state file "
              "beside it)", flush=True)
    record = train(student, teacher, pool, cfg, out, name, log=lambda s: print(s, flush=True),
                   start_step=start_step, previous=previous, state=state)
    from nets.training.card import model_card

    (out / f"{name}.md").write_text(model_card(record))
    print(json.dumps({k: record[k] for k in ("name", "steps", "wall_s", "images_seen",
                                             "checkpoints", "final")}, indent=1))
    return 0
