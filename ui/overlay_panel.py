"""What the panels that open over the scene sliders (Edit…, Sweep…) share."""
from __future__ import annotations

from typing import Callable


class OverlayPanel:
    """Showing and closing: subclasses make ``self.frame`` and may set ``on_close``."""

    frame = None
    on_close: Callable[[], None] | None = None

    @property
    def is_open(self) -> bool:
        return not self.frame.isHidden()

    def show(self) -> None:
        self.frame.show()

    def hide(self) -> None:
        self.frame.hide()

    def close(self) -> None:
        self.hide()
        if self.on_close:
            self.on_close()


class PanelOwner:
    """A tool with one such panel in ``self.panel`` (None until first opened)."""

    panel = None

    def open_panel(self):  # subclasses build the panel on first use
        raise NotImplementedError

    def toggle_panel(self) -> None:
        if self.panel is not None and self.panel.is_open:
            self.close_panel()
        else:
            self.open_panel()

    def close_panel(self) -> None:
        if self.panel is not None and self.panel.is_open:
            self.panel.close()
