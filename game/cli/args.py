"""What several subcommands take: scene options, model lists, window sizes.

- ``add_scene_options`` / ``scene_assignments`` / ``initial_params`` /
  ``finish_scene_options`` / ``render_frame``: ``--object``, ``--background`` and
  ``--set NAME=VALUE``, and the headless frame they describe;
- ``parse_models`` / ``load_models``: ``--models A,B@ITER,ARCH=FILE,ALIAS:ARCH=FILE``
  checked against the registry (``MODELS_HELP`` says it for ``--help``), and the classifiers;
- ``add_backend_option`` / ``check_backend``: ``--backend torch|onnx|openvino|auto``, what
  runs the forward passes, and onnx or openvino refused at once where its runtime is
  missing;
- ``parse_size``: ``--size WxH``.

Every refusal is a ParamError saying which option and why.
"""
from __future__ import annotations

import argparse
import re

from game.core.params import ParamError, ParamState, parse_assignment

MAX_CLASSES = 1008
MAX_MODELS = 16


# -- the scene ---------------------------------------------------------------------------
def add_scene_options(p: argparse.ArgumentParser, subcommand: bool = False) -> None:
    """``--object``, ``--background``, ``--set``. On a ``subcommand`` they add to the same
    options given before it (``perturber --object truck_car predict``): no defaults of
    their own, and ``--set`` values from both places count."""
    keep = {"default": argparse.SUPPRESS} if subcommand else {}
    p.add_argument("--object", help="a built-in pair name (e.g. dog_cat) or a 3D file path",
                   **keep)
    p.add_argument("--background", help="a built-in background name (e.g. lawn) or an image path",
                   **keep)
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="set a parameter (repeatable); see `perturber render --list-params`",
                   **({"dest": "set_after", **keep} if subcommand else {"default": []}))


def merge_scene_options(args) -> None:
    """``--set`` values given after a subcommand join those given before it."""
    args.set = [*getattr(args, "set", []), *vars(args).pop("set_after", [])]


def scene_assignments(args) -> list[tuple[str, str]]:
    """The --set values, parsed and validated (a dry run on a scratch state, then the
    values that name models, layers, classes or edits checked against what exists)."""
    pairs = [parse_assignment(a) for a in args.set]
    state = ParamState()
    state.update(pairs)
    check_named_values(state, {name for name, _ in pairs})
    return pairs


def check_named_values(state: ParamState, names: set[str]) -> None:
    """ParamError for a model, layer, target class or edit string that does not exist."""
    from game.core.parsers import parse_target

    if names & {"model1", "model2", "layer", "edit_weights"}:
        from game.core.torch_first import import_torch_first

        import_torch_first()
        from nets import registry

        for slot in ("model1", "model2"):
            if slot in names and state[slot] not in registry.names():
                raise ParamError(f"--set {slot}={state[slot]}: unknown model; "
                                 "`perturber models` lists them")
        if "layer" in names:
            layers = [layer.name for layer in registry.get(state["model1"]).layers]
            if state["layer"] not in layers:
                raise ParamError(f"--set layer={state['layer']}: {state['model1']} has no such "
                                 f"layer; its layers: {', '.join(layers)}")
        if "edit_weights" in names and state["edit_weights"]:
            from nets.editing.settings import EditError, parse_edits

            try:
                parse_edits(state["edit_weights"])
            except EditError as exc:
                raise ParamError(f"--set edit_weights: {exc}") from None
    if "attack_target" in names and state["attack_target"]:
        # The attacked model checks its own class count when it runs; here the bound is the
        # most classes a registered model has (InceptionV1's 1008 outputs).
        parse_target(state["attack_target"], count=MAX_CLASSES, what="--set attack_target")


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

    ``[ALIAS:]ARCH=FILE`` registers a weights file of a known architecture and takes it
    (its final weights): under ALIAS, else under the file's stem, with ``_2``, ``_3``...
    appended while that name belongs to another model (see ``MODELS_HELP``).
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
    out = list(dict.fromkeys(out))  # a model named twice is loaded once
    if len(out) > MAX_MODELS:
        raise ParamError(f"--models names {len(out)} different models; at most {MAX_MODELS} "
                         "at once (each holds its weights in memory)")
    return out


MODELS_HELP = ("comma-separated models: registry names (`perturber models`), NAME@ITERATION "
               "for a training checkpoint, or a weights file as ARCH=FILE (e.g. "
               "mobilenet_v2=run/mobilenet_v2_adv.safetensors: named after the file, with _2, "
               "_3... appended when that name is another model's) or ALIAS:ARCH=FILE to "
               "name it (e.g. mine:mobilenet_v2=run/mobilenet_v2_adv.safetensors)")
_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")


def user_file(item: str) -> str:
    """Register ``[ALIAS:]ARCH=FILE`` as a user checkpoint; its registry name (a clear
    ParamError if not)."""
    from nets import registry
    from nets.loading import ModelLoadError

    head, _, path = item.partition("=")
    alias, _, arch = head.rpartition(":")
    if alias and not _ALIAS.fullmatch(alias):
        raise ParamError(f"{item!r}: the name before ':' is letters, digits and _ . + - "
                         "(at most 64)")
    if arch not in registry.arch_names():
        raise ParamError(f"{item!r}: unknown architecture {arch!r} (known: "
                         f"{', '.join(registry.arch_names())})")
    try:
        return registry.register_user_checkpoint(path, arch, name=alias or None).name
    except (ModelLoadError, ValueError) as exc:
        raise ParamError(f"{item!r}: {exc}") from None


def load_models(specs: list[tuple[str, int]]):
    """[(label, Classifier)]; a missing or broken weights file is a clear ParamError."""
    from nets import registry
    from nets.download import how_to_get
    from nets.loading import ModelLoadError

    models = []
    for name, iteration in specs:
        entry = registry.get(name)
        if not entry.available():
            get = how_to_get(name, entry.source)
            raise ParamError(f"{name}: its weights are not on this machine ({entry.title})"
                             + (f"; to get them: {get}" if get else ""))
        try:
            model = entry.load(iteration)
        except (ModelLoadError, ValueError, FileNotFoundError) as exc:
            raise ParamError(f"{name}: {exc}") from None
        models.append((f"{name}@{iteration}" if iteration else name, model))
    return models


# -- the inference backend ---------------------------------------------------------------
# nets.backends.BACKENDS, spelled out here so that building the parser imports no torch.
INFERENCE_BACKENDS = ("auto", "torch", "onnx", "openvino")


def add_backend_option(p: argparse.ArgumentParser, flag: str = "--backend",
                       default: str = argparse.SUPPRESS) -> None:
    """``flag torch|onnx|openvino|auto`` into ``args.inference``. The global option has the
    default (auto); a subcommand's copy leaves the global value alone unless it is given."""
    p.add_argument(flag, dest="inference", choices=INFERENCE_BACKENDS, default=default,
                   help="what runs the networks' forward passes: onnx (onnxruntime; one "
                        "export per weights file, cached under cache/onnx), openvino (the "
                        "same cached graph), torch, or auto (default: onnx where it works "
                        "here, else torch)")


def check_backend(args, flag: str = "--backend") -> None:
    """A ParamError before any work when ``flag`` chose onnx or openvino and its runtime
    does not import here (auto falls back to torch by itself)."""
    if args.inference not in ("onnx", "openvino"):
        return
    import nets.backends as backends

    check = {"onnx": backends.import_onnxruntime, "openvino": backends.import_openvino}
    try:
        check[args.inference]()
    except (backends.OnnxUnavailable, backends.OpenVinoUnavailable) as exc:
        raise ParamError(f"{flag} {args.inference}: {exc} ({flag} torch, or {flag} auto to "
                         "use onnx only where it works)") from None


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
