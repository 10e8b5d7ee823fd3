"""A custom GLSL snippet is part of a recording: a replay runs the same shader."""
from game.core.params import ParamState
from game.tools.recording import format as fmt
from game.tools.recording import replay

SNIPPET = "return vec3(1.0) - color;"


def make_app(params):
    from game.app.root import PerturberApp

    return PerturberApp(params=params, offscreen=True, size=(640, 400))


def test_a_custom_glsl_snippet_is_recorded_and_replayed(tmp_path, background_file):
    params = ParamState()
    params.update({"object": "sphere_box", "background": str(background_file),
                   "show_activations": 0})
    app = make_app(params)
    try:
        app.step(2)
        recorder = app.tools["recorder"]
        path = recorder.start(tmp_path / "glsl.jsonl")
        assert app.pipeline.set_custom_snippet(SNIPPET) is None
        app.step(2)
        app.params.set("custom", 1.5)
        app.step(2)
        recorder.stop()
    finally:
        app.destroy()
    rec = fmt.read(path)
    assert rec.header["custom_glsl"] != SNIPPET  # the default one ran when recording began
    assert [e["code"] for e in rec.events if e["kind"] == "custom"] == [SNIPPET]
    player = make_app(replay.initial_params(rec))
    try:
        report = replay.verify(player, rec)
        assert report.mismatch is None and report.frames >= 2, report.summary(rec)
        assert player.pipeline.custom.snippet == SNIPPET
    finally:
        player.destroy()
