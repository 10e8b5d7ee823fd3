"""The whole-layer grid's tool: ``attach(ctx) -> LayerGridTool``.

"Layer grid…" in the Models title bar opens ``ui.layer_grid`` over the scene sliders
(one panel there at a time, as "Sweep…" and "Edit…"): every channel of the tapped
layer of one model, ordered by channel, activation or the difference between the
two models of one architecture; a click zooms a map beside its feature
visualisation. The panel gets every inference result; a task passes feature
visualisation progress and finished pictures on while it is open. Action
``layergrid.panel`` opens and closes it (buttons, gamepad, a replay).
"""
from __future__ import annotations

from game.app.slots import model_arch
from game.core.stages import Stage
from ui.overlay_panel import PanelOwner

TASK = "perturber-layer-grid"


class LayerGridTool(PanelOwner):
    def __init__(self, ctx):
        from ui import theme
        from ui.widgets import button

        self.ctx, self.cover = ctx, ctx.dock.over_sliders
        self.panel = None
        self._version = None
        w, h = theme.px(96), theme.px(22)
        x = theme.PAD + theme.px(76)  # after the column's title
        self.button = button(ctx.dock.models_column, "Layer grid\u2026",
                             lambda: ctx.actions.do("layergrid.panel"),
                             (x, -(theme.TITLE_H - h) / 2), w, h, scale=theme.SMALL_SCALE)
        ctx.actions.add("layergrid.panel", self.toggle_panel)
        self._unsubscribe = ctx.inference.results.connect(self._result)
        ctx.add_task(Stage.LAYER_GRID, self._task, TASK)

    def open_panel(self):
        from ui.layer_grid import LayerGridPanel

        if self.panel is None:
            parent, w, h, pos = self.cover.frame()
            fv = self.ctx.featvis
            self.panel = LayerGridPanel(
                parent, self.ctx.params, w, h, pos, fv.channel,
                on_request_featvis=lambda _slot, *key: fv.request_channel(*key),
                featvis_status=fv.channel_status,
                arch_of=lambda model: model_arch(self.ctx.slots, model),
                on_close=lambda: self.cover.closed(self.panel))
        self.panel.update(self.ctx.inference.latest)
        self.cover.open(self.panel)  # one panel over the sliders at a time
        return self.panel

    def _result(self, result) -> None:
        if self.panel is not None:
            self.panel.update(result)

    def _task(self, task):
        version = self.ctx.featvis.version
        if self.panel is not None and self.panel.is_open and version != self._version:
            self._version = version
            self.panel.refresh_progress()
            self.panel.refresh_featvis()
        return task.cont

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        self._unsubscribe()
        self.destroy_panel()
        self.button.destroy()


def attach(ctx) -> LayerGridTool:
    return LayerGridTool(ctx)
