"""What both experiments share: the four objects, model checks, running points, writing.

The objects are the two ends of each built-in morph pair (``game.tools.featvis.groups`` uses
the same four): shape_morph = texture_morph = 0 is the first label of the pair,
1 the second. A point sets both halves explicitly (not the linked ``overall_morph``).
"""
from __future__ import annotations

import csv
import json
import os
import platform
import sys
import time
from pathlib import Path

from game.core.params import ParamError

# object name -> (morph pair, morph value): the four objects of the thesis' experiments.
OBJECTS: dict[str, tuple[str, float]] = {
    "dog": ("dog_cat", 0.0),
    "cat": ("dog_cat", 1.0),
    "fire_truck": ("truck_car", 0.0),
    "race_car": ("truck_car", 1.0),
}
# Each object's home background (the pair's own, ``models3d.catalog``): the yaw experiment
# renders it there; the background experiment compares against it too.
HOME = {"dog": "lawn", "cat": "lawn", "fire_truck": "street", "race_car": "street"}
DEFAULT_MODELS = ("mobilenet_v2", "mobilenet_v2_adv", "mobilenet_v2_stylized")


def parse_names(text: str, known, what: str) -> list[str]:
    """``"a,b"`` -> ["a", "b"], each one of ``known``."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    if not names:
        raise ParamError(f"--{what} is empty")
    for n in names:
        if n not in known:
            raise ParamError(f"{what}: unknown {n!r}; choose from {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ParamError(f"--{what}: {text!r} names one twice")
    return names


def parse_floats(text: str, what: str) -> list[float]:
    try:
        values = [float(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ParamError(f"--{what}: {text!r} is not a comma-separated list of numbers") from None
    if not values:
        raise ParamError(f"--{what} is empty")
    return values


def object_point(name: str, home: bool = False) -> dict:
    """The parameter values that show object ``name`` (a point of a probe job); with
    ``home`` on its home background."""
    pair, morph = OBJECTS[name]
    point = {"object": pair, "shape_morph": morph, "texture_morph": morph}
    return {**point, "background": HOME[name]} if home else point


def preferred_camera(pair: str) -> dict:
    """The pair's preferred camera: {"yaw", "pitch", "distance"} (``models3d.catalog``)."""
    from game.render.assets import resolve_object

    return dict(resolve_object(pair).camera)


def check_models(specs: list[str]) -> tuple[str, ...]:
    """Registry names (``NAME[@ITER]``, weights present) or ``py:module:callable`` (which
    must give a Classifier)."""
    from nets import registry

    from game.batch.sweep.checks import model_layers

    for spec in specs:
        if spec.startswith("py:"):
            model_layers(spec)  # built once here: a bad one is refused now
            continue
        name, _, it = spec.partition("@")
        if name not in registry.names():
            raise ParamError(f"unknown model {name!r}; `perturber models` lists them")
        if it and not it.isdigit():
            raise ParamError(f"{spec!r}: the checkpoint after @ must be an iteration number")
        if not registry.get(name).available():
            raise ParamError(f"{name}: its weights are not on this machine")
    if len(set(specs)) != len(specs):
        raise ParamError("--models names a model twice")
    return tuple(specs)


def machine() -> dict:
    """What the wall time was measured on: cores and load average (1, 5, 15 min)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"cpus": os.cpu_count(), "load_average": [round(v, 2) for v in load],
            "platform": platform.platform(), "python": platform.python_version()}


def run_info(points: int, wall: float, backend: str, started: float, machine_before: dict) -> dict:
    """How a run went: its size, wall time, backend, start time and the machine's load."""
    return {"points": points, "wall_s": round(wall, 1), "backend": backend,
            "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
            "machine_before": machine_before, "machine_after": machine()}


def run_points(job, points: list[dict], backend: str = "local", workers: int | None = None,
               ray: str | None = None, label: str = "points", quiet: bool = False,
               inference: str = "auto"):
    """Every point's ``PointResult`` (point order) and the wall time in seconds, the
    networks run on ``inference`` (nets.backends). Every point is validated first (a
    ParamError names the bad value)."""
    from game.core.params import ParamState
    from game.batch.sweep.executor import Pool

    for point in points:
        ParamState().update(point)

    def progress(done: int, total: int) -> None:
        if not quiet:
            end = "\n" if done == total else ""
            print(f"\r{label}: {done}/{total}", end=end, file=sys.stderr, flush=True)

    start = time.perf_counter()
    with Pool("ray" if ray else backend, workers=workers, ray_address=ray,
              inference=inference) as pool:
        results = pool.map(job, points, progress=progress)
    return results, time.perf_counter() - start


def write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def sign_test(b: int, c: int) -> float:
    """Exact two-sided sign test (McNemar) p-value for b against c discordant pairs."""
    import math

    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


def r6(x: float) -> float:
    """Rounded for CSV / JSON (the numbers are float32 logits anyway)."""
    return round(float(x), 6)
