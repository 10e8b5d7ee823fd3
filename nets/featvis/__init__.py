"""Feature visualisation built on lucent, plus a disk cache.

- ``visualise(model, "block13:42")`` -> (H, W, 3) float32 in [0, 1]; ``"logit:281"`` for a class.
- ``FeatureVisJob``: the same, a few steps at a time (``step(n)``, ``image()``), for an
  app that spreads the work over frames.
- ``Target``: the objective, a channel of a tappable layer or a class logit.
- ``FeatureVisCache`` / ``CacheKey``: finished images as PNG + JSON sidecar.

lucent (``torch-lucent``) is imported on first use; without it, the cache works and
creating a job raises ``FeatureVisUnavailable`` saying how to install it
(``available()`` asks first). See ``lucent_compat`` for the lucent quirks handled.
"""
from .cache import DEFAULT_ROOT, CacheKey, FeatureVisCache
from .job import FeatureVisJob, visualise
from .lucent_compat import FeatureVisUnavailable, available
from .objectives import LOGIT, Target

__all__ = ["visualise", "FeatureVisJob", "Target", "LOGIT", "FeatureVisCache", "CacheKey",
           "DEFAULT_ROOT", "FeatureVisUnavailable", "available"]
