"""A sweep's results as CSV: one row per grid point, the same bytes from every backend.

Columns, in order:

- ``index``: the point's number (the last axis changes fastest);
- one column per swept parameter (its value, ``%.10g``), then ``object`` and
  ``background`` when the points set them;
- per model (``M`` = its short name: ``mobilenet_v2``, ``resnet50@100``, or a ``py:``
  spec's function name), for rank ``r`` = 1..top: ``M:top{r}_index``, ``M:top{r}_label``,
  ``M:top{r}_prob`` (6 significant digits);
- per model and requested channel ``c``: ``M:{layer}:ch{c}``, the channel's mean
  activation over the layer's positions (6 significant digits).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from game.batch.sweep.job import POINT_DISCRETE, PointResult, ProbeJob, model_label


def num(value: float, digits: int = 6) -> str:
    """A float with ``digits`` significant digits; "-0" is written "0"."""
    text = f"{float(value):.{digits}g}"
    return "0" if text == "-0" else text


def point_columns(results: list[PointResult], axes) -> list[str]:
    """The swept parameters' names, then object / background if any point sets them."""
    names = [a.name for a in axes]
    for key in POINT_DISCRETE:
        if key not in names and any(key in r.values for r in results):
            names.append(key)
    return names


def header(job: ProbeJob, columns: list[str], layers: dict[str, str] | None = None) -> list[str]:
    row = ["index", *columns]
    for spec in job.models:
        m = model_label(spec)
        for rank in range(1, job.top + 1):
            row += [f"{m}:top{rank}_index", f"{m}:top{rank}_label", f"{m}:top{rank}_prob"]
        layer = (layers or {}).get(spec) or job.layer
        row += [f"{m}:{layer}:ch{c}" for c in job.channels]
    return row


def row(r: PointResult, columns: list[str], job: ProbeJob) -> list[str]:
    out = [str(r.index)]
    for name in columns:
        v = r.values.get(name, "")
        out.append(v if isinstance(v, str) else num(v, 10))
    for spec in job.models:
        top = r.top.get(spec, [])
        for rank in range(job.top):
            if rank < len(top):
                t = top[rank]
                out += [str(t["index"]), t["label"], num(t["prob"])]
            else:
                out += ["", "", ""]
        means = r.channels.get(spec, [])
        out += [num(v) for v in means] + [""] * (len(job.channels) - len(means))
    return out


def rows(results: list[PointResult], axes, job: ProbeJob) -> list[list[str]]:
    """The header, then one row per result (in index order)."""
    columns = point_columns(results, axes)
    layers = next((r.layers for r in results if r.layers), {})
    return [header(job, columns, layers)] + [row(r, columns, job)
                                             for r in sorted(results, key=lambda r: r.index)]


class CsvStream:
    """Rows appended (and flushed) as points finish, in the order they finish; the header
    comes with the first results. The finished sweep rewrites the file in index order."""

    def __init__(self, path, axes, job: ProbeJob, points: list[dict]):
        self.path, self.job = Path(path), job
        self.columns = [a.name for a in axes] + [
            k for k in POINT_DISCRETE if k not in {a.name for a in axes} and any(k in p for p in points)]
        self._file = None

    def append(self, results: list[PointResult]) -> None:
        if not results:
            return
        if self._file is None:
            self._file = open(self.path, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._file, lineterminator="\n")
            layers = next((r.layers for r in results if r.layers), {})
            self._writer.writerow(header(self.job, self.columns, layers))
        self._writer.writerows(row(r, self.columns, self.job) for r in results)
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def csv_text(results: list[PointResult], axes, job: ProbeJob) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows(results, axes, job))
    return buf.getvalue()


def write_csv(path, results: list[PointResult], axes, job: ProbeJob) -> Path:
    """The whole table in index order, written whole (temp file, then rename)."""
    from game.core.outputs import atomic

    path = Path(path)
    with atomic(path, "w", encoding="utf-8", newline="") as f:
        f.write(csv_text(results, axes, job))
    return path
