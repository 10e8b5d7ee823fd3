"""Are adversarially trained models more sensitive to viewpoint changes?

Each object (dog, cat, fire truck, race car) is rendered at 7 yaws x 2 pitches x 2
distances. For each object, pitch and distance the view at yaw -23.3 degrees is the
*prototype* p (16 prototypes). The thesis' "fluctuation score" f_p of a prototype:

    d_y = l*_{c*10} - l^y_{c*10}
    f_p = sum over y of  sqrt(d_y . d_y) / std(l*_1000)

"where c*10 are the top 10 predictions of the prototype view, l^y_{c*10} are their
logits from yaw variation y, l*_{c*10} are their logits from the prototype view
itself and l*_1000 is the total logit vector of the prototype view." So: take the
prototype's 10 highest logits (classes c*10), for every other yaw the Euclidean
distance between those 10 classes' logits there and at the prototype, divide by the
standard deviation of the prototype's whole logit vector (all classes; population
standard deviation, ddof 0 - the thesis does not say which: ddof 1 scales every score
by sqrt(1000/999)), and **sum** over the yaw variations (6 here; the prototype's own
term is 0). The score of an object and model is the **mean** of f_p over its 4
prototypes (2 pitches x 2 distances), with their standard deviation as the error bar
(as in the thesis' chart: "Mean yaw fluctuation scores ... Error bars represent
standard deviation"). A model that ignores its input scores exactly 0. A prototype whose
logits are all equal (std 0) scores 0 if nothing moved, else infinity.

Each object is shown on its home background (lawn for dog and cat, street for fire
truck and race car). Camera (``models3d.catalog`` convention): yaw 0 = side view,
yaw -90 = front view, so the thesis' yaws {-70, -46.7, -23.3, 0, 23.3, 46.7, 70}
sweep from nearly frontal through the side to nearly rear, with the prototype
between front and side ("neither overly frontal or overly from the side"). Pitches
are the thesis' {0, -16.7} (they bracket our preferred -12); distances are the pair's
preferred camera distance x1 and x1.25 (the thesis gives no numbers for its two
distances).
"""
from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from game.batch.experiments.common import (OBJECTS, machine, object_point, preferred_camera, r6,
                                     run_info, run_points, write_csv, write_json)
from game.core.params import ParamError

YAWS = (-70.0, -46.7, -23.3, 0.0, 23.3, 46.7, 70.0)
PROTOTYPE_YAW = -23.3
PITCHES = (0.0, -16.7)
DISTANCES = (1.0, 1.25)  # x the pair's preferred camera distance
TOP = 10


@dataclass(frozen=True)
class View:
    """One rendered view: object, pitch, distance factor, yaw."""
    object: str
    pitch: float
    distance: float
    yaw: float

    @property
    def prototype_key(self) -> tuple[str, float, float]:
        return (self.object, self.pitch, self.distance)

    @property
    def is_prototype(self) -> bool:
        return math.isclose(self.yaw, PROTOTYPE_YAW, abs_tol=1e-9)


def views(objects=tuple(OBJECTS), yaws=YAWS, pitches=PITCHES, distances=DISTANCES) -> list[View]:
    """Every view, ordered object, pitch, distance, yaw (yaw changes fastest)."""
    if not any(math.isclose(y, PROTOTYPE_YAW, abs_tol=1e-9) for y in yaws):
        raise ParamError(f"the yaws must include the prototype yaw {PROTOTYPE_YAW}")
    for o in objects:
        if o not in OBJECTS:
            raise ParamError(f"unknown object {o!r}; choose from {', '.join(OBJECTS)}")
    return [View(o, float(p), float(d), float(y))
            for o in objects for p in pitches for d in distances for y in yaws]


def points(vs: list[View], camera_distance: dict[str, float] | None = None) -> list[dict]:
    """The probe points of ``vs``; ``camera_distance``: pair -> preferred distance
    (looked up in the catalog when not given)."""
    camera_distance = dict(camera_distance or {})
    out = []
    for v in vs:
        pair = OBJECTS[v.object][0]
        if pair not in camera_distance:
            camera_distance[pair] = float(preferred_camera(pair)["distance"])
        out.append({**object_point(v.object, home=True), "yaw": v.yaw, "pitch": v.pitch,
                    "distance": round(camera_distance[pair] * v.distance, 4)})
    return out


def fluctuation_score(prototype: np.ndarray, variations: list[np.ndarray], k: int = TOP) -> float:
    """f_p: sum over the variations of the distance of the prototype's top-k logits,
    over the standard deviation of the prototype's whole logit vector."""
    proto = np.asarray(prototype, np.float64)
    top = np.argsort(-proto, kind="stable")[:min(k, proto.size)]  # c*10
    total = sum(float(np.linalg.norm(proto[top] - np.asarray(v, np.float64)[top]))
                for v in variations)
    scale = float(proto.std())
    if scale == 0.0:
        return 0.0 if total == 0.0 else math.inf
    return total / scale


def term(prototype: np.ndarray, variation: np.ndarray, k: int = TOP) -> float:
    """One view's share of f_p: sqrt(d_y . d_y) / std(l*_1000)."""
    return fluctuation_score(prototype, [variation], k)


def prototype_scores(vs: list[View], logits: list[dict], models, k: int = TOP) -> list[dict]:
    """One row per prototype and model: f_p and the prototype's top class."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, v in enumerate(vs):
        groups[v.prototype_key].append(i)
    rows = []
    for key, idx in groups.items():
        protos = [i for i in idx if vs[i].is_prototype]
        if len(protos) != 1:
            raise ParamError(f"{key}: expected one prototype view, found {len(protos)}")
        p = protos[0]
        for m in models:
            others = [logits[i][m] for i in idx if i != p]
            rows.append({"object": key[0], "pitch": key[1], "distance": key[2], "model": m,
                         "score": fluctuation_score(logits[p][m], others, k),
                         "variations": len(others),
                         "prototype_top1": int(np.argmax(logits[p][m]))})
    return rows


def object_scores(rows: list[dict], models) -> dict:
    """object -> model -> {"mean", "std", "n", "prototypes"} (std: ddof 0, as error bars)."""
    out: dict = {}
    for r in rows:
        out.setdefault(r["object"], {}).setdefault(r["model"], []).append(r["score"])
    return {o: {m: {"mean": float(np.mean(s)), "std": float(np.std(s)), "n": len(s),
                    "prototypes": [float(v) for v in s]}
                for m, s in per.items()}
            for o, per in out.items()}


def paired(rows: list[dict], models) -> dict:
    """Per model: on how many prototypes its f_p is above the first model's
    (the thesis compares each robust model with the standard one)."""
    first = {(r["object"], r["pitch"], r["distance"]): r["score"] for r in rows
             if r["model"] == models[0]}
    out = {}
    for m in models[1:]:
        mine = [(r["score"], first[r["object"], r["pitch"], r["distance"]]) for r in rows
                if r["model"] == m]
        out[m] = {"higher": sum(a > b for a, b in mine), "lower": sum(a < b for a, b in mine),
                  "total": len(mine), "against": models[0]}
    return out


def run(out: Path, models: tuple[str, ...], objects=tuple(OBJECTS), yaws=YAWS,
        pitches=PITCHES, distances=DISTANCES, k: int = TOP, backend: str = "local",
        workers: int | None = None, ray: str | None = None, thumb: int = 48,
        quiet: bool = False, inference: str = "auto") -> dict:
    """Render, classify, score; writes yaw_fluctuation{.csv,_scores.csv,.png,.json} and
    yaw_fluctuation_inputs.png (the network inputs, one row per prototype group)."""
    from game.batch.experiments.plot import bar_chart, contact_sheet
    from game.batch.sweep.job import ProbeJob, SceneSpec

    vs = views(objects, yaws, pitches, distances)
    pts = points(vs)
    job = ProbeJob(scene=SceneSpec(), models=tuple(models), top=1, keep_logits=True, thumb=thumb)
    load_before = machine()
    started = time.time()
    results, wall = run_points(job, pts, backend, workers, ray, "yaw-fluctuation", quiet,
                               inference)
    rows = prototype_scores(vs, [r.logits for r in results], models, k)
    summary = object_scores(rows, models)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "yaw_fluctuation.csv", _view_rows(vs, pts, results, models, k))
    proto_of = {v.prototype_key: i for i, v in enumerate(vs) if v.is_prototype}
    key = ("object", "pitch", "distance")
    write_csv(out / "yaw_fluctuation_scores.csv",
              [{**r, "score": r6(r["score"]), "prototype_top1_label":
                results[proto_of[tuple(r[f] for f in key)]].top[r["model"]][0]["label"]}
               for r in rows])
    objs = list(dict.fromkeys(v.object for v in vs))
    bar_chart(out / "yaw_fluctuation.png", objs, list(models),
              [[summary[o][m]["mean"] for m in models] for o in objs],
              [[summary[o][m]["std"] for m in models] for o in objs],
              title=f"Yaw fluctuation f_p: mean and std over "
                    f"{len(pitches) * len(distances)} prototypes per object",
              ylabel="f_p")
    if thumb:
        contact_sheet(out / "yaw_fluctuation_inputs.png", [r.thumb for r in results], len(yaws))
    report = {
        "experiment": "yaw-fluctuation",
        "formula": "f_p = sum_y ||l*[c*10] - l^y[c*10]||_2 / std(l*); "
                   "object score = mean (std) of f_p over its prototypes",
        "objects": objs, "models": list(models), "yaws": list(yaws),
        "prototype_yaw": PROTOTYPE_YAW, "pitches": list(pitches),
        "distance_factors": list(distances), "top": k,
        "scores": summary, "paired": paired(rows, list(models)),
        "mean_over_objects": {m: float(np.mean([summary[o][m]["mean"] for o in objs]))
                              for m in models},
        **run_info(len(pts), wall, "ray" if ray else backend, started, load_before),
        "inference_backend": inference,
    }
    write_json(out / "yaw_fluctuation.json", report)
    return report


def _view_rows(vs, pts, results, models, k) -> list[dict]:
    """One row per view and model: its top-1 and its term of f_p (0 for the prototype)."""
    proto_of = {v.prototype_key: i for i, v in enumerate(vs) if v.is_prototype}
    rows = []
    for i, (v, p) in enumerate(zip(vs, pts)):
        for m in models:
            best, logits = results[i].top[m][0], results[i].logits[m]
            prototype = results[proto_of[v.prototype_key]].logits[m]
            rows.append({"object": v.object, "pitch": v.pitch, "distance_factor": v.distance,
                         "distance": p["distance"], "yaw": v.yaw,
                         "prototype": int(v.is_prototype), "model": m, "top1": best["index"],
                         "top1_label": best["label"], "top1_logit": r6(logits[best["index"]]),
                         "term": r6(term(prototype, logits, k))})
    return rows
