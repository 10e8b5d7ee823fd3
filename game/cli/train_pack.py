"""`perturber train-pack`: everything a fine-tune reads, in one file for a machine without Panda3D.

  perturber train-pack [--renders 1400] [--seeds 0,1] [--max-scenes N] [--quality 85]
                       [--images FOLDER] [--variety wide|standard] [--yaw=LO,HI] [--pitch=LO,HI]
                       [--distance LO,HI] [--roll SD] [--lighting random|fixed]
                       [--backgrounds KIND[=W],...] [--photos all|standard]
                       [--noise-textures N] [--swap-background P] --out PACK.npz

Renders random scenes (``game.batch.train_data``, cached; training seeds only) with their
texture-swapped twins, adds the packaged training photos (+ ``--images``) and the texture
bank, and writes them JPEG-compressed (``nets.training.pack``). How varied the scenes are:
``--variety`` (default ``wide``, ``game.batch.variety``), each of its settings replaced by
its own option. The meta records the variety, the photos' names and every scene's draws
(``train_data.scene_table``). Held-out photos never enter a pack. On the GPU machine:
``python -m nets.training.batched --pack PACK.npz --teacher WEIGHTS ...``.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from game.batch.variety import BACKGROUND_KINDS, PRESETS, Variety
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
    p.add_argument("--variety", choices=tuple(PRESETS), default="wide",
                   help="scene variety preset (default wide; standard: that of the held-out renders)")
    p.add_argument("--yaw", type=value_range, default=None, metavar="LO,HI",
                   help="camera yaw range in degrees (write --yaw=-90,90)")
    p.add_argument("--pitch", type=value_range, default=None, metavar="LO,HI",
                   help="camera pitch range in degrees, < 0 looks down (wide: --pitch=-70,20)")
    p.add_argument("--distance", type=value_range, default=None, metavar="LO,HI",
                   help="camera distance range, x the object's own (wide: 0.65,1.7)")
    p.add_argument("--roll", type=values.number(0, 90), default=None,
                   help="standard deviation of the camera roll in degrees (wide: 12)")
    p.add_argument("--lighting", choices=("random", "fixed"), default=None,
                   help="random: a light rig per scene; fixed: the app's lights (wide: random)")
    p.add_argument("--backgrounds", type=background_weights, default=None, metavar="KIND[=W],...",
                   help=f"background kinds and weights, of {', '.join(BACKGROUND_KINDS)} "
                   "(wide: named=3,photo=3,bank=2,noise=1,plain=1)")
    p.add_argument("--photos", choices=("all", "standard"), default=None,
                   help="all: every packaged training photo; standard: the 12 of the CPU recipe "
                   "(wide: all)")
    p.add_argument("--noise-textures", type=values.count(0, 1000), default=None,
                   help="procedural textures in the texture bank (wide: 24)")
    p.add_argument("--swap-background", type=values.number(0, 1), default=None,
                   help="probability that a swapped twin's background is a bank image (0.7)")
    p.add_argument("--out", required=True, help="the pack file (.npz)")


def run(args) -> int | None:
    if args.command != "train-pack":
        return None
    return cmd_train_pack(args)


def value_range(text: str) -> tuple[float, float]:
    """``"LO,HI"`` -> (LO, HI), finite, LO <= HI."""
    parts = values.numbers()(text)
    if len(parts) != 2 or parts[0] > parts[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: give LO,HI with LO <= HI")
    return tuple(parts)


def background_weights(text: str) -> tuple[tuple[str, float], ...]:
    """``"named=3,photo,plain=0.5"`` -> (("named", 3.0), ("photo", 1.0), ("plain", 0.5))."""
    out = []
    for part in (s.strip() for s in text.split(",") if s.strip()):
        kind, _, weight = part.partition("=")
        if kind not in BACKGROUND_KINDS:
            raise argparse.ArgumentTypeError(f"{kind!r}: a background kind is one of "
                                             f"{', '.join(BACKGROUND_KINDS)}")
        out.append((kind, values.number(0)(weight) if weight else 1.0))
    if not out:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least one background kind")
    return tuple(out)


def variety_of(args) -> Variety:
    """The ``--variety`` preset with the settings given by their own options replaced."""
    fields = {f.name for f in dataclasses.fields(Variety)}
    changes = {k: getattr(args, k) for k in fields if getattr(args, k, None) is not None}
    try:
        return dataclasses.replace(PRESETS[args.variety], **changes)
    except ValueError as exc:
        raise ParamError(f"train-pack: {exc}") from None


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

    from game.batch.train_data import DATA_VERSION, cached, random_plan, scene_table, texture_bank
    from nets.training.pack import write_pack
    from nets.training.photos import photos

    from game.core.outputs import check_output

    seeds = parse_seeds(args.seeds)
    if args.renders < 1 or not 1 <= args.quality <= 100:
        raise ParamError("train-pack: --renders must be >= 1 and --quality in 1..100")
    # A pack takes minutes to make: a file in its place is replaced, a folder or a device is not.
    check_output(args.out, force=True, what="--out", suffixes=(".npz",))
    variety = variety_of(args)
    photo_names = variety.photo_names()
    clean, swapped, table = [], [], {}
    for seed in seeds:
        print(f"rendering/reading {args.renders} scenes, seed {seed} ...", flush=True)
        data = cached("random", args.renders, seed, variety)
        clean += list(data["clean"])
        swapped += list(data["swapped"])
        for key, column in scene_table(random_plan(args.renders, seed, variety)[0], variety).items():
            table[key] = column if key == "light_fields" else table.get(key, []) + column
    if args.max_scenes is not None:
        clean, swapped = clean[:args.max_scenes], swapped[:args.max_scenes]
        table = {k: v if k == "light_fields" else v[:args.max_scenes] for k, v in table.items()}
    extra = []
    if args.images:
        from game.cli.train import folder_images

        extra = [(t.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
                 for t in folder_images(args.images, args.max_images)]
    groups = {"clean": clean, "swapped": swapped, "photos": photos(photo_names) + extra,
              "textures": texture_bank(np.random.default_rng(seeds[0] + 7), variety.noise_textures,
                                       photo_names)}
    meta = {"kind": "random", "data_version": DATA_VERSION, "renders_per_seed": args.renders,
            "seeds": seeds, "scenes": len(clean), "photos": list(photo_names),
            "extra_images": len(extra), "variety": variety.describe(), "scene_table": table,
            "sources": "renders: game/batch/train_data.py; photos: scikit-image data (public domain / "
                       "CC0, nets/training/photos.py)"}
    path = write_pack(args.out, groups, meta, quality=args.quality)
    size = Path(path).stat().st_size
    print(json.dumps({"pack": str(path), "mb": round(size / 2**20, 1),
                      "groups": {k: len(v) for k, v in groups.items()}}), flush=True)
    return 0
