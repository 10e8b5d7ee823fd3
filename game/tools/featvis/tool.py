"""Feature visualisation in the running app (a tool: ``attach(ctx)``).

It connects the app's :class:`~game.tools.featvis.service.FeatureVisService` to

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

from game.core.stages import Stage

RELOAD_PARAMS = ("naive_param", "model1", "model1_checkpoint")
TASK = "perturber-featvis"


def attach(ctx) -> "FeatVisTool":
    return FeatVisTool(ctx)


class FeatVisTool:
    def __init__(self, ctx):
        self.ctx, self.service, self.scene = ctx, ctx.featvis, ctx.scene
        self.view, self.row = ctx.dock.activations, ctx.dock.feat_vis_row
        self._version = None
        self.view.set_featvis_status(self.service.channel_status)
        self.scene.set_feature_source(self.service.spec_image)
        self._unwatch = [ctx.params.watch(RELOAD_PARAMS, self._reload),
                         ctx.params.watch("feat_vis", lambda _n, _v: self._show_plane_status())]
        ctx.add_task(Stage.FEATVIS, self._task, TASK)
        self._show_plane_status()

    # -- per frame ---------------------------------------------------------------------
    def _task(self, task):
        version = self.service.version
        if version != self._version:
            self._version = version
            self.view.refresh_progress()
            self.view.set_featvis_note(self.note())
            if self.scene.feature_pending:
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
        try:
            status = self.service.status(self.service.spec_key(self.scene.feature_pending))
        except ValueError:
            status = None  # Model 1 changed under it: resolving again says why
        if status is None or status.state in ("done", "failed", "missing"):
            self.scene.refresh_feature_plane()
        self._show_plane_status()

    def _show_plane_status(self) -> None:
        spec = self.scene.feature_pending
        if not spec:
            self.row.set_status("")
            return
        try:
            status = self.service.status(self.service.spec_key(spec))
        except ValueError:
            self.row.set_status("")
            return
        self.row.set_status("queued" if status.state == "queued"
                            else f"making {round(status.progress * 100)} %")

    def _reload(self, _name: str, _value) -> None:
        self.scene.refresh_feature_plane()
        self._show_plane_status()

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        for unwatch in self._unwatch:
            unwatch()
        self.scene.set_feature_source(None)
