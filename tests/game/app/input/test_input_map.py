"""The mapping table: bundled file, user files, and clear errors for bad ones."""
import json

import pytest

from game.app.input.input_map import InputMapError, load_input_map, parse_input_map


def test_bundled_map_loads_and_lists_rows():
    m = load_input_map()
    assert m.buttons["face_x"] == "attack.step" and m.buttons["face_y"] == "attack.reset"
    assert {b.param for b in m.axes} == {"yaw", "pitch", "pan_x", "pan_y", "distance"}
    rows = dict(m.rows())
    assert rows["pad face x"] == "attack.step"


def test_user_file_via_environment(tmp_path, monkeypatch):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"buttons": {"face_b": "attack.step"}, "deadzone": 0.1}))
    monkeypatch.setenv("PERTURBER_INPUT_MAP", str(path))
    m = load_input_map()
    assert m.buttons == {"face_b": "attack.step"} and m.deadzone == 0.1 and m.source == str(path)


@pytest.mark.parametrize("data, words", [
    ({"buttons": {"face_q": "attack.step"}}, ["buttons.face_q", "unknown gamepad button"]),
    ({"buttons": {"face_a": "jump"}}, ["buttons.face_a", "not an action name"]),
    ({"axes": {"left_x": {"param": "yawn", "rate": 1}}}, ["axes.left_x", "'yawn'"]),
    ({"axes": {"left_x": {"param": "yaw"}}}, ["axes.left_x", "rate"]),
    ({"axes": {"left_x": {"param": "yaw", "rate": "fast"}}}, ["rate", "not a number"]),
    ({"deadzone": 2}, ["deadzone=2", "outside"]),
    ({"butons": {}}, ["unknown key", "butons"]),
    ([1, 2], ["JSON object"]),
])
def test_bad_mapping_gives_a_clear_error(data, words):
    with pytest.raises(InputMapError) as err:
        parse_input_map(data, "my.json")
    assert "my.json" in str(err.value)
    for w in words:
        assert w in str(err.value)


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "buttons": {\n    "face_a": "focus.next",\n  }\n}\n')
    with pytest.raises(InputMapError, match=r"bad.json: not valid JSON at line 4"):
        load_input_map(path)
    with pytest.raises(InputMapError, match="cannot read"):
        load_input_map(tmp_path / "missing.json")
