"""The panels that open over the scene sliders (Edit…, Sweep…) and their place."""
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


class SliderCover:
    """The place over the scene sliders (``host``, the scene panel's frame): a panel opened
    there hides the sliders and any other panel open there; one panel at a time."""

    def __init__(self, host):
        self.host = host
        self.panel: OverlayPanel | None = None  # the last one opened

    def frame(self):
        """(parent, w, h, (x, z)) of a panel that covers the sliders exactly."""
        x0, x1, z0, z1 = self.host["frameSize"]
        return self.host.getParent(), x1 - x0, z1 - z0, (self.host.getX(), self.host.getZ())

    def open(self, panel: OverlayPanel) -> None:
        if self.panel is not None and self.panel is not panel and self.panel.is_open:
            self.panel.hide()
        self.panel = panel
        self.host.hide()
        panel.show()

    def closed(self, panel: OverlayPanel) -> None:
        """``panel`` closed (or is going away): the sliders come back unless another
        panel covers them."""
        if self.panel is panel or self.panel is None or not self.panel.is_open:
            self.panel = None
            self.host.show()


class PanelOwner:
    """A tool with one such panel in ``self.panel`` (None until first opened), opened over
    ``self.cover`` (a :class:`SliderCover`)."""

    panel = None
    cover: SliderCover

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

    def destroy_panel(self) -> None:
        """The panel goes away (the tool is destroyed): the sliders come back unless
        another panel covers them."""
        if self.panel is not None:
            if self.panel.is_open:
                self.cover.closed(self.panel)
            self.panel.destroy()
            self.panel = None
