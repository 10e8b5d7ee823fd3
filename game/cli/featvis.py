"""`perturber featvis`: feature and class visualisations from the command line, into the cache.

  perturber featvis --model NAME[@ITER] --layer L --channel C [--naive] [--steps N] [--size S] [--out FILE.png]
  perturber featvis --model NAME[@ITER] --class INDEX [...]
  perturber featvis --model NAME[@ITER] --groups [--layers L1,L2|all] [--top K] [...]

Every image goes into the feature-visualisation cache the app reads (``cache/featvis``,
or ``$PERTURBER_CACHE/featvis``; ``--cache DIR`` for another), under the same key the app
uses for the same settings (the defaults are the app's: 128 px, 256 steps, seed 0).
The batch form fills the cache for the neuron groups of the layers (``game.tools.featvis.groups``;
computed and cached first when missing, which renders the group objects once): the
first ``--top`` channels of each group. It is resumable: what is cached is skipped.
"""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from game.core.params import ParamError

DEFAULT_TOP = 4  # the app's default "# of Neurons"


def add_commands(sub) -> None:
    from game.tools.featvis.service import SIZE, STEPS

    p = sub.add_parser("featvis", help="make feature / class visualisations into the cache",
                       description=__doc__, formatter_class=_raw())
    p.add_argument("--model", required=True, metavar="NAME[@ITER]",
                   help="a registry name (see `perturber models`), @ITERATION for a checkpoint")
    p.add_argument("--layer", help="a tappable layer of the model, e.g. block13")
    p.add_argument("--channel", type=int, help="a channel of --layer")
    p.add_argument("--class", dest="class_index", type=int, metavar="INDEX",
                   help="a class visualisation (the logit of class INDEX) instead of a channel")
    p.add_argument("--groups", action="store_true",
                   help="fill the cache for the neuron groups of --layers")
    p.add_argument("--layers", help="with --groups: L1,L2 or all (default: the model's default layer)")
    p.add_argument("--top", type=int, default=DEFAULT_TOP,
                   help=f"with --groups: channels per group (1..8, default {DEFAULT_TOP})")
    p.add_argument("--naive", action="store_true",
                   help="pixel parameterisation, no colour decorrelation (the app's "
                        "Naive Parameterization)")
    p.add_argument("--steps", type=int, default=STEPS, help=f"optimisation steps (default {STEPS})")
    p.add_argument("--size", type=int, default=SIZE, help=f"image side in pixels (default {SIZE})")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", metavar="FILE.png", help="also write the image here")
    p.add_argument("--force", action="store_true", help="make it again even if it is cached")
    p.add_argument("--cache", metavar="DIR", help="the feature-vis cache folder (default: the app's)")
    p.add_argument("--threads", type=int,
                   help="torch threads (default: the idle cores, 1..4; more threads than idle "
                        "cores slow torch down many times)")


def _raw():
    import argparse

    return argparse.RawDescriptionHelpFormatter


def run(args) -> int | None:
    if args.command != "featvis":
        return None
    check_options(args)
    import torch

    torch.set_num_threads(args.threads or idle_cores())
    name, iteration, model, model_key = load_model(args.model)
    cache = _cache(args)
    if args.groups:
        return cmd_groups(args, model, model_key, cache)
    layer, channel = ("logit", args.class_index) if args.class_index is not None else (
        args.layer, args.channel)
    check_target(model, layer, channel)
    return cmd_one(args, model, model_key, cache, layer, channel)


# -- checks -------------------------------------------------------------------------------
def check_options(args) -> None:
    forms = [args.groups, args.class_index is not None,
             args.layer is not None or args.channel is not None]
    if sum(forms) != 1:
        raise ParamError("featvis needs exactly one of: --layer L --channel C, --class INDEX, "
                         "--groups")
    if forms[2] and (args.layer is None or args.channel is None):
        raise ParamError("--layer and --channel go together (e.g. --layer block13 --channel 42)")
    if not args.groups and (args.layers or args.top != DEFAULT_TOP):
        raise ParamError("--layers and --top go with --groups")
    if args.groups and args.out:
        raise ParamError("--out writes one image: not with --groups (they go to the cache)")
    if not 1 <= args.steps <= 100_000:
        raise ParamError(f"--steps {args.steps}: choose 1..100000")
    if not 8 <= args.size <= 1024:
        raise ParamError(f"--size {args.size}: choose 8..1024 pixels")
    if not 1 <= args.top <= 8:
        raise ParamError(f"--top {args.top}: choose 1..8 (a group has 8 channels)")
    if args.threads is not None and not 1 <= args.threads <= 256:
        raise ParamError(f"--threads {args.threads}: choose 1..256")
    if args.seed < 0:
        raise ParamError(f"--seed {args.seed}: must not be negative")
    if args.out:
        from game.core.outputs import check_output

        check_output(args.out, force=args.force, what="--out", suffixes=(".png",))
    if not cache_writable(_cache(args).root) and not args.out:
        raise ParamError(f"the feature-visualisation cache {_cache(args).root} cannot be "
                         "written: give --out FILE.png (or --cache DIR) to keep the picture")


def cache_writable(root: Path) -> bool:
    import os
    import tempfile

    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=root)
        os.close(fd)
        os.unlink(probe)
        return True
    except OSError:
        return False


def idle_cores(most: int = 4) -> int:
    """Cores nobody else is using now (1-minute load average), 1..``most``."""
    import os

    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(most, int(cores - busy + 0.5)))


def load_model(text: str):
    """(name, iteration, Classifier, weights key) for ``NAME[@ITER]``: ParamError if not here."""
    from game.cli.args import load_models, parse_models
    from nets import registry

    specs = parse_models(text)
    if len(specs) != 1:
        raise ParamError(f"--model {text}: give one model")
    (name, iteration), = specs
    (_label, model), = load_models(specs)
    return name, iteration, model, f"{name}@{registry.get(name).weights_id(iteration)}"


def check_target(model, layer: str, channel: int) -> None:
    if layer == "logit":
        from nets.labels import class_names

        n = len(class_names(model))
        if not 0 <= channel < n:
            raise ParamError(f"--class {channel}: {model.name} has classes 0..{n - 1}")
        return
    names = [l.name for l in model.layers]
    if layer not in names:
        raise ParamError(f"--layer {layer!r}: {model.name} has no such layer; "
                         f"its layers: {', '.join(names)}")
    n = model.layer(layer).channels
    if not 0 <= channel < n:
        raise ParamError(f"--channel {channel}: {layer} has {n} channels (0..{n - 1})")


def _cache(args):
    from game.tools.featvis.service import cache_root
    from nets.featvis import FeatureVisCache

    return FeatureVisCache(Path(args.cache) if args.cache else cache_root())


# -- making ---------------------------------------------------------------------------------
def make_one(model, key, show_progress: bool = True):
    """Make ``key``'s image through ``model``: (image, settings, seconds)."""
    from nets.featvis import FeatureVisJob

    start = time.perf_counter()
    job = FeatureVisJob(model, key.objective, size=key.size, steps=key.steps,
                        naive=key.naive, seed=key.seed)
    tty = show_progress and sys.stdout.isatty()
    while not job.finished:
        done = job.step(8)
        if tty:
            print(f"\r  {key.objective}: {done * 100:5.1f} %", end="", flush=True)
    if tty:
        print("\r", end="")
    return job.image(), job.settings(), time.perf_counter() - start


def cmd_one(args, model, model_key, cache, layer, channel) -> int:
    from nets.featvis import CacheKey

    key = CacheKey(model_key, layer, channel, args.naive, args.size, args.steps, args.seed)
    path = cache.path(key)
    if cache.info(key) is not None and not args.force:
        print(f"cached: {path} (made before; --force to make it again)")
    else:
        image, settings, seconds = make_one(model, key)
        print(f"{key.objective} of {model_key} ({'naive' if key.naive else 'fft'}, "
              f"{key.size} px, {key.steps} steps) in {seconds:.1f} s")
        try:
            path = cache.put(key, image, {**settings, "seconds": round(seconds, 2)})
            print(f"cached: {path}")
        except OSError as exc:  # the picture is still written to --out (checked before)
            print(f"perturber: warning: could not cache it in {cache.root}: {exc}", file=sys.stderr)
            path = None
    if args.out:
        from game.core.outputs import atomic_path

        with atomic_path(args.out) as part:
            if path is not None:
                shutil.copyfile(path, part)
            else:
                from PIL import Image

                from nets.featvis.cache import to_uint8

                Image.fromarray(to_uint8(image)).save(part, format="PNG")
        print(f"wrote {args.out}")
    return 0


def cmd_groups(args, model, model_key, cache) -> int:
    from nets.featvis import CacheKey

    names = [l.name for l in model.layers]
    if args.layers in (None, ""):
        from nets import registry

        layers = [registry.get(args.model.partition("@")[0]).default_layer]
    elif args.layers.strip() == "all":
        layers = names
    else:
        layers = [s.strip() for s in args.layers.split(",") if s.strip()]
        unknown = [l for l in layers if l not in names]
        if unknown:
            raise ParamError(f"--layers: {model.name} has no layer {', '.join(unknown)}; "
                             f"its layers: {', '.join(names)}")
    groups = neuron_groups(model, model_key)
    todo = []  # (layer, channel, [groups]) in group order, each channel once per layer
    for layer in layers:
        seen: dict[int, list[str]] = {}
        for group, channels in groups.get(layer, {}).items():
            for channel in channels[: args.top]:
                seen.setdefault(int(channel), []).append(group)
        todo += [(layer, ch, g) for ch, g in seen.items()]
    keys = [CacheKey(model_key, layer, ch, args.naive, args.size, args.steps, args.seed)
            for layer, ch, _ in todo]
    missing = [k for k in keys if args.force or cache.info(k) is None]
    print(f"{model_key}: {len(keys)} channels in the groups of {', '.join(layers)} "
          f"(top {args.top}); {len(keys) - len(missing)} cached, {len(missing)} to make", flush=True)
    start, made = time.perf_counter(), 0
    for i, ((layer, channel, in_groups), key) in enumerate(zip(todo, keys), 1):
        head = f"[{i}/{len(keys)}] {key.objective} ({', '.join(in_groups)})"
        if key not in missing:
            print(f"{head}: cached", flush=True)
            continue
        image, settings, seconds = make_one(model, key)
        cache.put(key, image, {**settings, "seconds": round(seconds, 2), "groups": in_groups})
        made += 1
        left = len(missing) - made
        eta = (time.perf_counter() - start) / made * left
        print(f"{head}: {seconds:.1f} s" + (f", about {_duration(eta)} left" if left else ""),
              flush=True)
    total = time.perf_counter() - start
    print(f"made {made}, skipped {len(keys) - len(missing)} (cached) in {_duration(total)}; "
          f"cache: {cache.root / model_key}")
    return 0


def neuron_groups(model, model_key: str) -> dict:
    """The model's neuron groups, from the cache or computed (and cached) now."""
    from game.tools.featvis import groups as ng

    path = ng.groups_path(model_key)
    groups = ng.read_cached_groups(path)
    if groups is not None:
        return groups

    def render():  # in this process: the command has no ShowBase of its own
        print("rendering the neuron-group objects (once)...", flush=True)
        ng.render_group_images()

    images = ng.group_images(render)
    print(f"computing the neuron groups of {model_key}...", flush=True)
    groups = ng.compute_groups(model, images)
    ng.save_groups(path, groups)
    return groups


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds} s"
