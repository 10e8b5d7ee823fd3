"""Bad input through every entry point: one clear line, exit 2, no traceback, nothing half
written, and the process alive. One case per kind of failure seen when the CLI and the app
were attacked with crafted and careless input; the inputs are made here (tests/robustness/inputs.py).

Cases that stop before any rendering run in this process (fast); the few that must render or
may crash a native library run ``perturber`` in a subprocess.
"""
import contextlib
import io
import os

import pytest

from game.cli.main import main
from tests.game.cli.test_main import perturber
from tests.robustness import inputs


def run(*argv) -> tuple[int, str]:
    """(exit status, stderr) of ``perturber ARGV`` in this process."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
    return code, err.getvalue()


def assert_refused(code: int, err: str, fragment: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err          # one line says what is wrong
    assert fragment in errors[0], err


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def nothing_made(folder) -> bool:
    return not folder.exists() or not any(folder.iterdir())


# -- 1. files that crashed native code ------------------------------------------------------
def test_a_crafted_weights_file_is_refused_and_the_process_lives(tmp_path):
    evil = inputs.segfaulting_weights(tmp_path)
    out = perturber("predict", "--models", f"mobilenet_v2={evil}", timeout=300)
    assert out.returncode == 2 and out.returncode > 0, out.stderr  # not -11 (SIGSEGV)
    assert "Traceback" not in out.stderr and "not a plain number type" in out.stderr


def test_a_malformed_gltf_is_refused_and_the_process_lives(tmp_path):
    out = perturber("render", "--object", str(inputs.crashing_gltf(tmp_path)),
                    "--out", str(tmp_path / "f.png"), timeout=300)
    assert out.returncode == 2, out.stderr
    assert "importer crashed" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "f.png").exists()


# -- 2. what used to give a wrong result with exit 0 ----------------------------------------
@pytest.mark.parametrize("argv, fragment", [
    (["render", "--set", "model1=nope", "--out", "OUT"], "unknown model"),
    (["render", "--set", "layer=nope", "--out", "OUT"], "no such layer"),
    (["render", "--set", "attack_target=99999", "--out", "OUT"], "not a class index"),
    (["evaluate", "--steps", "-3"], "--steps"),
    (["evaluate", "--l2", "nan"], "--l2"),
    (["evaluate", "--n", "-5"], "--n"),
    (["train", "--variant", "adv", "--eps", "nan", "--out", "OUT"], "--eps"),
    (["train", "--variant", "adv", "--clean-weight", "nan", "--out", "OUT"], "--clean-weight"),
    (["train", "--variant", "adv", "--steps", "-1", "--out", "OUT"], "--steps"),
    (["train", "--variant", "adv", "--minutes", "-2", "--out", "OUT"], "--minutes"),
    (["train", "--variant", "adv", "--images", "/no/such/dir", "--out", "OUT"], "no such folder"),
    (["train", "--variant", "adv", "--name", "../../x", "--out", "OUT"], "a name is"),
])
def test_nonsense_is_refused_before_any_work(tmp_path, cache, argv, fragment):
    out = tmp_path / ("out.png" if argv[0] == "render" else "out")
    argv = [str(out) if a == "OUT" else a for a in argv]
    assert_refused(*run(*argv), fragment)
    assert nothing_made(cache) and not out.exists()


def test_a_scene_input_that_cannot_be_used_stops_the_run(tmp_path):
    bad = inputs.unreadable_image(tmp_path)
    for args in (["render", "--set", f"feat_vis={bad}", "--out", str(tmp_path / "f.png")],
                 ["sweep", "--param", "yaw=0:10:2", "--background", str(bad),
                  "--backend", "inprocess", "--out", str(tmp_path / "sweep")]):
        out = perturber(*args, timeout=300)
        assert out.returncode == 2, out.stderr
        assert "broken.png" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "f.png").exists() and not (tmp_path / "sweep" / "sweep.json").exists()


def test_merging_an_evaluation_made_with_other_settings_is_refused(tmp_path, cache):
    import json

    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps({"settings": {"pgd_steps": 50}, "models": {}}))
    assert_refused(*run("evaluate", "--merge", str(earlier)), "other settings")


# -- 3. finished work that was thrown away ----------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["evaluate", "--out", "BLOCKED/r.json"],
    ["soak", "--out", "BLOCKED/r.json"],
    ["sweep", "--param", "yaw=0:1:2", "--out", "BLOCKED/s"],
    ["attack", "--out", "BLOCKED/a.png"],
    ["train", "--variant", "adv", "--steps", "1", "--out", "BLOCKED/t"],
    ["featvis", "--model", "mobilenet_v2", "--layer", "block13", "--channel", "0",
     "--out", "BLOCKED/f.png"],
    ["evaluate", "--out", "LONG"],
    ["render", "--out", "BLOCKED/f.png"],
])
def test_an_output_that_cannot_be_written_is_refused_before_the_work(tmp_path, cache, argv):
    (tmp_path / "file").write_text("a file, so nothing can be made under it")
    argv = [a.replace("BLOCKED", str(tmp_path / "file")).replace("LONG", str(tmp_path / ("x" * 300)))
            for a in argv]
    code, err = run(*argv)
    assert_refused(code, err, "")
    assert "cannot write" in err or "longer than" in err
    assert nothing_made(cache)


def test_an_export_never_leaves_a_truncated_file(tmp_path):
    rec = inputs.recording(tmp_path, [{"t": 0.1, "kind": "param", "name": "hue", "value": 0.1}])
    (tmp_path / "s.csv").write_text("earlier")
    assert_refused(*run("export", str(rec), "--csv", str(tmp_path / "s.csv")), "--force")
    assert (tmp_path / "s.csv").read_text() == "earlier"
    code, err = run("export", str(rec), "--csv", str(tmp_path / "s.csv"), "--force")
    assert code == 0, err
    assert (tmp_path / "s.csv").read_text().startswith("t,event,image")
    assert sorted(os.listdir(tmp_path)) == ["s.csv", "session.jsonl"]  # no temp file left


# -- 4. hangs and unbounded use -----------------------------------------------------------------
@pytest.mark.parametrize("argv, fragment", [
    (["replay", "/dev/zero", "--headless"], "not a regular file"),
    (["soak", "--minutes", "nan"], "--minutes"),
    (["train", "--variant", "adv", "--minutes", "nan", "--out", "OUT"], "--minutes"),
    (["sweep", "--param", "yaw=-180:180:1000", "--param", "hue=-0.5:0.5:1000", "--out", "OUT"],
     "more than a sweep takes"),
    (["sweep", "--param", "yaw=0:1:2", "--workers", "200", "--out", "OUT"], "--force-workers"),
])
def test_what_would_never_end_is_refused_at_once(tmp_path, cache, argv, fragment):
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    assert_refused(*run(*argv), fragment)


def test_an_absurd_recording_is_refused_not_played(tmp_path):
    rec = inputs.recording(tmp_path, window=(100_000, 100_000))
    assert_refused(*run("export", str(rec), "--video", str(tmp_path / "v.mp4")), "window")
    endless = inputs.recording(tmp_path, [{"t": 400_000, "kind": "end"}], name="long.jsonl")
    assert_refused(*run("export", str(endless), "--video", str(tmp_path / "v.mp4")),
                   "more than")
    assert not (tmp_path / "v.mp4").exists()


def test_an_unreachable_ray_cluster_is_refused_at_once(tmp_path):
    pytest.importorskip("ray")
    assert_refused(*run("sweep", "--param", "yaw=0:1:2", "--ray", "127.0.0.1:1",
                        "--out", str(tmp_path / "o")), "no Ray cluster answers")


# -- 5. what used to end in a traceback ------------------------------------------------------------
def test_weights_of_the_wrong_kind_are_a_clear_error(tmp_path):
    out = perturber("predict", "--models", f"mobilenet_v2={inputs.complex_weights(tmp_path)}",
                    timeout=300)
    assert out.returncode == 2 and "wrong kind" in out.stderr and "Traceback" not in out.stderr


def test_damaged_recording_fields_are_reported_not_raised(tmp_path):
    rec = inputs.recording(tmp_path, [{"t": 0.1, "kind": "param", "name": "hue", "value": 0.1},
                                      {"t": 0.2, "kind": "models", "models": ["x"]}])
    code, err = run("export", str(rec), "--csv", str(tmp_path / "s.csv"))
    assert code == 0 and "damaged recording: line 3" in err and "Traceback" not in err


def test_an_unexpected_error_says_where_to_report_and_hides_the_traceback(monkeypatch):
    import game.cli.main as cli_main

    def boom(args):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(cli_main, "cmd_render", boom)
    code, err = run("render", "--out", "x.png")
    assert code == 1 and "Traceback" not in err and "something nobody expected" in err
    code, err = run("render", "--out", "x.png", "--debug")
    assert code == 1 and "Traceback" in err


def test_the_app_in_kiosk_mode_survives_a_crashing_file_from_the_dialog(tmp_path):
    from game.app.root import PerturberApp
    from game.core.params import ParamState

    app = PerturberApp(params=ParamState(), offscreen=True, size=(1280, 800))
    try:
        app.attach_kiosk()
        app.step(3)
        before = app.pipeline.render_now().image
        dialog = app._open_file("object")
        dialog.set_text(str(inputs.crashing_gltf(tmp_path)))
        dialog.ok()
        assert dialog.is_open and "importer crashed" in dialog.error["text"]
        assert app.params["object"] == "dog_cat"       # the scene still shows the dog
        app.step(3)
        assert (app.pipeline.render_now().image == before).all()
    finally:
        app.destroy()
