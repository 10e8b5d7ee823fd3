"""``--backend``: every command that builds the app runs its networks on the backend asked
for; onnx where onnxruntime is missing (openvino where openvino is) is one clear line and
status 2, auto is torch."""
import json
import os
import subprocess
import sys

import pytest

from game.cli import main as cli
from game.tools.recording import format as fmt


class Built(Exception):
    """Raised by the stand-in app: the command got as far as building it."""


@pytest.fixture
def built(monkeypatch):
    """Replaces the app: ``built(argv)`` runs the command up to building it and gives the
    ``Built`` it raised (``.value.args``: the backend it was given)."""
    import game.app.root

    def app(*_args, backend="auto", **_kwargs):
        raise Built(backend)

    monkeypatch.setattr(game.app.root, "PerturberApp", app)
    return lambda argv: pytest.raises(Built, cli.run, cli.build_parser().parse_args(argv))


@pytest.fixture
def recording(tmp_path):
    path = tmp_path / "session.jsonl"
    path.write_text(json.dumps({"kind": "header", "format": fmt.MAGIC, "version": fmt.VERSION,
                                "window": [640, 480], "params": {}}) + "\n")
    return str(path)


def commands(recording, tmp_path):
    """Every command that builds the app, as argv without the backend."""
    return {"app": ["--offscreen", "--screenshot", str(tmp_path / "w.png")],
            "soak": ["soak", "--minutes", "0.01"],
            "replay": ["replay", recording, "--headless"],
            "export": ["export", recording, "--video", str(tmp_path / "v.mp4")]}


@pytest.mark.parametrize("command", ["app", "soak", "replay", "export"])
def test_the_backend_option_reaches_the_app(built, recording, tmp_path, command):
    argv = commands(recording, tmp_path)[command]
    assert built(argv).value.args == ("auto",)
    assert built(["--backend", "torch", *argv]).value.args == ("torch",)
    if command != "app":  # after the subcommand too
        assert built([*argv, "--backend", "onnx"]).value.args == ("onnx",)
        assert built([*argv, "--backend", "openvino"]).value.args == ("openvino",)


@pytest.mark.parametrize("command", ["soak", "replay", "export"])
def test_onnx_without_onnxruntime_is_refused_before_the_app_is_built(
        built, recording, tmp_path, monkeypatch, capsys, command):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    argv = [*commands(recording, tmp_path)[command], "--backend", "onnx"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("perturber: error: --backend onnx: onnxruntime is not installed")
    assert err.count("\n") == 1 and "pip install onnxruntime" in err
    assert "--backend torch" in err and "--backend auto" in err


def test_openvino_without_openvino_is_refused_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino -> ImportError
    assert cli.main(["predict", "--models", "mobilenet_v2", "--backend", "openvino"]) == 2
    assert capsys.readouterr().err == (
        "perturber: error: --backend openvino: openvino is not installed here: pip install "
        "openvino, or run the networks on onnx or torch (--backend torch, or --backend auto to "
        "use onnx only where it works)\n")


def test_predict_on_openvino_gives_torchs_top5(capsys):
    for backend in ("torch", "openvino"):
        assert cli.main(["predict", "--models", "mobilenet_v2,efficientnet_lite0", "--top", "5",
                         "--json", "--backend", backend]) == 0
        report = json.loads(capsys.readouterr().out)["predictions"]
        if backend == "torch":
            expected = report
    for name, rows in report.items():
        assert [r["index"] for r in rows] == [r["index"] for r in expected[name]], name
        assert all(abs(a["logit"] - b["logit"]) < 1e-3 for a, b in zip(rows, expected[name]))


def test_the_app_itself_starts_on_onnx_without_onnxruntime(built, recording, tmp_path,
                                                          monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    argv = ["--backend", "onnx", *commands(recording, tmp_path)["app"]]
    assert built(argv).value.args == ("onnx",)  # its model slots say what is missing


def test_predict_on_onnx_without_onnxruntime_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert cli.main(["predict", "--models", "mobilenet_v2", "--backend", "onnx"]) == 2
    assert capsys.readouterr().err == (
        "perturber: error: --backend onnx: onnxruntime is not installed here: pip install "
        "onnxruntime, or run the networks on torch (--backend torch, or --backend auto to use "
        "onnx only where it works)\n")


def test_predict_on_auto_without_onnxruntime_runs_on_torch_quietly():
    """In a process of its own: stderr as a user sees it (logging not set up)."""
    code = ("import sys; sys.modules['onnxruntime'] = None\n"
            "from game.cli.main import main\n"
            "sys.exit(main(['predict', '--models', 'mobilenet_v2', '--top', '2', '--json']))")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["predictions"]["mobilenet_v2"]) == 2
    assert "onnx" not in out.stderr and "Traceback" not in out.stderr


def test_the_app_on_onnx_without_onnxruntime_says_so_and_keeps_running(monkeypatch):
    from game.app.root import PerturberApp

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    app = PerturberApp(offscreen=True, backend="onnx")
    try:
        app.step(3)
        assert [m.split(": ", 1)[1] for m in app.messages] == [
            "onnxruntime is not installed here: pip install onnxruntime, or run the networks "
            "on torch"] * 2
        for slot in ("model1", "model2"):  # each slot's status line says it first
            assert app.slots_view.slots[slot].status.text.startswith(
                f"{slot}: onnxruntime is not installed")
        drawn = app.redraw.drawn
        app.params.set("hue", 0.2)
        app.step(2)
        assert app.slots.enabled() == [] and app.redraw.drawn > drawn
    finally:
        app.destroy()


def test_bench_on_onnx_without_onnxruntime_is_refused_before_measuring(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert cli.main(["bench", "--backend", "onnx"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("perturber: error: --backend onnx: onnxruntime is not installed")
