"""Hand-made probe results, so table and picture tests know every number."""
import numpy as np

from game.batch.sweep.grid import Axis
from game.batch.sweep.job import PointResult, ProbeJob

SPEC = "py:tests.game.batch.sweep.tiny_models:conv"


def result(index, values, top1, prob, means=(), thumb=None, model=SPEC):
    """One point: ``top1`` with ``prob``, a second class below it, channel ``means``."""
    top = [{"index": top1, "label": f"class {top1}", "logit": 2.0, "prob": prob},
           {"index": top1 + 1, "label": f"class {top1 + 1}", "logit": 1.0, "prob": 1 - prob}]
    return PointResult(index=index, values=dict(values), top={model: top},
                       channels={model: list(means)} if means else {},
                       layers={model: "c0"} if means else {}, thumb=thumb)


def grid_2x3(thumb: int = 4):
    """Axes yaw (2) x hue (3), six results with known responses and flat thumbnails."""
    axes = [Axis("yaw", -10, 10, 2), Axis("hue", 0, 0.2, 3)]
    responses = [2.0, -1.0, 0.0, 4.0, -4.0, 1.0]
    shades = [10, 60, 110, 160, 210, 250]
    results = []
    for k, (resp, shade) in enumerate(zip(responses, shades)):
        values = {"yaw": axes[0].values[k // 3], "hue": axes[1].values[k % 3]}
        t = np.full((thumb, thumb, 3), shade, np.uint8)
        t[0, 0] = (255, 0, 100)
        results.append(result(k, values, top1=k % 2, prob=0.25 + 0.1 * k, means=(resp, -resp),
                              thumb=t))
    job = ProbeJob(models=(SPEC,), layer="c0", channels=(3, 5), top=2, thumb=thumb)
    return axes, results, job
