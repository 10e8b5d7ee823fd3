"""Rendering training and evaluation images headless, cached as .npz under ``cache/train-data/``.

Three kinds of datasets (all uint8 (N, 224, 224, 3), row 0 = top):

- ``random`` scenes: object (dog/cat, truck/car), morph (shape = texture morph, so no
  scene is a cue conflict), camera (yaw all round, pitch, distance, roll, pan),
  background (lawn, street, a training photo, procedural noise) and post effects
  (hue, saturation, alpha, contrast, texture/background blur, lighting), drawn from a
  seeded generator. Each scene is rendered twice: ``clean`` (its own textures) and
  ``swapped`` (the object's texture replaced from the texture bank, and with p = 0.7
  the background too) -- the pairs the Stylized variant trains on.
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
from game.core import paths

DATA_VERSION = 2  # 2: an object's swap never draws its own pair's textures
HELDOUT_SEED_BASE = 10_000  # evaluation seeds; training uses seeds below this
OBJECTS = ("dog_cat", "truck_car")
BACKGROUNDS = ("lawn", "street")
VIEW_OBJECTS = (("dog_cat", 0, "dog"), ("dog_cat", 1, "cat"), ("truck_car", 0, "fire_truck"),
                ("truck_car", 1, "race_car"))   # (pair, morph, class-set name)


def cache_dir() -> Path:
    return paths.cache_dir("train-data")


def dataset_path(kind: str, n: int, seed: int) -> Path:
    return cache_dir() / f"{kind}-v{DATA_VERSION}-n{n}-s{seed}.npz"


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


def texture_bank(rng: np.random.Generator, n_noise: int = 12) -> list[np.ndarray]:
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
    bank += [photo(n) for n in TRAIN_PHOTOS]
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
def random_scene(rng: np.random.Generator, base_camera: dict) -> dict:
    """Scene parameter values for one random training/evaluation scene."""
    morph = float(rng.choice([0.0, 1.0, rng.uniform()], p=[0.4, 0.4, 0.2]))
    return {
        "shape_morph": morph, "texture_morph": morph,
        "yaw": float(rng.uniform(-180, 180)),
        "pitch": float(rng.uniform(-45, 10)),
        "distance": float(base_camera["distance"] * rng.uniform(0.75, 1.5)),
        "roll": float(rng.normal(0, 8)),
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
                cameras: dict) -> list[dict]:
    """The scenes of a random dataset: parameters, object, clean/swapped backgrounds, texture."""
    rng = np.random.default_rng(seed)
    scenes = []
    for _ in range(n):
        obj = OBJECTS[rng.integers(2)]
        values = random_scene(rng, cameras[obj])
        r = rng.random()
        bg = (("named", BACKGROUNDS[rng.integers(2)]) if r < 0.55 else
              ("photo", int(rng.integers(n_photo_bgs))) if r < 0.85 else
              ("noise", int(rng.integers(n_noise))))
        own = {2 * OBJECTS.index(obj), 2 * OBJECTS.index(obj) + 1}  # bank starts with the pairs' textures
        texture = int(rng.choice([t for t in range(n_bank) if t not in own]))
        swapped_bg = ("bank", int(rng.integers(n_bank))) if rng.random() < 0.7 else bg
        scenes.append({"object": obj, "values": values, "bg": bg, "texture": texture,
                       "swapped_bg": swapped_bg})
    return scenes


def render_random(n: int, seed: int, swapped: bool = True) -> dict[str, np.ndarray]:
    """``n`` random scenes: {"clean", "swapped" (if asked), "object" (0/1), "morph"}.

    Renders are grouped by object and by swapped texture so each textured object is
    built once (see ``_Backgrounds``).
    """
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState
    from models3d import catalog
    from nets.training.photos import TRAIN_PHOTOS, photo

    bank = texture_bank(np.random.default_rng(seed + 1))
    noise_rng = np.random.default_rng(seed + 2)
    images = {("named", b): catalog.load_background(b) for b in BACKGROUNDS}
    images.update({("photo", i): _square(photo(p), 512) for i, p in enumerate(TRAIN_PHOTOS)})
    images.update({("noise", i): _square(_noise(noise_rng), 256) for i in range(16)})
    images.update({("bank", i): _square(t, 512) for i, t in enumerate(bank)})
    pairs = {o: catalog.load_pair(o) for o in OBJECTS}
    plan = plan_random(n, seed, len(bank), len(TRAIN_PHOTOS), 16,
                       {o: p.camera for o, p in pairs.items()})
    clean, swap = [None] * n, [None] * n
    params = ParamState()
    with headless_pipeline(params) as (_base, pipeline, _controller):
        scene, backgrounds = pipeline.scene, _Backgrounds(pipeline.scene)

        def render(indices, pair, bg_key, out):
            scene.set_pair(pair)
            for i in indices:
                params.update(plan[i]["values"])
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


def cached(kind: str, n: int, seed: int) -> dict[str, np.ndarray]:
    """The dataset (rendered once, then read from ``cache/train-data/``)."""
    path = dataset_path(kind, n, seed)
    try:
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError):
        pass
    data = RENDERERS[kind](n, seed)
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
    a = ap.parse_args(argv)
    t = time.monotonic()
    data = cached(a.kind, a.n, a.seed)
    print(f"{dataset_path(a.kind, a.n, a.seed)}: {[(k, v.shape) for k, v in data.items()]} "
          f"in {time.monotonic() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
