"""The scene panel: every parameter's slider, the object / background menus, custom GLSL.

Generated from ``game.core.params``: one slider per PARAMS entry, grouped by ``group`` under
its GROUP_LABELS header. It only talks to the app through the ParamState and the
callbacks it is given.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from game.core.params import SCENE_GROUPS, ParamState
from ui import theme
from ui.feat_vis_plane import ROW_H as FEAT_VIS_H, FeatVisRow
from ui.param_groups import SliderColumns
from ui.scene_controls import SceneControls
from ui.slider import ParamSlider

CONTROLS_H = theme.px(250)  # height of the menus + GLSL block when it sits above the sliders
BAR_W = theme.px(56)        # room beside each slider for its sensitivity bar and number


class ScenePanel:
    """Builds the panel under ``parent`` (origin = top-left corner, width theme.LEFT_W - 2*PAD).

    ``side``: where the menus, the GLSL editor and the Feat. Vis. row go (``view_side``);
    by default they sit above the sliders in ``parent``.
    ``on_custom_code(code)`` returns the compiler's error text, or None when it compiled.
    ``on_open_file(kind)`` (kind "object" or "background") adds an "Open file..." entry.
    """

    def __init__(self, parent, params: ParamState, object_names: Sequence[str],
                 background_names: Sequence[str], on_object: Callable[[str], None],
                 on_background: Callable[[str], None],
                 on_custom_code: Callable[[str], Optional[str]],
                 on_open_file: Optional[Callable[[str], None]] = None,
                 custom_code: str = "", side=None, width: float | None = None):
        self.params = params
        width = width if width is not None else theme.LEFT_W - 2 * theme.PAD
        self.root = parent.attachNewNode("scene-panel")
        host = side if side is not None else self.root
        side_w = _frame_width(side) if side is not None else width
        self.controls = SceneControls(
            host, side_w, object_names, background_names, on_object, on_background,
            on_custom_code, on_open_file, custom_code,
            current_object=params["object"], current_background=params["background"])
        # Feat. Vis. sits at the bottom of the side area (or under the controls above).
        fv_z = -theme.VIEW_SIZE + FEAT_VIS_H if side is not None else -CONTROLS_H
        self.feat_vis = FeatVisRow(host, params, side_w, (0, fv_z))
        self.columns = SliderColumns(self.root, params, SCENE_GROUPS, width, bar_w=BAR_W)
        if side is None:
            self.columns.root.setZ(-CONTROLS_H - FEAT_VIS_H - theme.PAD)
        self.sliders: dict[str, ParamSlider] = {
            name: row for g in self.columns.groups.values() for name, row in g.sliders.items()}
        self._unsubscribe = params.watch(("object", "background"), self._on_param)

    # -- public ----------------------------------------------------------------------
    def set_morph_label(self, text: str) -> None:
        """Title of the morph group, e.g. "Catness" or "Race Car-ness"."""
        self.columns.groups["morph"].set_title(text)

    def set_collapsed(self, group: str, collapsed: bool) -> None:
        self.columns.groups[group].set_collapsed(collapsed)

    def set_custom_code(self, code: str) -> None:
        self.controls.set_custom_code(code)

    @property
    def object_menu(self):
        return self.controls.object_menu

    @property
    def background_menu(self):
        return self.controls.background_menu

    # -- model -> view ---------------------------------------------------------------
    def _on_param(self, name: str, value) -> None:
        menu = self.controls.object_menu if name == "object" else self.controls.background_menu
        menu.select(value)

    def destroy(self) -> None:
        self._unsubscribe()
        self.columns.destroy()
        self.feat_vis.destroy()
        self.controls.destroy()
        self.root.removeNode()


def _frame_width(frame) -> float:
    x0, x1, _, _ = frame["frameSize"]
    return x1 - x0
