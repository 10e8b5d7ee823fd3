"""Rendering training and evaluation images headless, cached as .npz under ``cache/train-data/``.

Three kinds of datasets (all uint8 (N, 224, 224, 3), row 0 = top):

- ``random`` scenes: object (dog/cat, truck/car), morph (shape = texture morph, so no
  scene is a cue conflict), camera (yaw all round, pitch, distance, roll, pan),
  background (lawn, street, a training photo, procedural noise) and post effects
  (hue, saturation, alpha, contrast, texture/background blur, lighting), drawn from a
  seeded generator. Each scene is rendered twice: ``clean`` (its own textures) and
  ``swapped`` (the object's texture replaced from the texture bank, and with p = 0.7
  the background too) -- the pairs the Stylized variant trains on. How wide the ranges
  and which backgrounds, lights and photos: a ``game.batch.variety.Variety`` (default
  ``STANDARD``, the held-out renders'; a dataset of another variety is cached under a
  name of its own); ``scene_table`` lists each scene's draws.
- ``cue_conflict``: dog/cat shape with the other animal's texture (shape_morph 1 +
  texture_morph 0 and the reverse) from many views; ``shape`` / ``texture`` arrays say
  which is which ("dog" or "cat").
- ``views``: the four objects (dog, cat, fire truck, race car: the ends of the two morph
  pairs), each from ``n`` yaws all round, from the pair's preferred pitch and distance on
  its own background; ``object`` names each image's object as ``nets.groups.CLASS_SETS`` does.

The texture bank: the other object's and the same object's other-end textures, the two
backgrounds, scikit-image's brick/grass/gravel (tinted), the training photos, and
procedural noise (smooth colour noise, stripes, checks). Held-out photos
(``nets.training.photos.HELDOUT_PHOTOS``) never enter it. Evaluation sets use seeds
that training sets do not (``HELDOUT_SEED_BASE``).
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
from game.batch.variety import LIGHT_FIELDS, PRESETS, STANDARD, Variety, light_rig, random_light
from game.core import paths

DATA_VERSION = 2  # 2: an object's swap never draws its own pair's textures
HELDOUT_SEED_BASE = 10_000  # evaluation seeds; training uses seeds below this
OBJECTS = ("dog_cat", "truck_car")
BACKGROUNDS = ("lawn", "street")
VIEW_OBJECTS = (("dog_cat", 0, "dog"), ("dog_cat", 1, "cat"), ("truck_car", 0, "fire_truck"),
                ("truck_car", 1, "race_car"))   # (pair, morph, class-set name)
NOISE_BACKGROUNDS = PLAIN_BACKGROUNDS = 16


def cache_dir() -> Path:
    return paths.cache_dir("train-data")


def dataset_path(kind: str, n: int, seed: int, variety: Variety | None = None) -> Path:
    key = variety.key() if variety is not None else ""
    return cache_dir() / f"{kind}-v{DATA_VERSION}-n{n}-s{seed}{'-' + key if key else ''}.npz"


# -- texture bank ----------------------------------------------------------------------------
def _resize(img: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(img[..., :3]).resize((shape[1], shape[0]), Image.BILINEAR))


def _noise(rng: np.random.Generator, size: int = 256) -> np.ndarray:
    kind = rng.integers(3)
    y, x = np.mgrid[0:size, 0:size] / size
    if kind == 0:   # smooth colour noise: upsampled random grid
        g = rng.integers(4, 33)
        small = rng.random((g, g, 3))
        from PIL import Image
        img = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC))
        return img
    c1, c2 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    f = rng.uniform(4, 40)
    if kind == 1:   # stripes at a random angle
        a = rng.uniform(0, np.pi)
        m = (np.sin(2 * np.pi * f * (x * np.cos(a) + y * np.sin(a))) > 0)
    else:           # checks
        m = ((np.floor(x * f) + np.floor(y * f)) % 2) > 0
    return np.where(m[..., None], c1, c2).astype(np.uint8)


def _plain(rng: np.random.Generator, size: int = 256) -> np.ndarray:
    """A studio backdrop: one colour, or a vertical gradient between two."""
    top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    if rng.random() < 0.5:
        bottom = top
    t = np.linspace(0, 1, size)[:, None, None]
    return np.broadcast_to(top * (1 - t) + bottom * t, (size, size, 3)).astype(np.uint8)


def texture_bank(rng: np.random.Generator, n_noise: int = 12,
                 photo_names: tuple[str, ...] | None = None) -> list[np.ndarray]:
    """The bank, in this order: the pairs' textures, the backgrounds, the tinted texture
    photos, ``photo_names`` (default ``TRAIN_PHOTOS``), ``n_noise`` procedural textures."""
    from models3d import catalog
    from nets.training.photos import TEXTURE_PHOTOS, TRAIN_PHOTOS, photo

    bank = []
    for name in OBJECTS:
        pair = catalog.load_pair(name)
        bank += [pair.texture_a[..., :3], pair.texture_b[..., :3]]
    bank += [catalog.load_background(b) for b in BACKGROUNDS]
    for name in TEXTURE_PHOTOS:
        grey = photo(name).astype(np.float32) / 255
        for _ in range(2):
            tint = rng.uniform(0.3, 1.0, 3)
            bank.append((grey * tint * 255).astype(np.uint8))
    bank += [photo(n) for n in (TRAIN_PHOTOS if photo_names is None else photo_names)]
    bank += [_noise(rng) for _ in range(n_noise)]
    return bank


def _square(img: np.ndarray, size: int) -> np.ndarray:
    h, w = img.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return _resize(img[y:y + s, x:x + s], (size, size))


def swapped_pair(pair, texture: np.ndarray):
    """A copy of ``pair`` whose two textures are both ``texture`` (resized to fit)."""
    h, w = pair.texture_a.shape[:2]
    t = _resize(texture, (h, w))
    if pair.texture_a.shape[2] == 4:
        t = np.concatenate([t, pair.texture_a[..., 3:]], 2)
    return dataclasses.replace(pair, texture_a=t, texture_b=t.copy())


# -- scene parameters -------------------------------------------------------------------------
def random_scene(rng: np.random.Generator, base_camera: dict, variety: Variety = STANDARD) -> dict:
    """Scene parameter values for one random training/evaluation scene."""
    morph = float(rng.choice([0.0, 1.0, rng.uniform()], p=[0.4, 0.4, 0.2]))
    return {
        "shape_morph": morph, "texture_morph": morph,
        "yaw": float(rng.uniform(*variety.yaw)),
        "pitch": float(rng.uniform(*variety.pitch)),
        "distance": float(base_camera["distance"] * rng.uniform(*variety.distance)),
        "roll": float(rng.normal(0, variety.roll)),
        "pan_x": float(rng.normal(0, 0.15)), "pan_y": float(rng.normal(0, 0.15)),
        "hue": float(rng.normal(0, 0.05)),
        "saturation": float(rng.uniform(0.6, 1.0)),
        "alpha": float(rng.uniform(0.75, 1.0)),
        "custom": float(rng.uniform(0.75, 1.25)),
        "background_blur": float(rng.choice([0.0, rng.uniform(0, 0.6)])),
        "texture_blur": float(rng.choice([0.0, rng.uniform(0, 0.3)])),
        "lighting_influence": float(rng.uniform(0.5, 1.0)),
    }


# -- rendering --------------------------------------------------------------------------------
class _Backgrounds:
    """Panda3D textures of background images, made once per image: creating a texture
    per frame grows the process by megabytes a frame (llvmpipe keeps them)."""

    def __init__(self, scene):
        self.scene, self.textures = scene, {}

    def show(self, key, image: np.ndarray) -> None:
        from game.core.texconv import numpy_to_texture
        from game.render.gfx import max_lod

        if key not in self.textures:
            self.textures[key] = (numpy_to_texture(image, "background", mipmaps=True),
                                  max_lod(image.shape))
        self.scene.background.set_texture(*self.textures[key])


def plan_random(n: int, seed: int, n_bank: int, n_photo_bgs: int, n_noise: int,
                cameras: dict, variety: Variety = STANDARD) -> list[dict]:
    """The scenes of a random dataset: parameters, object, clean/swapped backgrounds, texture,
    and the light rig (None: the app's lights)."""
    rng = np.random.default_rng(seed)
    lights = np.random.default_rng([seed, 1])   # draws that only a random lighting makes
    counts = {"named": len(BACKGROUNDS), "photo": n_photo_bgs, "noise": n_noise, "bank": n_bank,
              "plain": PLAIN_BACKGROUNDS}
    scenes = []
    for _ in range(n):
        obj = OBJECTS[rng.integers(2)]
        values = random_scene(rng, cameras[obj], variety)
        kind, index = variety.background(rng, counts)
        bg = ("named", BACKGROUNDS[index]) if kind == "named" else (kind, index)
        own = {2 * OBJECTS.index(obj), 2 * OBJECTS.index(obj) + 1}  # bank starts with the pairs' textures
        texture = int(rng.choice([t for t in range(n_bank) if t not in own]))
        swapped_bg = ("bank", int(rng.integers(n_bank))) if rng.random() < variety.swap_background else bg
        light = random_light(lights) if variety.lighting == "random" else None
        scenes.append({"object": obj, "values": values, "bg": bg, "texture": texture,
                       "swapped_bg": swapped_bg, "light": light})
    return scenes


def random_plan(n: int, seed: int, variety: Variety = STANDARD) -> tuple[list[dict], list[np.ndarray]]:
    """(the plan of ``render_random(n, seed, variety=variety)``, the texture bank it indexes)."""
    from models3d import catalog

    bank = texture_bank(np.random.default_rng(seed + 1), variety.noise_textures, variety.photo_names())
    cameras = {o: catalog.load_pair(o).camera for o in OBJECTS}
    return plan_random(n, seed, len(bank), len(variety.photo_names()), NOISE_BACKGROUNDS, cameras,
                       variety), bank


def scene_table(plan: list[dict], variety: Variety = STANDARD) -> dict[str, list]:
    """Each scene's draws as JSON columns: object, camera, background ("named:lawn",
    "photo:astronaut", "noise:3", "bank:7", "plain:2"), the swapped twin's background, and
    the light rig (``light_fields`` values; None for the app's lights)."""
    photos = variety.photo_names()

    def name(bg):
        return f"{bg[0]}:{photos[bg[1]] if bg[0] == 'photo' else bg[1]}"

    return {"object": [s["object"] for s in plan],
            **{k: [round(s["values"][k], 3) for s in plan]
               for k in ("yaw", "pitch", "distance", "roll", "lighting_influence")},
            "background": [name(s["bg"]) for s in plan],
            "swapped_background": [name(s["swapped_bg"]) for s in plan],
            "light_fields": list(LIGHT_FIELDS),
            "light": [None if s["light"] is None else [round(s["light"][k], 3) for k in LIGHT_FIELDS]
                      for s in plan]}


def render_random(n: int, seed: int, swapped: bool = True,
                  variety: Variety = STANDARD) -> dict[str, np.ndarray]:
    """``n`` random scenes: {"clean", "swapped" (if asked), "object" (0/1), "morph"}.

    Renders are grouped by object and by swapped texture so each textured object is
    built once (see ``_Backgrounds``).
    """
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState
    from models3d import catalog
    from nets.training.photos import photo

    plan, bank = random_plan(n, seed, variety)
    noise_rng, plain_rng = np.random.default_rng(seed + 2), np.random.default_rng(seed + 3)
    images = {("named", b): catalog.load_background(b) for b in BACKGROUNDS}
    images.update({("photo", i): _square(photo(p), 512) for i, p in enumerate(variety.photo_names())})
    images.update({("noise", i): _square(_noise(noise_rng), 256) for i in range(NOISE_BACKGROUNDS)})
    images.update({("bank", i): _square(t, 512) for i, t in enumerate(bank)})
    images.update({("plain", i): _plain(plain_rng) for i in range(PLAIN_BACKGROUNDS)})
    pairs = {o: catalog.load_pair(o) for o in OBJECTS}
    clean, swap = [None] * n, [None] * n
    params = ParamState()
    with headless_pipeline(params) as (_base, pipeline, _controller):
        scene, backgrounds = pipeline.scene, _Backgrounds(pipeline.scene)

        def render(indices, pair, bg_key, out):
            scene.set_pair(pair)
            for i in indices:
                params.update(plan[i]["values"])
                if plan[i]["light"] is not None:
                    scene.set_lights(*light_rig(plan[i]["light"]))
                backgrounds.show(plan[i][bg_key], images[plan[i][bg_key]])
                out[i] = pipeline.render_now().image.copy()

        for obj in OBJECTS:
            render([i for i, s in enumerate(plan) if s["object"] == obj], pairs[obj], "bg", clean)
            if not swapped:
                continue
            for t in range(len(bank)):
                todo = [i for i, s in enumerate(plan) if s["object"] == obj and s["texture"] == t]
                if todo:
                    render(todo, swapped_pair(pairs[obj], bank[t]), "swapped_bg", swap)
    result = {"clean": np.stack(clean), "object": np.asarray([OBJECTS.index(s["object"]) for s in plan]),
              "morph": np.asarray([s["values"]["shape_morph"] for s in plan])}
    if swapped:
        result["swapped"] = np.stack(swap)
    return result


def _wrap(yaw: float) -> float:
    return float((yaw + 180) % 360 - 180)


def render_cue_conflict(n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` dog/cat scenes whose shape and texture disagree (half each way)."""
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState
    from models3d import catalog

    rng = np.random.default_rng(seed)
    pair = catalog.load_pair("dog_cat")
    params = ParamState()
    out = {"images": [], "shape": [], "texture": []}
    with headless_pipeline(params) as (_base, pipeline, _controller):
        pipeline.scene.set_pair(pair)
        backgrounds = _Backgrounds(pipeline.scene)
        for i in range(n):
            shape = i % 2    # 0 = dog shape with cat texture, 1 = cat shape with dog texture
            params.update({"shape_morph": float(shape), "texture_morph": float(1 - shape),
                           "yaw": _wrap(rng.uniform(-80, 80) + 180 * (rng.random() < 0.2)),
                           "pitch": float(rng.uniform(-35, 0)),
                           "distance": float(pair.camera["distance"] * rng.uniform(0.85, 1.3))})
            bg = BACKGROUNDS[rng.integers(2)]
            backgrounds.show(bg, catalog.load_background(bg))
            out["images"].append(pipeline.render_now().image.copy())
            out["shape"].append("cat" if shape else "dog")
            out["texture"].append("dog" if shape else "cat")
    return {"images": np.stack(out["images"]), "shape": np.asarray(out["shape"]),
            "texture": np.asarray(out["texture"])}


def render_views(n: int, seed: int) -> dict[str, np.ndarray]:
    """The four objects from ``n`` yaws each, evenly spaced all round and offset by a seeded
    fraction of the spacing: {"images" (4n, 224, 224, 3), "object" (4n,) class-set names}."""
    from game.batch.probe_table import render_views as render

    rng = np.random.default_rng(seed)
    yaws = [_wrap(-180 + (i + rng.uniform()) * 360 / n) for i in range(n)]
    views = render(list(dict.fromkeys(p for p, _, _ in VIEW_OBJECTS)), yaws)
    return {"images": np.stack([views[(p, m, y)] for p, m, _ in VIEW_OBJECTS for y in yaws]),
            "object": np.asarray([name for _, _, name in VIEW_OBJECTS for _ in yaws])}


RENDERERS = {"random": render_random, "cue_conflict": render_cue_conflict, "views": render_views}


def cached(kind: str, n: int, seed: int, variety: Variety | None = None) -> dict[str, np.ndarray]:
    """The dataset (rendered once, then read from ``cache/train-data/``); ``variety``: of a
    random dataset (default ``STANDARD``)."""
    if variety is not None and kind != "random":
        raise ValueError(f"only random datasets have a variety, not {kind!r}")
    path = dataset_path(kind, n, seed, variety)
    try:
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError):
        pass
    data = RENDERERS[kind](n, seed, **({"variety": variety} if variety is not None else {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez_compressed(tmp, **data)
    os.replace(tmp, path)
    return data


def main(argv=None) -> int:
    import argparse
    import time

    ap = argparse.ArgumentParser(description="render and cache a training/evaluation dataset")
    ap.add_argument("kind", choices=tuple(RENDERERS))
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variety", choices=tuple(PRESETS), default=None,
                    help="of a random dataset (default standard)")
    a = ap.parse_args(argv)
    variety = PRESETS[a.variety] if a.variety else None
    t = time.monotonic()
    data = cached(a.kind, a.n, a.seed, variety)
    print(f"{dataset_path(a.kind, a.n, a.seed, variety)}: {[(k, v.shape) for k, v in data.items()]} "
          f"in {time.monotonic() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
