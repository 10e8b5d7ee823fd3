"""Checks of a probe job's models, layer and channels before any worker starts.

Registry models are checked from their entries (no weights are read); a ``py:`` model
is built here once to read its layers.
"""
from __future__ import annotations

from game.core.params import ParamError


def model_layers(spec: str) -> tuple:
    """The tappable layers (``nets.classifier.Layer``) of a model spec; ParamError if the
    model is unknown or its weights are not on this machine."""
    if spec.startswith("py:"):
        from game.batch.sweep.worker import resolve_model

        try:
            return tuple(resolve_model(spec).layers)
        except ValueError as exc:
            raise ParamError(str(exc)) from None
    from nets import registry

    name, _, it = spec.partition("@")
    if name not in registry.names():
        raise ParamError(f"unknown model {name!r}; `perturber models` lists them")
    entry = registry.get(name)
    try:
        iteration = int(it) if it else 0
    except ValueError:
        raise ParamError(f"{spec!r}: the checkpoint after @ must be an iteration number") from None
    if not entry.available():
        raise ParamError(f"{name}: its weights are not on this machine ({entry.title})")
    if iteration not in entry.checkpoints():
        raise ParamError(f"{name}: no checkpoint {iteration} here (has {entry.checkpoints()})")
    return tuple(entry.layers)


def job_layers(job) -> list:
    """Per model of ``job``: the ``Layer`` it is tapped at (None without ``job.layer``),
    mapped as the workers map it (same name, or the same relative depth)."""
    from nets.registry import corresponding_layer

    all_layers = [model_layers(spec) for spec in job.models]
    if not job.layer:
        return [None] * len(all_layers)
    first = {l.name: l for l in all_layers[0]}
    if job.layer not in first:
        raise ParamError(f"{job.models[0]} has no layer {job.layer!r}; it has "
                         f"{', '.join(first) or 'none'}")
    out = []
    for i, layers in enumerate(all_layers):
        name = corresponding_layer(job.layer, layers, all_layers[0])
        if name is None:
            raise ParamError(f"{job.models[i]} has no tappable layers")
        out.append({l.name: l for l in layers}[name])
    return out


def check_models(job) -> None:
    """ParamError on an unknown model, missing weights, a bad layer or channel."""
    for spec, layer in zip(job.models, job_layers(job)):
        if layer is None:
            continue
        bad = [c for c in job.channels if not 0 <= c < layer.channels]
        if bad:
            raise ParamError(f"{spec}: layer {layer.name} has channels 0..{layer.channels - 1}; "
                             f"no channel {', '.join(map(str, bad))}")
