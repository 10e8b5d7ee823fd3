"""`perturber train-pack`: everything a fine-tune reads, in one file for a machine without Panda3D.

  perturber train-pack [--renders 1400] [--seeds 0,1] [--max-scenes N] [--quality 85]
                       [--images FOLDER] --out PACK.npz

Renders random scenes (``game.batch.train_data``, cached; training seeds only) with their
texture-swapped twins, adds the packaged training photos (+ ``--images``) and the texture
bank, and writes them JPEG-compressed (``nets.training.pack``). On the GPU machine:
``python -m nets.training.batched --pack PACK.npz --teacher WEIGHTS ...``.
"""
from __future__ import annotations

import json
from pathlib import Path

from game.cli import values
from game.core.params import ParamError


def add_commands(sub) -> None:
    p = sub.add_parser("train-pack", help="render + pack training images for a GPU machine "
                       "(python -m nets.training.batched)")
    p.add_argument("--renders", type=values.count(1, 100_000), default=1400, help="random scenes per seed")
    p.add_argument("--seeds", default="0", help="render seeds, e.g. 0,1 (training seeds are < 10000)")
    p.add_argument("--max-scenes", type=values.count(1, 1_000_000), default=None, help="keep at most this many scenes")
    p.add_argument("--quality", type=values.count(1, 100), default=85, help="JPEG quality (default 85)")
    p.add_argument("--images", default=None, help="a folder of extra training photos")
    p.add_argument("--max-images", type=values.count(1, 1_000_000), default=2000)
    p.add_argument("--out", required=True, help="the pack file (.npz)")


def run(args) -> int | None:
    if args.command != "train-pack":
        return None
    return cmd_train_pack(args)


def parse_seeds(text: str) -> list[int]:
    from game.batch.train_data import HELDOUT_SEED_BASE

    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ParamError(f"train-pack: --seeds must be integers, not {text!r}") from None
    if not seeds or any(s < 0 or s >= HELDOUT_SEED_BASE for s in seeds):
        raise ParamError(f"train-pack: seeds must be in 0..{HELDOUT_SEED_BASE - 1} "
                         "(larger seeds are kept for evaluation)")
    return seeds


def cmd_train_pack(args) -> int:
    import numpy as np

    from game.batch.train_data import DATA_VERSION, cached, texture_bank
    from nets.training.pack import write_pack
    from nets.training.photos import TRAIN_PHOTOS, photos

    seeds = parse_seeds(args.seeds)
    if args.renders < 1 or not 1 <= args.quality <= 100:
        raise ParamError("train-pack: --renders must be >= 1 and --quality in 1..100")
    clean, swapped = [], []
    for seed in seeds:
        print(f"rendering/reading {args.renders} scenes, seed {seed} ...", flush=True)
        data = cached("random", args.renders, seed)
        clean += list(data["clean"])
        swapped += list(data["swapped"])
    if args.max_scenes is not None:
        clean, swapped = clean[:args.max_scenes], swapped[:args.max_scenes]
    extra = []
    if args.images:
        from game.cli.train import folder_images

        extra = [(t.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
                 for t in folder_images(args.images, args.max_images)]
    groups = {"clean": clean, "swapped": swapped, "photos": photos(TRAIN_PHOTOS) + extra,
              "textures": texture_bank(np.random.default_rng(seeds[0] + 7))}
    meta = {"kind": "random", "data_version": DATA_VERSION, "renders_per_seed": args.renders,
            "seeds": seeds, "scenes": len(clean), "photos": list(TRAIN_PHOTOS),
            "extra_images": len(extra),
            "sources": "renders: game/batch/train_data.py; photos: scikit-image data (public domain / "
                       "CC0, nets/training/photos.py)"}
    path = write_pack(args.out, groups, meta, quality=args.quality)
    size = Path(path).stat().st_size
    print(json.dumps({"pack": str(path), "mb": round(size / 2**20, 1),
                      "groups": {k: len(v) for k, v in groups.items()}}), flush=True)
    return 0
