"""Record a real offscreen session, then replay it headless, cut it, export it."""
import csv
import json

import pytest

from game.core.params import DISCRETE, PARAMS, ParamState
from game.tools.recording import format as fmt
from game.tools.recording import replay
from game.tools.recording.export import csv_columns, frame_count, write_csv, write_video

SIZE = (640, 400)


def make_app(params):
    from game.app.root import PerturberApp

    return PerturberApp(params=params, offscreen=True, size=SIZE)


def session_app(background_file):
    """The app a session is recorded in: the sphere/box pair on the busy background,
    from its preferred camera, two frames in."""
    params = ParamState()
    # activations off: nothing recorded depends on them and the frames infer faster
    params.update({"object": "sphere_box", "background": str(background_file),
                   "show_activations": 0})
    app = make_app(params)
    app.controller.use_preferred_camera()
    app.step(2)
    return app


@pytest.fixture(scope="module")
def recording(tmp_path_factory, background_file):
    """A short session: param changes, camera moves, a focus event, an unknown action."""
    path = tmp_path_factory.mktemp("rec") / "session.jsonl"
    app = session_app(background_file)
    try:
        recorder = app.tools["recorder"]
        assert recorder.start(path) == path and recorder.button.recording
        for name, value in [("yaw", -20.0), ("pitch", -5.0), ("hue", 0.2),
                            ("distance", 3.0), ("patch_shuffle", 2)]:
            app.params.set(name, value)
            app.step()
        app.base.messenger.send("perturber-focus", ["camera.yaw"])
        app.step()
        assert recorder.stop() == path and not recorder.button.recording
    finally:
        app.destroy()
    return path


@pytest.fixture(scope="module")
def player_app(recording):
    app = make_app(replay.initial_params(fmt.read(recording)))
    yield app
    app.destroy()


def test_the_file_has_a_header_every_change_and_frame_digests(recording):
    rec = fmt.read(recording)
    h = rec.header
    assert h["format"] == "perturber-recording" and h["window"] == list(SIZE)
    assert set(h["params"]) == {p.name for p in PARAMS} | set(DISCRETE)
    assert h["models"]["model1"]["key"].startswith("mobilenet_v2@")
    params = [(e["name"], e["value"]) for e in rec.events if e["kind"] == "param"]
    assert params == [("yaw", -20.0), ("pitch", -5.0), ("hue", 0.2),
                      ("distance", 3.0), ("patch_shuffle", 2.0)]
    assert {"kind": "focus", "target": "camera.yaw"}.items() <= rec.events[-2].items()
    frames = rec.frames()
    assert len(frames) >= 6  # the starting frame, then one per change
    assert all(len(f["top"]["model1"]) == 5 and len(f["image"]) == 16 for f in frames)
    assert len({f["image"] for f in frames}) == 6
    times = [e["t"] for e in rec.events]
    assert times == sorted(times) and rec.complete


# The two CLI tests build their own app: they run before ``player_app`` exists (one
# ShowBase at a time).
def test_cli_headless_replay_exits_0_with_a_summary(recording, capsys):
    from game.cli.main import main

    assert main(["replay", str(recording), "--headless"]) == 0
    out = capsys.readouterr().out
    assert f"{len(fmt.read(recording).frames())} frame digests matched" in out


def test_cli_record_option_writes_a_recording(tmp_path, capsys):
    from game.cli.main import main

    path = tmp_path / "cli.jsonl"
    assert main(["--offscreen", "--screenshot", str(tmp_path / "w.png"), "--size", "640x400",
                 "--object", "sphere_box", "--set", "show_activations=0",
                 "--record", str(path)]) == 0
    rec = fmt.read(path)
    assert rec.complete and rec.header["params"]["object"] == "sphere_box"
    assert rec.frames() and rec.header["window"] == [640, 400]


def test_cli_errors_and_csv(recording, tmp_path, capsys):
    from game.cli.main import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text("hello\n")
    assert main(["replay", str(bad), "--headless"]) == 2
    assert "not a Perturber recording header" in capsys.readouterr().err
    assert main(["export", str(recording), "--csv", str(tmp_path / "s.csv")]) == 0
    assert (tmp_path / "s.csv").read_text().startswith("t,event,image,")


def test_headless_replay_reproduces_every_digest(recording, player_app):
    rec = fmt.read(recording)
    report = replay.verify(player_app, rec)
    assert report.mismatch is None, report.summary(rec)
    assert report.images_compared  # same machine, same renderer
    assert report.frames == len(rec.frames()) and report.unchecked == 0


def test_a_changed_session_is_reported_at_its_first_mismatch(recording, player_app, tmp_path):
    lines = recording.read_text().splitlines()
    hue = next(i for i, l in enumerate(lines) if '"name":"hue"' in l)
    lines[hue] = lines[hue].replace('"value":0.2', '"value":0.3')
    (tmp_path / "changed.jsonl").write_text("\n".join(lines) + "\n")
    rec = fmt.read(tmp_path / "changed.jsonl")
    player_app.params.update(rec.header["params"])
    report = replay.verify(player_app, rec)
    assert report.mismatch is not None and f"line {hue + 2}" in report.mismatch
    assert "digest" in report.mismatch


def test_a_truncated_recording_replays_to_the_cut(recording, player_app, tmp_path):
    data = recording.read_bytes()
    lines = data.split(b"\n")
    cut = len(b"\n".join(lines[:7])) + 1 + len(lines[7]) // 2  # half of line 8
    (tmp_path / "cut.jsonl").write_bytes(data[:cut])
    rec = fmt.read(tmp_path / "cut.jsonl")
    assert len(rec.events) == 6 and "line 8" in rec.damage and "truncated" in rec.damage
    player_app.params.update(rec.header["params"])
    report = replay.verify(player_app, rec)
    assert report.mismatch is None and report.frames == len(rec.frames()) >= 3
    assert "damaged recording: line 8" in report.summary(rec)


def test_csv_has_time_every_parameter_and_top5_per_model(recording, tmp_path):
    rec = fmt.read(recording)
    rows = write_csv(rec, tmp_path / "s.csv")
    with open(tmp_path / "s.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert rows == len(table) == len(rec.frames())
    assert list(table[0]) == csv_columns(rec)
    for col in ("t", "yaw", "hue", "object", "model1_top1_index", "model1_top1_label",
                "model1_top5_prob", "model2_top5_label", "edited_top1_index"):
        assert col in table[0]
    assert float(table[-1]["yaw"]) == -20.0 and float(table[0]["hue"]) == 0.0
    assert float(table[-1]["hue"]) == 0.2 and table[-1]["edited_top1_index"] == ""
    first = rec.frames()[0]["top"]["model1"][0]
    assert int(table[0]["model1_top1_index"]) == first[0] and table[0]["model1_top1_label"]
    assert [float(r["t"]) for r in table] == sorted(float(r["t"]) for r in table)


def test_video_export_is_decodable_with_the_right_frame_count(recording, player_app, tmp_path):
    import av  # a dependency (pyproject): never skipped
    rec = fmt.read(recording)
    # the same session squeezed into 0.5 s: 6 frames at 10 fps
    events = [dict(e, t=round(0.5 * i / (len(rec.events) - 1), 4)) for i, e in enumerate(rec.events)]
    path = tmp_path / "short.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in [rec.header] + events) + "\n")
    short = fmt.read(path)
    player_app.params.update(short.header["params"])
    report, n = write_video(player_app, short, tmp_path / "s.mp4", fps=10)
    assert n == frame_count(short, 10) == 6
    with av.open(str(tmp_path / "s.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 6 and frames[0].shape == (SIZE[1], SIZE[0], 3)
    assert frames[0].std() > 10  # the window, not a blank frame
    assert report.warnings == []


def test_live_replay_applies_every_event_at_its_time(recording, player_app):
    rec = fmt.read(recording)
    player_app.params.update(rec.header["params"])
    done = []
    replay.play_live(player_app, rec, speed=1000.0, on_done=done.append)
    for _ in range(50):
        if done:
            break
        player_app.step()
    assert done and done[0].events == len(rec.events) - len(rec.frames())
    last = {e["name"]: e["value"] for e in rec.events if e["kind"] == "param"}
    assert all(player_app.params[k] == v for k, v in last.items())


def test_a_failing_disk_stops_the_recording_not_the_app(player_app, tmp_path):
    recorder = player_app.tools["recorder"]
    recorder.start(tmp_path / "r.jsonl")
    recorder.writer._file.close()  # as if the disk went away
    player_app.params.set("hue", 0.1)  # must not raise
    assert not recorder.recording and not recorder.button.recording
    assert "recording stopped" in player_app.messages[-1]

