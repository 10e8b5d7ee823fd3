"""Markdown tables of an experiment's JSON summary (printed by the CLI, kept in the docs).

    python -m game.batch.experiments.report out/experiments/yaw_fluctuation.json
    python -m game.batch.experiments.report --doc docs/experiments.md A.json B.json

With ``--doc`` each table (and a line with the command, wall time and machine load)
replaces the text between ``<!-- BEGIN <experiment> -->`` and ``<!-- END <experiment> -->``.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def markdown(report: dict) -> str:
    if report["experiment"] == "yaw-fluctuation":
        return yaw_table(report)
    return backgrounds_table(report)


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def yaw_table(report: dict) -> str:
    models, scores = report["models"], report["scores"]
    lines = [_row(["object", *models]), _row(["---"] * (len(models) + 1))]
    for o in report["objects"]:
        lines.append(_row([o, *(f"{scores[o][m]['mean']:.2f} ± {scores[o][m]['std']:.2f}"
                                for m in models)]))
    lines.append(_row(["**mean**", *(f"**{report['mean_over_objects'][m]:.2f}**" for m in models)]))
    pair = report.get("paired", {})
    if pair:
        lines.append(_row([f"prototypes where f_p > {models[0]}'s", "-",
                           *(f"{pair[m]['higher']}/{pair[m]['total']}" for m in models[1:])]))
    return "\n".join(lines)


def _frac(t: dict, key: str = "changed") -> str:
    return f"{t[key]}/{t['total']} ({100 * t[key] / t['total']:.0f} %)" if t["total"] else "-"


def backgrounds_table(report: dict) -> str:
    models = report["models"]
    lines = [_row(["measure", *models]), _row(["---"] * (len(models) + 1))]
    ch, home, hits = report["changed"], report["changed_vs_home"], report["correct"]
    lines.append(_row(["top-1 changed vs grey, all", *(_frac(ch[m]) for m in models)]))
    for c in report["conditions"]:
        lines.append(_row([f"... {c}", *(_frac(ch[m]["by_condition"].get(c, {"total": 0}))
                                         for m in models)]))
    for b in report["backgrounds"]:
        lines.append(_row([f"... on {b}", *(_frac(ch[m]["by_background"].get(b, {"total": 0}))
                                            for m in models)]))
    pair = report.get("paired", {})
    if pair:
        lines.append(_row([f"... changed here, not for {models[0]} / the reverse (sign test p)",
                           "-", *(f"{pair[m]['only_this']} / {pair[m]['only_first']} "
                                  f"(p {pair[m]['p']:.3f})" for m in models[1:])]))
    lines.append(_row(["top-1 changed vs home background (plain)",
                       *(_frac(home[m]) for m in models)]))
    lines.append(_row(["top-1 in the object's classes, all",
                       *(_frac(hits[m], "hits") for m in models)]))
    conds = ["reference", *report["conditions"]]
    for c in conds:
        lines.append(_row([f"... {'grey (reference)' if c == 'reference' else c}",
                           *(_frac(hits[m]["by_condition"].get(c, {"total": 0}), "hits")
                             for m in models)]))
    return "\n".join(lines)


def provenance(report: dict) -> str:
    """How the numbers were made: command, points, wall time, machine load."""
    before, after = report["machine_before"], report["machine_after"]
    load = lambda m: "/".join(f"{v:g}" for v in m["load_average"])  # noqa: E731
    return (f"`{report.get('command', '')}`: {report['points']} points x "
            f"{len(report['models'])} models, {report['wall_s']} s wall time "
            f"({report['backend']} backend), started {report['started']}, {before['cpus']} cores, "
            f"load average (1/5/15 min) {load(before)} before, {load(after)} after.")


def update_doc(doc: Path, report: dict) -> None:
    name = report["experiment"]
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    text = doc.read_text()
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{doc}: no {begin} ... {end} markers")
    body = f"{begin}\n{markdown(report)}\n\n{provenance(report)}\n{end}"
    doc.write_text(pattern.sub(lambda _m: body, text))


def main(argv: list[str]) -> None:
    doc = None
    if argv[:1] == ["--doc"]:
        doc, argv = Path(argv[1]), argv[2:]
    for path in argv:
        report = json.loads(Path(path).read_text())
        if doc:
            update_doc(doc, report)
            print(f"updated the {report['experiment']} table in {doc}")
        else:
            print(markdown(report) + "\n\n" + provenance(report) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
