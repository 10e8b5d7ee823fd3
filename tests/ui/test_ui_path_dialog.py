"""The "Open file..." dialog: entry, listing, OK/Cancel/Enter/Escape, errors; app wiring."""
from pathlib import Path

import pytest
from PIL import Image
from panda3d.core import Filename, KeyboardButton

from ui import theme
from ui.path_dialog import LIST_ROWS, PathDialog, list_matches
from ui.scene_controls import OPEN_FILE

OUT = Path(__file__).resolve().parents[2] / "out"


def png(path, size=(8, 8), colour=(200, 30, 30)):
    Image.new("RGB", size, colour).save(path)
    return path


def center(widget):
    """The middle of a widget in render2d / mouse coordinates."""
    b = widget.getBounds()
    p = widget.getTop().getRelativePoint(widget, ((b[0] + b[1]) / 2, 0, (b[2] + b[3]) / 2))
    return p.x, p.z


@pytest.fixture
def dialogs(ui):
    """The panel's "Open file..." opens a PathDialog; ``paths`` records on_path calls."""
    state = type("S", (), {})()
    state.paths, state.result, state.dialog = [], None, None

    def on_path(path):
        state.paths.append(path)
        return state.result(path) if callable(state.result) else state.result

    def open_file(kind):
        state.dialog = PathDialog(ui.base.aspect2d, kind, on_path)

    ui.panel.controls.object_menu._on_open_file = open_file
    ui.panel.controls.background_menu._on_open_file = open_file
    yield state
    if state.dialog is not None:
        state.dialog.close()


def open_from_menu(ui, menu):
    menu.menu.set(menu.menu["items"].index(OPEN_FILE))
    ui.step()


def test_opens_from_the_menu_prefilled_with_the_cwd(ui, dialogs, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    open_from_menu(ui, ui.panel.background_menu)
    d = dialogs.dialog
    assert d.is_open and d.title["text"] == "Open background image"
    assert d.text == str(tmp_path) + "/"
    open_from_menu(ui, ui.panel.object_menu)
    assert dialogs.dialog.title["text"] == "Open object file"
    d.close()


def test_ok_with_a_real_png_calls_back_and_closes(ui, dialogs, pointer, tmp_path):
    path = png(tmp_path / "bg.png")
    open_from_menu(ui, ui.panel.background_menu)
    d = dialogs.dialog
    d.set_text(str(path))
    ui.step()
    pointer.move_to(*center(d.ok_button))
    pointer.click()  # a real click on OK
    assert dialogs.paths == [str(path)]
    assert not d.is_open


def test_enter_is_ok(ui, dialogs, pointer, tmp_path):
    path = png(tmp_path / "bg.png")
    open_from_menu(ui, ui.panel.background_menu)
    d = dialogs.dialog
    d.set_text(str(path))
    pointer.mouse.pressButton(KeyboardButton.enter())  # the entry has the keyboard focus
    ui.step(1)
    pointer.mouse.releaseButton(KeyboardButton.enter())
    ui.step(1)
    assert dialogs.paths == [str(path)] and not d.is_open


def test_an_error_is_shown_in_red_and_the_dialog_stays(ui, dialogs, tmp_path):
    dialogs.result = lambda p: None if Path(p).is_file() else f"no such file: {p}"
    open_from_menu(ui, ui.panel.object_menu)
    d = dialogs.dialog
    d.set_text(str(tmp_path / "missing.obj"))
    d.ok()
    assert d.is_open
    assert "no such file" in d.error["text"]
    c = d.error.component("text0").textNode.getTextColor()
    assert tuple(round(v, 3) for v in c) == theme.ERROR
    d.set_text(str(png(tmp_path / "now.png")))
    d.ok()
    assert not d.is_open


def test_cancel_and_escape_close_without_calling(ui, dialogs, pointer):
    open_from_menu(ui, ui.panel.object_menu)
    d = dialogs.dialog
    pointer.move_to(*center(d.cancel_button))
    pointer.click()
    assert not d.is_open and dialogs.paths == []
    open_from_menu(ui, ui.panel.object_menu)
    ui.base.messenger.send("escape")
    assert not dialogs.dialog.is_open and dialogs.paths == []


def test_the_dialog_is_modal(ui, dialogs, pointer):
    open_from_menu(ui, ui.panel.object_menu)
    heard = []
    ui.base.accept("mouse1", lambda: heard.append("mouse1"))
    left, right, bottom, top = ui.layout.scene_view_bounds()
    pointer.move_to(left + 0.01, top - 0.01)  # the scene view, outside the dialog
    pointer.click()
    assert heard == []


def test_listing_shows_matching_files_and_folders(ui, dialogs, pointer, tmp_path):
    for name in ("b.png", "a.JPG", "c.webp", "model.obj", "notes.txt", ".hidden.png"):
        if name.endswith((".png", ".JPG", ".webp")):
            png(tmp_path / name)
        else:
            (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    folder = str(tmp_path) + "/"
    assert list_matches(folder, (".png", ".jpg", ".webp")) == [
        folder + "a.JPG", folder + "b.png", folder + "c.webp", folder + "sub/"]
    assert list_matches(folder, (".obj",)) == [folder + "model.obj", folder + "sub/"]
    open_from_menu(ui, ui.panel.background_menu)
    d = dialogs.dialog
    d.set_text(folder)
    ui.step()
    shown = [r["text"] for r in d.rows if not r.isHidden()]
    assert shown == ["a.JPG", "b.png", "c.webp", "sub/"]
    d.entry.enterText(folder + "b")  # typing narrows it (the dialog watches the entry)
    ui.step()
    assert [r["text"] for r in d.rows if not r.isHidden()] == ["b.png"]
    pointer.move_to(*center(d.rows[0]))
    pointer.click()
    assert d.text == folder + "b.png" and d.is_open  # a click fills, OK still to press


def test_listing_is_capped(ui, dialogs, tmp_path):
    for i in range(LIST_ROWS + 3):
        (tmp_path / f"m{i:02d}.glb").write_text("x")
    open_from_menu(ui, ui.panel.object_menu)
    d = dialogs.dialog
    d.set_text(str(tmp_path) + "/")
    assert sum(not r.isHidden() for r in d.rows) == LIST_ROWS
    assert d.more["text"] == "... 3 more"


def test_screenshot_of_the_open_dialog(ui, dialogs, tmp_path):
    for name in ("lawn.png", "street.jpg", "sky.webp", "texture.tif"):
        png(tmp_path / name)
    (tmp_path / "more_images").mkdir()
    open_from_menu(ui, ui.panel.background_menu)
    d = dialogs.dialog
    d.set_text(str(tmp_path) + "/")
    dialogs.result = "could not load background: not an image"
    d.ok()
    ui.step(3)
    OUT.mkdir(exist_ok=True)
    path = OUT / "ui_path_dialog.png"
    assert ui.base.win.saveScreenshot(Filename.fromOsSpecific(str(path)))


def test_app_open_file_loads_a_background_or_keeps_the_dialog(tmp_path):
    from game.app.root import PerturberApp
    from game.core.params import ParamState

    app = PerturberApp(params=ParamState(), offscreen=True, size=(1280, 800))
    try:
        d = app._open_file("background")
        d.set_text(str(tmp_path / "missing.png"))
        d.ok()
        assert d.is_open and "no such file" in d.error["text"]
        bad = tmp_path / "bad.png"
        bad.write_text("not an image")
        d.set_text(str(bad))
        d.ok()
        assert d.is_open and d.error["text"] == app.messages[-1]
        assert app.params["background"] == "lawn"
        good = png(tmp_path / "good.png", size=(64, 64))
        d.set_text(str(good))
        d.ok()
        assert not d.is_open and app.path_dialog is None
        assert app.params["background"] == str(good) == app.controller.loaded["background"]
    finally:
        app.destroy()
