"""Are adversarially trained models more sensitive to background changes?

The thesis ran the Background Challenge (Xiao et al. 2020: the object kept, the
background replaced) and compared accuracies. We have no labelled photos; we keep
each of our four objects (dog, cat, fire truck, race car) fixed - seen from three
yaws (-70, -45, -20 degrees: the preferred camera's -45 and 25 degrees either side;
preferred pitch and distance) - and change only what is behind it:

- backgrounds: ``lawn`` and ``street`` (built in), ``noise`` (smooth colour noise,
  made here) and any image path; each ``plain``, ``blur`` (background_blur 0.5),
  ``flat`` (background_blur 1: the background's average colour) and ``desaturated``
  (background_saturation 0: the background only, the object keeps its colours);
- the reference: the object alone (same view), on a plain 50 % grey (``grey``, made here; the
  Background Challenge's "only foreground" image).

Measured per model: how often the top-1 class differs from the top-1 on the grey
reference (``changed``), how often it differs from the top-1 on the object's home
background (lawn for dog and cat, street for fire truck and race car, plain;
``changed_vs_home``), and how often the top-1 is in the object's ImageNet class set
(``nets.groups.CLASS_SETS``: 118 dog breeds, 5 domestic cats, fire engine, racer or
sports car; ``correct``) - the thesis' measure was accuracy. A model that ignores its
input never changes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from game.batch.experiments.common import (HOME, OBJECTS, machine, object_point, r6, run_info, run_points,
                                     sign_test, write_csv, write_json)
from game.core.params import ParamError

REFERENCE = "grey"
BACKGROUNDS = ("lawn", "street", "noise")
CONDITIONS: dict[str, dict[str, float]] = {
    "plain": {},
    "blur": {"background_blur": 0.5},
    "flat": {"background_blur": 1.0},
    "desaturated": {"background_saturation": 0.0},
}
YAWS = (-70.0, -45.0, -20.0)


@dataclass(frozen=True)
class Variant:
    object: str
    yaw: float
    background: str
    condition: str


def variants(objects=tuple(OBJECTS), backgrounds=BACKGROUNDS, conditions=tuple(CONDITIONS),
             yaws=YAWS) -> list[Variant]:
    """Per object and yaw: the grey reference first, then every background x condition
    (grey itself only plain: blurring or desaturating a uniform grey changes nothing)."""
    for c in conditions:
        if c not in CONDITIONS:
            raise ParamError(f"unknown condition {c!r}; choose from {', '.join(CONDITIONS)}")
    out = []
    for o in objects:
        if o not in OBJECTS:
            raise ParamError(f"unknown object {o!r}; choose from {', '.join(OBJECTS)}")
        for y in yaws:
            out.append(Variant(o, float(y), REFERENCE, "plain"))
            for b in backgrounds:
                if b != REFERENCE:
                    out.extend(Variant(o, float(y), b, c) for c in conditions)
    return out


def make_grey(size: int = 64) -> np.ndarray:
    return np.full((size, size, 3), 128, np.uint8)


def make_noise(size: int = 256, seed: int = 3) -> np.ndarray:
    """Smooth colour noise: no object, no scene, every hue."""
    from models3d.fur import filtered_noise

    rng = np.random.default_rng(seed)
    chans = [filtered_noise(rng, (size, size), 6, 6) for _ in range(3)]
    return np.clip(np.stack(chans, -1) * 50 + 128, 0, 255).astype(np.uint8)


GENERATED = {"grey": make_grey, "noise": make_noise}


def background_specs(names, folder: Path) -> dict[str, str]:
    """name -> what the ``background`` parameter gets: a built-in name, or the path of an
    image (generated ones are written to ``folder``; other paths are used as given)."""
    from PIL import Image

    from game.render.assets import background_names, looks_like_path

    specs = {}
    for name in names:
        if name in GENERATED:
            path = folder / f"{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(GENERATED[name]()).save(path)
            specs[name] = str(path.resolve())
        elif name in background_names():
            specs[name] = name
        elif looks_like_path(name):
            if not Path(name).is_file():
                raise ParamError(f"background {name!r}: file not found")
            specs[name] = str(Path(name).resolve())
        else:
            raise ParamError(f"background {name!r}: a built-in name "
                             f"({', '.join(list(background_names()) + list(GENERATED))}) "
                             "or an image path")
    return specs


def points(vs: list[Variant], specs: dict[str, str]) -> list[dict]:
    return [{**object_point(v.object), "yaw": v.yaw, "background": specs[v.background],
             **CONDITIONS[v.condition]} for v in vs]


def count_changes(vs: list[Variant], top1: list[dict], models, reference) -> dict:
    """Per model: how many variants' top-1 differs from their reference variant's.

    ``top1[i][model]``: the class index of variant i; ``reference(variant)`` -> its
    reference ``Variant`` (not counted itself; variants without one are skipped).
    Returns model -> {"changed", "total", "rate", "by_condition", "by_object",
    "by_background"} (each of those: key -> {"changed", "total"}).
    """
    index = {v: i for i, v in enumerate(vs)}
    out = {}
    for m in models:
        tally = {"changed": 0, "total": 0, "by_condition": {}, "by_object": {}, "by_background": {}}
        for i, v in enumerate(vs):
            ref = reference(v)
            if ref is None or ref not in index or v == ref:
                continue
            changed = int(top1[i][m] != top1[index[ref]][m])
            tally["changed"] += changed
            tally["total"] += 1
            for key, value in (("by_condition", v.condition), ("by_object", v.object),
                               ("by_background", v.background)):
                t = tally[key].setdefault(value, {"changed": 0, "total": 0})
                t["changed"] += changed
                t["total"] += 1
        tally["rate"] = tally["changed"] / tally["total"] if tally["total"] else float("nan")
        out[m] = tally
    return out


def paired(vs: list[Variant], top1: list[dict], models, reference) -> dict:
    """Per model after the first: variants whose top-1 changed (against ``reference``) for
    this model but not the first, and the reverse, with the sign test's p-value (the
    variants share objects and views, so p is only a rough guide)."""
    index = {v: i for i, v in enumerate(vs)}
    out = {}
    for m in list(models)[1:]:
        b = c = 0
        for i, v in enumerate(vs):
            ref = reference(v)
            if ref not in index or v == ref:
                continue
            j = index[ref]
            mine, first = top1[i][m] != top1[j][m], top1[i][models[0]] != top1[j][models[0]]
            b += mine and not first
            c += first and not mine
        out[m] = {"only_this": b, "only_first": c, "p": sign_test(b, c), "against": models[0]}
    return out


def grey_reference(v: Variant) -> Variant:
    """The same object and view alone, on plain grey."""
    return Variant(v.object, v.yaw, REFERENCE, "plain")


def home_reference(v: Variant) -> Variant:
    """The same object and view on its home background, plain."""
    return Variant(v.object, v.yaw, HOME[v.object], "plain")


def correct(vs: list[Variant], top1: list[dict], models, class_sets: dict) -> dict:
    """Per model: how many variants' top-1 lies in their object's class set, and by condition
    (the grey reference is the condition "reference")."""
    out = {}
    for m in models:
        tally = {"hits": 0, "total": 0, "by_condition": {}}
        for i, v in enumerate(vs):
            hit = int(top1[i][m] in class_sets[v.object])
            cond = "reference" if v == grey_reference(v) else v.condition
            t = tally["by_condition"].setdefault(cond, {"hits": 0, "total": 0})
            for d in (tally, t):
                d["hits"] += hit
                d["total"] += 1
        tally["rate"] = tally["hits"] / tally["total"] if tally["total"] else float("nan")
        out[m] = tally
    return out


def run(out: Path, models: tuple[str, ...], objects=tuple(OBJECTS), backgrounds=BACKGROUNDS,
        conditions=tuple(CONDITIONS), yaws=YAWS, backend: str = "local",
        workers: int | None = None, ray: str | None = None, thumb: int = 48,
        quiet: bool = False, inference: str = "auto") -> dict:
    """Render, classify, count; writes backgrounds{.csv,.png,.json}, backgrounds_inputs.png
    and the generated background images under ``out/backgrounds/``."""
    from game.batch.experiments.plot import bar_chart, contact_sheet
    from game.batch.sweep.job import ProbeJob, SceneSpec
    from nets.groups import CLASS_SETS

    vs = variants(objects, backgrounds, conditions, yaws)
    specs = background_specs(dict.fromkeys([REFERENCE, *backgrounds]), out / "backgrounds")
    pts = points(vs, specs)
    job = ProbeJob(scene=SceneSpec(), models=tuple(models), top=1, thumb=thumb)
    load_before = machine()
    started = time.time()
    results, wall = run_points(job, pts, backend, workers, ray, "backgrounds", quiet, inference)
    top1 = [{m: int(r.top[m][0]["index"]) for m in models} for r in results]
    vs_grey = count_changes(vs, top1, models, grey_reference)
    vs_home = count_changes(vs, top1, models, home_reference)
    hits = correct(vs, top1, models, CLASS_SETS)

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "backgrounds.csv", _csv_rows(vs, results, top1, models, CLASS_SETS))
    groups = ["all", *conditions]
    bar_chart(out / "backgrounds.png", groups, list(models),
              [[100 * _rate(vs_grey[m], g) for m in models] for g in groups],
              title="Top-1 changed against the object on plain grey, % of variants",
              ylabel="% changed", percent=True)
    if thumb:
        contact_sheet(out / "backgrounds_inputs.png", [r.thumb for r in results],
                      len(vs) // (len(objects) * len(yaws)))
    report = {
        "experiment": "backgrounds", "reference": "the object on plain 50% grey (grey, plain)",
        "objects": list(objects), "yaws": list(yaws), "models": list(models),
        "backgrounds": list(backgrounds),
        "conditions": {c: CONDITIONS[c] for c in conditions}, "home": HOME,
        "changed": vs_grey, "changed_vs_home": vs_home, "correct": hits,
        "paired": paired(vs, top1, list(models), grey_reference),
        **run_info(len(pts), wall, "ray" if ray else backend, started, load_before),
        "inference_backend": inference,
    }
    write_json(out / "backgrounds.json", report)
    return report


def _csv_rows(vs, results, top1, models, class_sets) -> list[dict]:
    """One row per variant and model."""
    index = {v: i for i, v in enumerate(vs)}
    rows = []
    for i, v in enumerate(vs):
        grey, home = index[grey_reference(v)], index.get(home_reference(v))
        for m in models:
            best = results[i].top[m][0]
            rows.append({"object": v.object, "yaw": v.yaw, "background": v.background,
                         "condition": v.condition, "model": m, "top1": top1[i][m],
                         "top1_label": best["label"], "top1_prob": r6(best["prob"]),
                         "changed": int(top1[i][m] != top1[grey][m]),
                         "changed_vs_home":
                             "" if home is None else int(top1[i][m] != top1[home][m]),
                         "correct": int(top1[i][m] in class_sets[v.object])})
    return rows


def _rate(tally: dict, group: str) -> float:
    t = tally if group == "all" else tally["by_condition"].get(group, {"changed": 0, "total": 0})
    return t["changed"] / t["total"] if t["total"] else 0.0
