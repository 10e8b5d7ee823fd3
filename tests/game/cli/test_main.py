"""The `perturber` command line, run as a user runs it (a subprocess)."""
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from game.core.params import CHOICES, DISCRETE, MAY_BE_EMPTY, PARAMS


def perturber(*args, timeout=120):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_list_params_prints_every_parameter_as_json():
    out = perturber("render", "--list-params")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    for p in PARAMS:
        assert rows[p.name]["min"] == p.min and rows[p.name]["max"] == p.max
        assert rows[p.name]["default"] == p.default and rows[p.name]["group"] == p.group
    assert "object" in rows and "background" in rows


def test_list_params_lists_the_discrete_parameters_with_their_choices():
    out = perturber("render", "--list-params")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    for name, default in DISCRETE.items():
        row = rows[name]
        assert row["default"] == default and row["may_be_empty"] == (name in MAY_BE_EMPTY)
        if name in CHOICES:
            assert row["kind"] == "choice" and row["choices"] == list(CHOICES[name])
        else:
            assert row["kind"] == "text" and "choices" not in row
    assert len(rows) == len(PARAMS) + len(DISCRETE)


def test_render_writes_the_224_network_input(tmp_path, background_file):
    plain, grey = tmp_path / "a.png", tmp_path / "b.png"
    common = ["--object", "sphere_box", "--background", str(background_file)]
    assert perturber("render", *common, "--out", str(plain)).returncode == 0
    out = perturber("render", *common, "--set", "saturation=0", "--set", "yaw=10", "--out", str(grey))
    assert out.returncode == 0, out.stderr
    a = np.asarray(Image.open(plain))
    b = np.asarray(Image.open(grey)).astype(int)
    assert a.shape == b.shape == (224, 224, 3)
    assert np.abs(b[..., 0] - b[..., 1]).max() <= 1 and a.std() > 20


def test_bad_input_gives_a_clear_message_and_status_2(tmp_path):
    for args, fragment in (
        (["--set", "hue=2"], "out of range"),
        (["--set", "hue"], "NAME=VALUE"),
        (["--set", "colour=1"], "unknown parameter"),
        (["--object", str(tmp_path / "missing.obj")], "missing.obj"),
        (["--background", str(tmp_path / "nope.png")], "not found"),
    ):
        out = perturber("render", *args, "--out", str(tmp_path / "x.png"))
        assert out.returncode == 2, (args, out.stderr)
        assert fragment in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr


def test_output_paths_are_refused_before_any_work(tmp_path):
    """A device or pipe, a folder, a file where a folder goes, or a suffix the writer
    cannot make: status 2 and one line, before the app or the renderer starts. (A file
    written beside a device and moved onto its name would replace the device.)"""
    import os

    (tmp_path / "f").mkdir()
    os.mkfifo(tmp_path / "pipe")
    os.mkfifo(tmp_path / "pipe.npz")
    (tmp_path / "file").write_text("")
    pipe, folder, file = str(tmp_path / "pipe"), str(tmp_path / "f"), str(tmp_path / "file")
    for args, fragment in (
        (["render", "--out", pipe], "not a regular file"),
        (["render", "--out", f"{tmp_path}/sub/"], "is a folder"),
        (["render", "--out", str(tmp_path / "x.jpg")], "give a .png file"),
        (["--offscreen", "--screenshot", str(tmp_path / "w.gif")], "give a file ending in .png"),
        (["--offscreen", "--screenshot", pipe], "not a regular file"),
        (["--offscreen", "--screenshot", folder], "is a folder"),
        (["--offscreen", "--record", pipe], "not a regular file"),
        (["train-pack", "--out", str(tmp_path / "pipe.npz")], "not a regular file"),
        (["train-pack", "--out", str(tmp_path / "pack.zip")], "give a .npz file"),
        (["sweep", "--param", "yaw=0:1:2", "--out", file], "is not a folder"),
        (["experiment", "yaw-fluctuation", "--out", file], "is not a folder"),
        (["soak", "--out", pipe], "not a regular file"),
    ):
        out = perturber(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert fragment in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
        assert "load-display" not in out.stderr, ("refused only after Panda3D started", args)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "file", "pipe", "pipe.npz"]
    assert not any((tmp_path / "f").iterdir()) and (tmp_path / "pipe").is_fifo()


def test_offscreen_screenshot_of_the_whole_window(tmp_path):
    shot = tmp_path / "window.png"
    out = perturber("--offscreen", "--screenshot", str(shot), "--object", "sphere_box")
    assert out.returncode == 0, out.stderr
    assert str(shot) in out.stdout
    assert Image.open(shot).size == (1280, 800)


def test_the_gui_cache_can_be_turned_off(tmp_path):
    """The same window, every widget drawn in every frame."""
    shots = {}
    for flag in ((), ("--no-gui-cache",)):
        shots[flag] = tmp_path / f"window{len(flag)}.png"
        out = perturber(*flag, "--offscreen", "--screenshot", str(shots[flag]),
                        "--object", "sphere_box")
        assert out.returncode == 0, out.stderr
    cached, live = (np.asarray(Image.open(p).convert("RGB"), int) for p in shots.values())
    assert np.abs(cached - live).max() <= 1


def test_predict_prints_top_k_per_model_as_json():
    out = perturber("predict", "--models", "mobilenet_v2,efficientnet_lite0", "--top", "3", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["object"] == "dog_cat"
    for name in ("mobilenet_v2", "efficientnet_lite0"):
        rows = report["predictions"][name]
        assert len(rows) == 3 and set(rows[0]) == {"index", "label", "logit", "prob"}
        assert rows[0]["prob"] >= rows[1]["prob"] >= rows[2]["prob"]
        # the default scene is the dog end of the dog/cat pair: a dog breed wins
        assert 151 <= rows[0]["index"] <= 268, rows


def test_predict_refuses_unknown_or_missing_models():
    for models, fragment in (("nope", "unknown model"), ("resnet50", "not on this machine"),
                             ("mobilenet_v2@x", "iteration")):
        out = perturber("predict", "--models", models)
        assert out.returncode == 2 and fragment in out.stderr, (models, out.stderr)


def test_models_lists_availability_and_layers():
    out = perturber("models", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["mobilenet_v2"]["available"] and rows["efficientnet_lite0"]["available"]
    assert {"name": "block13", "channels": 96, "size": 14} in rows["mobilenet_v2"]["layers"]
    assert "resnet50" in rows and rows["resnet50"]["available"] is False


def test_bench_reports_every_stage_and_configuration():
    out = perturber("bench", "--frames", "5", "--json", timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for stage in ("render (scene + post chain + copy to RAM)", "readback", "preprocess", "forward mobilenet_v2",
                  "forward efficientnet_lite0", "activation drawing", "prediction drawing",
                  "window after a camera change, GUI cache on",
                  "window after a camera change, GUI cache off"):
        assert report["stages"][stage]["median_ms"] > 0, stage
    assert len(report["configs"]) == 4
    for row in report["configs"].values():
        assert row["fps"] > 0 and row["bare_forward_ms"] > 0
        assert row["frame_over_render_and_bare"] > 0
    without = report["without the window"]  # the configurations with predictions again
    assert list(without) == ["activations + predictions, 1 model",
                             "activations + predictions, 2 models"]
    for name, row in without.items():
        assert row["bare_forward_ms"] == report["configs"][name]["bare_forward_ms"]
        assert row["frame_over_render_and_bare"] > 0 and row["inferences"] == 5
    assert report["machine"]["backend"] == "onnx"  # auto, with onnxruntime installed
    other = report["other backend"]
    assert other["backend"] == "torch" and other["stages"]["forward mobilenet_v2"]["median_ms"] > 0
    assert other["activations + predictions, 2 models"]["fps"] > 0
    further = report["further backends"]
    assert list(further) == ["openvino"]  # installed by scripts/dev.sh
    assert further["openvino"]["stages"]["forward efficientnet_lite0"]["median_ms"] > 0
    assert report["worker, activations + predictions, 2 models"]["fps"] > 0
    assert report["sweep, 1 model"]["points_per_second"] > 0
