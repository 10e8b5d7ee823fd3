"""The thesis' quantitative robustness experiments as commands.

- ``yaw_fluctuation``: how much the top-10 logits move when the camera
  yaws away from a prototype view (`perturber experiment yaw-fluctuation`).
- ``backgrounds``: how often a model's top-1 changes when the object stays and the
  background changes, is blurred or desaturated (`perturber experiment backgrounds`).
- ``common``: the four objects, model checks, running points on a ``game.batch.sweep`` Pool,
  CSV / JSON writing and the machine's load; ``plot``: bar charts drawn with PIL.

Each experiment is split into pure functions (points, scores, counts: tested on
hand-made numbers) and a ``run`` that renders through the probe core (``game.batch.sweep``)
and writes CSV + PNG + JSON to an output folder. See docs/experiments.md.
"""
