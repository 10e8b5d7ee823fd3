"""Probing many scenes at once: parameter grids rendered headless and fed in batches.

The pieces (all plain data, so jobs travel to other processes or to a Ray cluster):

- ``grid``: ``Axis`` ("yaw=-90:90:7" on the command line) and ``grid_points``.
- ``job``: ``SceneSpec`` (object, background, base values, custom GLSL), ``ProbeJob``
  (scene, models, layer, channels, what to keep) and ``PointResult`` (one per point).
- ``worker``: ``run_points(job, points)`` renders the points in this process (one
  headless pipeline per process, kept) and runs every model on them in batches.
- ``executor``: ``Pool`` runs a job's points in chunks in this process, on local
  processes or on Ray, and returns results in point order. The results do not depend
  on the backend (the CSV is byte-identical): every point sets the whole scene state and
  every backend runs torch with the same thread count. Keep the chunk size the same to
  compare runs bit for bit: a point's position in another batch can change the last
  bits of its floats.
- ``checks``: a job's models, layer and channels checked before anything runs.
- ``table``: the CSV; ``plots`` / ``figures``: heat maps and tuning curves.
"""
