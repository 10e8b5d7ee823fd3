"""`perturber weights`: the published weights files of the registry's entries.

  perturber weights list [--json]      each entry with published weights: here or not,
                                       the file, its size and sha256 where recorded, the URL
  perturber weights fetch NAME... [--timeout S] [--force]

``fetch`` checks every NAME before downloading anything (a known model, a published file
with a recorded size and sha256), then fetches each into the user weights folder
(``nets/download.py``: checked, converted to safetensors) with a progress bar on stderr.
A model whose weights are already here is skipped unless ``--force``.
"""
from __future__ import annotations

import argparse
import json
import sys

from game.cli import values
from game.core.params import ParamError


def add_commands(sub) -> None:
    p = sub.add_parser("weights", help="list or fetch the published weights of the models",
                       description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=("list", "fetch"))
    p.add_argument("names", nargs="*", metavar="NAME", help="models to fetch (see `weights list`)")
    p.add_argument("--timeout", type=values.number(above=0, hi=600), default=30.0,
                   help="seconds without data before a download is given up (default 30)")
    p.add_argument("--force", action="store_true", help="fetch even if the weights are here")
    p.add_argument("--json", action="store_true", help="list as JSON")


def run(args) -> int | None:
    if args.command != "weights":
        return None
    if args.action == "list":
        if args.names:
            raise ParamError("weights list takes no names")
        return cmd_list(args)
    return cmd_fetch(args)


def describe(entry) -> dict:
    from nets.download import how_to_get

    source = entry.source
    path = entry.weights_path() if entry.available() else None
    return {"name": entry.name, "title": entry.title, "here": str(path) if path else None,
            "file": source.file, "urls": list(source.urls), "size": source.size,
            "sha256": source.sha256, "fetch": source.verifiable,
            "get": "" if path else how_to_get(entry.name, source)}


def cmd_list(args) -> int:
    from nets import registry
    from nets.models.files import user_weights_dir

    rows = [describe(e) for e in registry.entries() if e.source is not None]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        state = "here   " if r["here"] else "fetch  " if r["fetch"] else "by hand"
        checked = (f"{r['size'] / 2**20:.1f} MiB, sha256 {r['sha256'][:12]}..." if r["sha256"]
                   else "no size or sha256 recorded")
        print(f"{state}  {r['name']:<24} {r['title']}")
        print(f"         {r['file']} ({checked})")
        print(f"         {r['here'] or r['urls'][0]}")
    print(f"(here = on this machine; fetch = `perturber weights fetch NAME` downloads and checks "
          f"it; by hand = no checksum is recorded: place the file in {user_weights_dir()})")
    return 0


def checked_entries(names: list[str], force: bool) -> list:
    """The entries to fetch; a ParamError naming every NAME that cannot be fetched."""
    from nets import registry
    from nets.download import by_hand

    if not names:
        raise ParamError("weights fetch needs at least one NAME (see `perturber weights list`)")
    entries, problems = [], []
    for name in dict.fromkeys(names):
        if name not in registry.names():
            problems.append(f"unknown model {name!r}")
            continue
        entry = registry.get(name)
        if entry.source is None:
            problems.append(f"{name} has no published weights to fetch"
                            + (" (they are installed with Perturber)" if entry.available() else ""))
        elif entry.available() and not force:
            print(f"{name}: already here ({entry.weights_path()})", file=sys.stderr)
        elif not entry.source.verifiable:
            problems.append(f"no published checksum is recorded for {name}; {by_hand(entry.source)}")
        else:
            entries.append(entry)
    if problems:
        raise ParamError("; ".join(problems))
    return entries


class ProgressBar:
    """``[#####.....] 45.1 / 97.8 MiB`` on stderr, redrawn when a percent is reached."""
    WIDTH = 30

    def __init__(self, label: str, stream=None):
        self.label, self.stream, self.shown = label, stream or sys.stderr, -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                          f"{done / 2**20:.1f} / {total / 2**20:.1f} MiB{end}")
        self.stream.flush()


def cmd_fetch(args) -> int:
    from nets.download import fetch

    for entry in checked_entries(args.names, args.force):
        path = fetch(entry.name, entry.source, timeout=args.timeout,
                     progress=ProgressBar(entry.name))
        print(f"{entry.name}: {path}")
    return 0
