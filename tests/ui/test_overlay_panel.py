"""One panel at a time over the scene sliders; a tool's panel going away gives them back."""
from ui.overlay_panel import OverlayPanel, PanelOwner, SliderCover


class Shown:
    """What SliderCover and OverlayPanel use of a NodePath."""

    def __init__(self):
        self.hidden = False

    def hide(self):
        self.hidden = True

    def show(self):
        self.hidden = False

    def isHidden(self):  # noqa: N802  (Panda3D's name)
        return self.hidden


class Panel(OverlayPanel):
    def __init__(self, cover):
        self.frame = Shown()
        self.on_close = lambda: cover.closed(self)
        self.destroyed = False

    def destroy(self):
        self.destroyed = True


class Tool(PanelOwner):
    def __init__(self, cover):
        self.cover = cover

    def open_panel(self):
        if self.panel is None:
            self.panel = Panel(self.cover)
        self.cover.open(self.panel)
        return self.panel


def test_destroying_a_tools_panel_gives_the_sliders_back_unless_another_covers_them():
    sliders = Shown()
    cover = SliderCover(sliders)
    first, second = Tool(cover), Tool(cover)
    first.destroy_panel()  # never opened: nothing to do
    panel = first.open_panel()
    second.toggle_panel()  # covers the sliders instead of the first panel
    assert sliders.hidden and not panel.is_open and second.panel.is_open
    first.destroy_panel()
    assert panel.destroyed and first.panel is None and sliders.hidden
    other = second.panel
    second.destroy_panel()
    assert other.destroyed and second.panel is None and not sliders.hidden
