"""Feature visualisation in the running app (a ``TOOL_MODULES`` entry; thesis 5.2.2, 5.3).

``attach(app)`` connects the app's :class:`~game.tools.featvis.service.FeatureVisService` to

- the activation view: a slot whose picture is being made shows its progress and the
  picture so far; a note beside "Naive Parameterization" says what is being made;
- the Feat. Vis. plane: ``<layer>:<channel>`` is resolved by the service through
  Model 1; until the picture is there the plane shows a placeholder and the Feat. Vis.
  row its progress; the plane is resolved again when Model 1 or the parameterisation
  changes.

The torch work stays on the service's thread. The task here runs once per frame and
does something only when the service's ``version`` moved: it copies progress and
pictures into the views (textures of at most 128 x 128).
"""
from __future__ import annotations

SORT_FEATVIS = 57  # after the inference task (56): views are up to date when it runs
RELOAD_PARAMS = ("naive_param", "model1", "model1_checkpoint")
TASK = "perturber-featvis"


def attach(app) -> "FeatVisTool":
    return FeatVisTool(app)


class FeatVisTool:
    def __init__(self, app):
        self.app, self.service = app, app.featvis
        self._version = None
        app.activation_view.set_featvis_status(self.service.channel_status)
        app.controller.set_feature_source(self.service.spec_image)
        self._unsubscribe = app.params.subscribe(self._on_param)
        app.base.taskMgr.add(self._task, TASK, sort=SORT_FEATVIS)
        self._show_plane_status()

    # -- per frame ---------------------------------------------------------------------
    def _task(self, task):
        version = self.service.version
        if version != self._version:
            self._version = version
            self.app.activation_view.refresh_progress()
            self.app.activation_view.set_featvis_note(self.note())
            if self.app.controller.feature_pending:
                self._update_plane()
        return task.cont

    def note(self) -> str:
        """What is being made, e.g. "block13:42 37 %, 2 queued"."""
        busy = self.service.busy()
        if not busy:
            return ""
        key, status = busy[0]
        if status.state != "running":
            return f"{len(busy)} queued"
        queued = len(busy) - 1
        return (f"{key.objective} {round(status.progress * 100)} %"
                + (f", {queued} queued" if queued else ""))

    # -- the Feat. Vis. plane --------------------------------------------------------------
    def _update_plane(self) -> None:
        controller = self.app.controller
        try:
            status = self.service.status(self.service.spec_key(controller.feature_pending))
        except ValueError:
            status = None  # Model 1 changed under it: resolving again says why
        if status is None or status.state in ("done", "failed", "missing"):
            controller.refresh_feature_plane()
        self._show_plane_status()

    def _show_plane_status(self) -> None:
        row = getattr(getattr(self.app, "scene_panel", None), "feat_vis", None)
        if row is None:
            return
        spec = self.app.controller.feature_pending
        if not spec:
            row.set_status("")
            return
        try:
            status = self.service.status(self.service.spec_key(spec))
        except ValueError:
            row.set_status("")
            return
        row.set_status("queued" if status.state == "queued"
                       else f"making {round(status.progress * 100)} %")

    def _on_param(self, name: str, _value) -> None:
        if name in RELOAD_PARAMS:
            self.app.controller.refresh_feature_plane()
        if name in RELOAD_PARAMS or name == "feat_vis":
            self._show_plane_status()

    def destroy(self) -> None:
        self.app.base.taskMgr.remove(TASK)
        self._unsubscribe()
        self.app.controller.set_feature_source(None)
