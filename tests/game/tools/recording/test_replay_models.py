"""A session that picks models in the slot menu replays to the same models and frames."""
from game.tools.recording import format as fmt
from game.tools.recording import replay
from tests.game.tools.recording.test_session import make_app, session_app


def test_a_model_picked_with_its_final_weights_replays_as_picked(tmp_path, background_file):
    """Model 2 on a checkpoint, then a model without that checkpoint picked in the menu:
    the model and its checkpoint are two events, applied together on replay."""
    path = tmp_path / "models.jsonl"
    app = session_app(background_file)
    try:
        app.tools["recorder"].start(path)
        row = app.slots_view.slots["model2"]
        row.menu.pick("mobilenet_v2_adv")
        app.params.set("model2_checkpoint", 31)
        app.step(2)
        row.menu.pick("efficientnet_lite0")  # has no checkpoint 31: comes with 0
        app.step(2)
        app.tools["recorder"].stop()
        assert app.slots.errors == {}
    finally:
        app.destroy()
    rec = fmt.read(path)
    changes = [(e["name"], e["value"]) for e in rec.events if e["kind"] == "param"]
    assert changes[-2:] == [("model2", "efficientnet_lite0"), ("model2_checkpoint", 0)]
    player = make_app(replay.initial_params(rec))
    try:
        report = replay.verify(player, rec)
        assert report.mismatch is None and not report.warnings, report.summary(rec)
        assert report.frames == len(rec.frames()) and report.events == len(rec.events) - len(rec.frames())
        loaded = player.slots.loaded["model2"]
        assert (loaded.name, loaded.checkpoint) == ("efficientnet_lite0", 0)
        assert player.slots.errors == {}
    finally:
        player.destroy()
