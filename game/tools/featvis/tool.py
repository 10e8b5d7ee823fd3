"""Feature visualisation in the running app (a tool: ``attach(ctx)``).

It connects the app's :class:`~game.tools.featvis.service.FeatureVisService` to

- the activation view: a slot whose picture is being made shows its progress and the
  picture so far; a note beside "Naive Parameterization" says what is being made;
- the prediction view: a class picture being made shows its progress and the picture
  so far, one not there yet what making it costs here;
- the enlarged picture (``ui.enlarged_picture``): a click on a visualisation in either
  view shows it large, with what it is and where it comes from, and offers to make a
  missing one;
- the window's status line: when a job starts, what is being made and its estimate;
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
from game.tools.featvis.service import LOGIT
from ui.enlarged_picture import CLASS, EnlargedPicture
from ui.vis_status import cost_text

RELOAD_PARAMS = ("naive_param", "model1", "model1_checkpoint")
TASK = "perturber-featvis"


def attach(ctx) -> "FeatVisTool":
    return FeatVisTool(ctx)


class FeatVisTool:
    def __init__(self, ctx):
        self.ctx, self.service, self.scene = ctx, ctx.featvis, ctx.scene
        self.view, self.row = ctx.dock.activations, ctx.dock.feat_vis_row
        self.predictions = ctx.dock.prediction_view
        self._version = None
        self._started = None  # the key whose start the status line told
        self.enlarged = EnlargedPicture(ctx.dock.gui_root, self._subject_status,
                                        self._make_subject)
        self.view.set_featvis_status(self.service.channel_status)
        self.view.set_enlarge(self.enlarged.open)
        self.predictions.set_class_vis(self.service.class_status, self.enlarged.open)
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
            self.predictions.refresh_progress()
            self.enlarged.refresh()
            self._tell_start()
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

    # -- the enlarged picture and the status line -------------------------------------------
    def _subject_status(self, subject):
        if subject.kind == CLASS:  # (model, checkpoint, class index)
            return self.service.class_status(*subject.key)
        return self.service.channel_status(*subject.key)

    def _make_subject(self, subject) -> None:
        """The enlarged picture's button: someone asked, so it goes before the classes the
        prediction view asks for by itself."""
        model, checkpoint, *target = subject.key
        layer, channel = (LOGIT, target[0]) if subject.kind == CLASS else target
        self.service.request_channel(model, checkpoint, layer, channel)

    def _tell_start(self) -> None:
        """A job started: what it makes and its estimate on the status line, once."""
        busy = self.service.busy()
        key = busy[0][0] if busy and busy[0][1].state == "running" else None
        if key is None or key == self._started:
            return
        self._started = key
        loaded = self.service.loaded_of(key)
        if loaded is None:
            return
        cost = cost_text(self.service.estimate(key))
        if key.layer == LOGIT:
            from nets.labels import class_names

            names = class_names(loaded.model)
            name = repr(names.label(key.channel)) if key.channel < len(names) \
                else f"class {key.channel}"
            what = f"the class visualisation of {name}"
            near = self.predictions.picture_of((loaded.name, loaded.checkpoint, key.channel))
            column = self.predictions.show_check.button
        else:
            what = f"the feature visualisation of {key.layer} #{key.channel}"
            near = self.view.picture_of((loaded.name, loaded.checkpoint, key.layer, key.channel))
            column = self.view.naive_check.button
        self.ctx.show_note(f"making {what} ({loaded.title}): {cost} of CPU",
                           near if near is not None else column)

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
        self.view.set_enlarge(None)
        self.predictions.set_class_vis(None)
        self.enlarged.destroy()
