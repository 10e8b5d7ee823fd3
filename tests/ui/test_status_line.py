"""The window's one status line: news that is no error never covers an error still shown."""
import pytest

from ui import theme
from ui.draw import card
from ui.status_line import StatusLine


def test_a_note_is_shown_in_plain_colour_unless_an_error_is_shown(showbase):
    line = StatusLine(showbase.aspect2d)
    near = card(showbase.aspect2d, 0.2, 0.1, name="what")
    try:
        line.note("making the class visualisation of 'tabby': ~25 s of CPU", near)
        assert line.visible and not line.error
        assert tuple(line.text.node.getTextColor()) == pytest.approx(theme.TEXT)
        line.show("model2: could not load 'x'", near)
        line.note("making block13 #42: ~25 s of CPU", near)
        assert line.error and line.message == "model2: could not load 'x'"
        line.hide()
        line.note("making block13 #42: ~25 s of CPU", near)
        assert line.visible and line.message.startswith("making block13")
    finally:
        line.destroy()
