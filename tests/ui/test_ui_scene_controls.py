"""Object / background menus and the custom GLSL editor of the scene panel."""
from ui import theme
from ui.scene_controls import OPEN_FILE


def colour(label):
    c = label.component("text0").textNode.getTextColor()
    return tuple(round(v, 3) for v in c)


def test_object_menu_calls_back(ui):
    menu = ui.panel.object_menu
    assert menu.menu.get() == "dog_cat"  # the ParamState's current object
    menu.menu.set(1)                     # as if picked from the popup
    assert ui.calls.object == ["car_truck"]
    assert ui.calls.background == []


def test_background_menu_calls_back(ui):
    ui.panel.background_menu.menu.set(1)
    assert ui.calls.background == ["street"]


def test_open_file_entry_calls_back_and_keeps_selection(ui):
    menu = ui.panel.object_menu.menu
    assert menu["items"][-1] == OPEN_FILE
    menu.set(len(menu["items"]) - 1)
    assert ui.calls.open_file == ["object"]
    assert ui.calls.object == []
    assert menu.get() == "dog_cat"


def test_open_file_entry_only_with_a_callback(showbase):
    from game.core.params import ParamState
    from ui.scene_panel import ScenePanel
    panel = ScenePanel(showbase.aspect2d, ParamState(), ["a"], ["b"], print, print,
                       lambda code: None)
    assert OPEN_FILE not in panel.object_menu.menu["items"]
    panel.destroy()


def test_discrete_param_change_updates_menu_without_callback(ui):
    ui.params.set("object", "/data/models/teapot.obj")
    assert ui.panel.object_menu.menu.get() == "teapot.obj"
    assert ui.panel.object_menu.value == "/data/models/teapot.obj"
    ui.params.set("background", "street")
    assert ui.panel.background_menu.menu.get() == "street"
    assert ui.calls.object == [] and ui.calls.background == []


def test_custom_code_error_is_shown_in_red(ui):
    ui.calls.code_result = "0:3(12): error: syntax error, unexpected IDENTIFIER"
    ui.panel.controls.entry.enterText("color.rgb = oops;")
    ui.panel.controls.apply_button["command"]()
    assert ui.calls.code == ["color.rgb = oops;"]
    status = ui.panel.controls.status
    assert "syntax error" in status["text"]
    assert colour(status) == theme.ERROR


def test_custom_code_compiled_is_shown_in_green(ui):
    ui.calls.code_result = None
    ui.panel.controls.apply_code()
    status = ui.panel.controls.status
    assert status["text"] == "compiled"
    assert colour(status) == theme.OK
    assert ui.calls.code == ["color.rgb = (color.rgb - 0.5) * custom + 0.5;"]


def test_long_compiler_log_is_truncated(ui):
    ui.panel.controls.show_code_status("\n".join(f"0:{i}: error" for i in range(40)))
    assert ui.panel.controls.status["text"].count("\n") <= 7
