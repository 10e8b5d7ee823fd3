"""Render and classify a job's points in this process.

One headless pipeline per process, made on first use and kept (Panda3D allows one
ShowBase per process); models and their inference backends (``nets.backends``: torch,
onnx or auto) are made once per process and kept. Every point sets the whole scene
state (defaults, object, background, preferred camera, the scene's values, the point's
values), so a point's result does not depend on which points this process rendered
before it.

Rendering and inference overlap: while a batch is classified on a second thread (the
backends release the GIL), this thread renders the next one. The pipeline renders for
one thread at a time, which lets go of its GL context when it has rendered what it was
asked for (a chunk), so that the next chunk may come from another thread (an in-process
sweep runs in a thread of its own).
"""
from __future__ import annotations

import atexit
import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import numpy as np

from game.batch.sweep.job import POINT_DISCRETE, PointResult, ProbeJob, point_key

_STATE: dict = {}
_DRAW_LOCK = threading.RLock()
_DRAW_DEPTH = [0]  # nested _drawing() blocks of the thread holding the lock


def resolve_model(spec: str):
    """``NAME[@ITERATION]`` from the registry or ``py:module:callable`` (called with no
    arguments). Kept per process."""
    models = _STATE.setdefault("models", {})
    if spec not in models:
        if spec.startswith("py:"):
            model = factory_model(spec)
        else:
            from nets import registry

            name, _, it = spec.partition("@")
            model = registry.load(name, int(it) if it else 0)
        model.eval()
        models[spec] = model
    return models[spec]


def factory_model(spec: str):
    """The ``Classifier`` that ``py:module:callable`` gives when called with no arguments;
    ValueError saying what is wrong (no such module or callable, the call failed, or it
    gave something else)."""
    from nets.classifier import Classifier

    module, _, attr = spec[3:].partition(":")
    if not module or not attr:
        raise ValueError(f"{spec!r}: expected py:module:callable")
    try:
        factory = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{spec}: {exc}") from None
    if not callable(factory):
        raise ValueError(f"{spec}: {module}.{attr} is not callable")
    try:
        model = factory()
    except Exception as exc:  # the user's own code: say what it raised
        raise ValueError(f"{spec}: {module}.{attr}() failed ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, Classifier):
        raise ValueError(f"{spec}: {module}.{attr}() gave a {type(model).__name__}, "
                         "not a nets.classifier.Classifier")
    return model


def resolve_backend(spec: str, inference: str):
    """The backend ``inference`` for the model ``spec``. Kept per process."""
    backends = _STATE.setdefault("backends", {})
    if (spec, inference) not in backends:
        from nets.backends import make_backend

        backends[spec, inference] = make_backend(inference, resolve_model(spec))
    return backends[spec, inference]


def _renderer():
    if "renderer" not in _STATE:
        from game.core.torch_first import import_torch_first

        import_torch_first()
        from game.render.headless import headless_pipeline
        from game.core.params import ParamState

        stack = ExitStack()
        params = ParamState()
        _base, pipeline, controller = stack.enter_context(headless_pipeline(params))
        atexit.register(stack.close)
        _STATE["renderer"] = SimpleNamespace(params=params, pipeline=pipeline,
                                             controller=controller, stack=stack, glsl=None)
    return _STATE["renderer"]


def shutdown() -> None:
    """Close this process's pipeline (tests; processes close theirs at exit)."""
    r = _STATE.pop("renderer", None)
    if r is not None:
        r.stack.close()


def render_points(job: ProbeJob, points: list[dict]) -> np.ndarray:
    """(N, 224, 224, 3) uint8 network inputs, one per point, in the order given."""
    with _drawing():
        return _render(job, points)


@contextmanager
def _drawing():
    """Only this thread renders in the block; leaving the outermost block lets go of the
    GL context (0.5-0.8 ms, so once per chunk, not per point)."""
    from game.render.egl_context import release_current

    with _DRAW_LOCK:
        _DRAW_DEPTH[0] += 1
        try:
            yield
        finally:
            _DRAW_DEPTH[0] -= 1
            if _DRAW_DEPTH[0] == 0:
                release_current()  # the next block may be another thread's


def _render(job: ProbeJob, points: list[dict]) -> np.ndarray:
    r = _renderer()
    if r.glsl != job.scene.custom_glsl:
        error = r.pipeline.set_custom_snippet(job.scene.custom_glsl or "")
        if error:
            from game.core.params import ParamError

            raise ParamError(f"custom GLSL does not compile: {error}")
        r.glsl = job.scene.custom_glsl
    out = np.empty((len(points), 224, 224, 3), np.uint8)
    for i, point in enumerate(points):
        scene = {k: point.get(k, getattr(job.scene, k)) for k in POINT_DISCRETE}
        r.params.reset()
        r.params.update(scene)  # loads only when it changed
        r.controller.use_preferred_camera()
        r.params.update(dict(job.scene.values))
        r.params.update({k: v for k, v in point.items() if k not in POINT_DISCRETE})
        out[i] = r.pipeline.render_now().image
    return out


def _layers(job: ProbeJob, models) -> list[str | None]:
    if not job.layer:
        return [None] * len(models)
    from nets.registry import corresponding_layer

    reference = tuple(getattr(models[0], "layers", ()))
    return [corresponding_layer(job.layer, tuple(getattr(m, "layers", ())), reference)
            for m in models]


def classify(job: ProbeJob, images: np.ndarray, inference: str = "auto") -> list[dict]:
    """Per image: {"top", "channels", "layers", "logits"} for every model of ``job``, each
    run on its backend ``inference``."""
    import torch

    from nets.predict import topk
    from nets.labels import class_names

    models = [resolve_model(s) for s in job.models]
    backends = [resolve_backend(s, inference) for s in job.models]
    layers = _layers(job, models)
    out = [{"top": {}, "channels": {}, "layers": {}, "logits": {}} for _ in range(len(images))]
    for start in range(0, len(images), job.batch):
        x = torch.from_numpy(images[start:start + job.batch]).permute(0, 3, 1, 2).float() / 255.0
        for spec, model, backend, layer in zip(job.models, models, backends, layers):
            res = backend.forward(x, layer if job.channels else None, logits=True)
            tops = topk(res.logits, job.top, class_names(model).label)
            means = (res.activations[:, list(job.channels)].float().mean(dim=(2, 3))
                     if job.channels else None)
            for j, top in enumerate(tops):
                o = out[start + j]
                o["top"][spec] = top
                if means is not None:
                    o["channels"][spec] = [float(v) for v in means[j]]
                    o["layers"][spec] = layer
                if job.keep_logits:
                    o["logits"][spec] = res.logits[j].float().numpy().copy()
    return out


def _thumb(image: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR))


def run_points(job: ProbeJob, indexed: list[tuple[int, dict]],
               inference: str = "auto") -> list[PointResult]:
    """Render and classify ``(index, point)`` pairs; results in the order given.

    Points render grouped by object and background (fewer scene loads); batches of
    ``job.batch`` are formed in the order given, and each is classified on a second
    thread as soon as its last image is rendered."""
    for spec in job.models:  # loaded (and exported) here, before the second thread starts
        resolve_backend(spec, inference)
    points = [point for _, point in indexed]
    images = np.empty((len(points), 224, 224, 3), np.uint8)
    batches = [range(s, min(s + job.batch, len(points))) for s in range(0, len(points), job.batch)]
    missing = [len(b) for b in batches]
    with ThreadPoolExecutor(1, "perturber-classify") as classifier, _drawing():
        pending = {}
        for i in sorted(range(len(points)), key=lambda i: point_key(points[i])):
            images[i] = render_points(job, [points[i]])[0]
            b = i // job.batch
            missing[b] -= 1
            if not missing[b]:
                rows = images[batches[b].start:batches[b].stop]
                pending[b] = classifier.submit(classify, job, rows, inference)
        outputs = [o for b in range(len(batches)) for o in pending[b].result()]
    return [PointResult(index=idx, values=dict(point), top=o["top"], channels=o["channels"],
                        layers=o["layers"], logits=o["logits"],
                        thumb=_thumb(images[i], job.thumb) if job.thumb else None)
            for i, ((idx, point), o) in enumerate(zip(indexed, outputs))]
