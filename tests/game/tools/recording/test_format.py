"""The recording file on its own: writing, reading, damage, digests (no app)."""
import json

import numpy as np
import pytest

from game.tools.recording import format as fmt


def write(path, header, lines):
    path.write_text("\n".join([json.dumps(header)] + lines) + "\n")
    return path


@pytest.fixture
def header():
    return fmt.make_header({"hue": 0.0, "yaw": -45.0, "object": "dog_cat"},
                           {"model1": {"name": "m", "checkpoint": 0, "key": "m@1"}}, "gl", (640, 400))


def test_writer_flushes_every_event_and_ends_cleanly(tmp_path, header):
    ticks = iter([10.0, 10.5, 11.25, 12.0])
    w = fmt.Writer(tmp_path / "r.jsonl", header, clock=lambda: next(ticks))
    w.event("param", name="hue", value=0.25)
    # flushed: another reader sees it before the writer is closed
    assert json.loads((tmp_path / "r.jsonl").read_text().splitlines()[1]) == {
        "t": 0.5, "kind": "param", "name": "hue", "value": 0.25}
    w.event("action", name="attack.step")
    w.close()
    rec = fmt.read(tmp_path / "r.jsonl")
    assert [e["kind"] for e in rec.events] == ["param", "action", "end"]
    assert rec.complete and rec.damage is None and rec.duration == 2.0
    assert rec.header["app_version"] and rec.header["version"] == fmt.VERSION


def test_a_half_written_last_line_is_reported_and_the_rest_kept(tmp_path, header):
    path = write(tmp_path / "r.jsonl", header, [
        '{"t":0.1,"kind":"param","name":"hue","value":0.1}',
        '{"t":0.2,"kind":"param","name":"hue","value":0.2}'])
    path.write_bytes(path.read_bytes() + b'{"t":0.3,"kind":"par')
    rec = fmt.read(path)
    assert [e["value"] for e in rec.events] == [0.1, 0.2]
    assert "line 4" in rec.damage and "truncated" in rec.damage and not rec.complete


def test_garbage_stops_at_the_damage_and_unknown_kinds_are_skipped(tmp_path, header):
    rec = fmt.read(write(tmp_path / "r.jsonl", header, [
        '{"t":0.1,"kind":"param","name":"hue","value":0.1}',
        '{"t":0.15,"kind":"teleport","where":"moon"}',
        '\x00\x01 not json at all',
        '{"t":0.3,"kind":"param","name":"hue","value":0.3}']))
    assert [e["value"] for e in rec.events if e["kind"] == "param"] == [0.1]
    assert "line 4" in rec.damage and "garbage" in rec.damage
    assert rec.skipped == ["line 3: unknown event kind 'teleport' (skipped)"]


def test_time_going_backwards_is_damage(tmp_path, header):
    rec = fmt.read(write(tmp_path / "r.jsonl", header, [
        '{"t":0.5,"kind":"focus","target":"a"}', '{"t":0.2,"kind":"focus","target":"b"}']))
    assert len(rec.events) == 1 and "backwards" in rec.damage


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b'{"t":0.1,"kind":"param","name":"hue","value":0.1}\n', "not a Perturber recording header"),
    (b"garbage\n", "not a Perturber recording header"),
])
def test_a_missing_header_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "r.jsonl"
    path.write_bytes(content)
    with pytest.raises(fmt.RecordingError, match=message):
        fmt.read(path)


def test_another_format_version_is_refused(tmp_path, header):
    with pytest.raises(fmt.RecordingError, match="version 99"):
        fmt.read(write(tmp_path / "r.jsonl", {**header, "version": 99}, []))


def test_digests():
    a = np.zeros((224, 224, 3), np.uint8)
    b = a.copy()
    b[5, 5, 1] = 1
    assert fmt.image_digest(a) == fmt.image_digest(a.copy()) != fmt.image_digest(b)
    assert len(fmt.image_digest(a)) == fmt.DIGEST_CHARS
    assert fmt.top_digest([{"index": 3, "prob": 0.123456, "label": "x"}]) == [[3, 0.1235]]
    assert fmt.top_digest(None) is None


def test_a_device_or_folder_is_not_read(tmp_path):
    with pytest.raises(fmt.RecordingError, match="not a regular file"):
        fmt.read("/dev/zero")  # would never end if it were read
    with pytest.raises(fmt.RecordingError, match="not a regular file"):
        fmt.read(tmp_path)


def test_an_endless_line_is_damage_not_a_memory_bomb(tmp_path, header, monkeypatch):
    path = write(tmp_path / "r.jsonl", header, [
        '{"t":0.1,"kind":"param","name":"hue","value":0.1}'])
    path.write_bytes(path.read_bytes() + b"y" * 20_000 + b"\n")
    monkeypatch.setattr(fmt, "MAX_LINE_BYTES", 10_000)  # the header fits, the next line not
    rec = fmt.read(path)
    assert [e["value"] for e in rec.events] == [0.1] and "longer than" in rec.damage


@pytest.mark.parametrize("window", [[100000, 100000], [0, 10], "big", [1.5, 2], [True, 3]])
def test_an_absurd_header_window_is_refused(tmp_path, header, window):
    header["window"] = window
    with pytest.raises(fmt.RecordingError, match="window"):
        fmt.read(write(tmp_path / "r.jsonl", header, []))


@pytest.mark.parametrize("t", [1e9, "NaN", "Infinity"])
def test_event_times_past_the_cap_or_not_finite_are_damage(tmp_path, header, t):
    t_text = json.dumps(t) if isinstance(t, float) else t
    rec = fmt.read(write(tmp_path / "r.jsonl", header, [
        '{"t":0.1,"kind":"param","name":"hue","value":0.1}',
        '{"t":%s,"kind":"end"}' % t_text]))
    assert len(rec.events) == 1 and rec.damage and rec.duration == 0.1


@pytest.mark.parametrize("event", [
    {"kind": "param", "value": 1}, {"kind": "param", "name": "hue", "value": [1]},
    {"kind": "action", "name": 3}, {"kind": "focus", "target": {}},
    {"kind": "models", "models": ["m@1"]}, {"kind": "models", "models": {"model1": 5}},
    {"kind": "frame", "serial": 1, "image": "ab", "top": []},
    {"kind": "frame", "serial": 1, "image": "ab", "top": {"model1": [[1]]}},
    {"kind": "frame", "serial": "1", "image": "ab", "top": {}},
])
def test_malformed_event_fields_are_damage(tmp_path, header, event):
    rec = fmt.read(write(tmp_path / "r.jsonl", header, [
        '{"t":0.1,"kind":"param","name":"hue","value":0.1}', json.dumps({"t": 0.2, **event})]))
    assert len(rec.events) == 1 and "malformed fields" in rec.damage


def test_an_existing_recording_is_never_overwritten(tmp_path, header):
    first = fmt.Writer(tmp_path / "s.jsonl", header)
    first.close()
    before = (tmp_path / "s.jsonl").read_bytes()
    second = fmt.Writer(tmp_path / "s.jsonl", header)
    second.close()
    assert second.path == tmp_path / "s-1.jsonl"
    assert (tmp_path / "s.jsonl").read_bytes() == before


def test_an_endless_recording_is_refused_before_a_video_export(tmp_path, header):
    from game.core.params import ParamError
    from game.tools.recording.export import check_video

    rec = fmt.read(write(tmp_path / "r.jsonl", header, ['{"t":500000,"kind":"end"}']))
    with pytest.raises(ParamError, match="more than"):
        check_video(rec, 25)
    with pytest.raises(ParamError, match="--fps"):
        check_video(rec, 0)
