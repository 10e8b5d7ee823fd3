"""What several subcommands take: scene options, model lists, window sizes.

- ``add_scene_options`` / ``scene_assignments`` / ``initial_params`` /
  ``finish_scene_options`` / ``render_frame``: ``--object``, ``--background`` and
  ``--set NAME=VALUE``, and the headless frame they describe;
- ``parse_models`` / ``load_models``: ``--models A,B@ITER,ARCH=FILE`` checked against the
  registry, and the classifiers;
- ``parse_size``: ``--size WxH``.

Every refusal is a ParamError saying which option and why.
"""
from __future__ import annotations

import argparse

from game.core.params import ParamError, ParamState, parse_assignment


# -- the scene ---------------------------------------------------------------------------
def add_scene_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--object", help="a built-in pair name (e.g. dog_cat) or a 3D file path")
    p.add_argument("--background", help="a built-in background name (e.g. lawn) or an image path")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter (repeatable); see `perturber render --list-params`")


def scene_assignments(args) -> list[tuple[str, str]]:
    """The --set values, parsed and validated (a dry run on a scratch state)."""
    pairs = [parse_assignment(a) for a in args.set]
    ParamState().update(pairs)
    return pairs


def initial_params(args) -> ParamState:
    """Object and background go in before the scene loads anything."""
    params = ParamState()
    if args.object:
        params.set("object", args.object)
    if args.background:
        params.set("background", args.background)
    return params


def finish_scene_options(args, params: ParamState, controller) -> None:
    """The object's preferred camera first, then the user's --set values win."""
    controller.use_preferred_camera()
    params.update(scene_assignments(args))


def render_frame(args):
    """The scene of the scene options, rendered headless: a ``Frame``."""
    scene_assignments(args)  # fail on bad --set before starting the renderer
    from game.render.headless import headless_pipeline

    params = initial_params(args)
    with headless_pipeline(params) as (_base, pipeline, controller):
        finish_scene_options(args, params, controller)
        return pipeline.render_now()


# -- models ------------------------------------------------------------------------------
def parse_models(text: str) -> list[tuple[str, int]]:
    """``"a,b@100"`` -> [("a", 0), ("b", 100)], checked against the registry.

    ``ARCH=FILE`` (e.g. ``mobilenet_v2=run/adv.safetensors``) registers a weights file of a
    known architecture under the file's stem and takes it (its final weights).
    """
    from nets import registry

    out = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if "=" in item:
            out.append((user_file(item), 0))
            continue
        name, _, it = item.partition("@")
        if name not in registry.names():
            raise ParamError(f"unknown model {name!r}; `perturber models` lists them")
        try:
            iteration = int(it) if it else 0
        except ValueError:
            raise ParamError(f"{item!r}: the checkpoint after @ must be an iteration number") from None
        out.append((name, iteration))
    if not out:
        raise ParamError("--models is empty")
    return out


def user_file(item: str) -> str:
    """Register ``ARCH=FILE`` as a user checkpoint; its registry name (a clear ParamError if not)."""
    from nets import registry
    from nets.loading import ModelLoadError

    arch, _, path = item.partition("=")
    if arch not in registry.arch_names():
        raise ParamError(f"{item!r}: unknown architecture {arch!r} (known: "
                         f"{', '.join(registry.arch_names())})")
    try:
        return registry.register_user_checkpoint(path, arch).name
    except (ModelLoadError, ValueError) as exc:
        raise ParamError(f"{item!r}: {exc}") from None


def load_models(specs: list[tuple[str, int]]):
    """[(label, Classifier)]; a missing or broken weights file is a clear ParamError."""
    from nets import registry
    from nets.loading import ModelLoadError

    models = []
    for name, iteration in specs:
        entry = registry.get(name)
        if not entry.available():
            raise ParamError(f"{name}: its weights are not on this machine ({entry.title})")
        try:
            model = entry.load(iteration)
        except (ModelLoadError, ValueError, FileNotFoundError) as exc:
            raise ParamError(f"{name}: {exc}") from None
        models.append((f"{name}@{iteration}" if iteration else name, model))
    return models


# -- the window --------------------------------------------------------------------------
def parse_size(text: str) -> tuple[int, int]:
    """``--size WxH`` -> (w, h), from 320x240 to 8192x8192."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ParamError(f"--size expects WxH, e.g. 1280x800, got {text!r}") from None
    if not (320 <= w <= 8192 and 240 <= h <= 8192):
        raise ParamError(f"--size {text} is outside 320x240 .. 8192x8192")
    return w, h
