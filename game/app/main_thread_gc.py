"""Python's cyclic garbage collector runs on the main thread only, while the app lives.

Destroyed DirectGUI widgets and ShowBase parts stay in reference cycles until the
collector finds them, and freeing them runs Panda3D destructors. The collector starts
in whichever thread allocates past its threshold: a feature-visualisation thread
deep-copying a model did, while the main thread was inside ``renderFrame`` (which
lets go of the GIL), and Panda3D's heap was corrupted: ``malloc`` crashed in
``TextNode::do_generate`` under ``render_frame`` (SIGSEGV), or glibc aborted in that
thread (SIGABRT), in about one start-up in eight on a checkout without feature
visualisations, and in CI.

``MainThreadCollector`` turns automatic collection off and, once per frame on the main
thread (a task), collects as Python itself would have: the oldest generation whose
count passed its threshold. ``destroy`` collects once more; when the last app of the
process is gone, automatic collection is put back as it was.
"""
from __future__ import annotations

import gc

from game.core.stages import Stage

TASK = "perturber-gc"
_owners: list["MainThreadCollector"] = []  # live collectors; the first remembers the state


def due_generation() -> int | None:
    """The generation Python's automatic collector would collect now, or None."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] < thresholds[0]:
        return None
    for generation in (2, 1):
        if thresholds[generation] and counts[generation] >= thresholds[generation]:
            return generation
    return 0


class MainThreadCollector:
    def __init__(self, task_mgr):
        self.task_mgr = task_mgr
        self.was_enabled = _owners[0].was_enabled if _owners else gc.isenabled()
        self.collections = 0
        _owners.append(self)
        gc.disable()
        task_mgr.add(self._task, TASK, sort=Stage.TRIM)

    def _task(self, task):
        generation = due_generation()
        if generation is not None:
            gc.collect(generation)
            self.collections += 1
        return task.cont

    def destroy(self) -> None:
        if self not in _owners:
            return
        _owners.remove(self)
        self.task_mgr.remove(TASK)
        gc.collect()
        if not _owners and self.was_enabled:
            gc.enable()
