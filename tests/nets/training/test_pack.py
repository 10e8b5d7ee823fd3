import numpy as np
import pytest

from nets.training.pack import PackError, read_meta, read_pack, write_pack


def test_round_trip_keeps_groups_sizes_and_meta(tmp_path):
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 255, 32)
    smooth = np.stack([np.stack(np.broadcast_arrays(ramp[:, None] * k / 3, ramp[None, :],
                                                    np.full((32, 32), 60.0 * k)), -1)
                       for k in range(3)]).astype(np.uint8)
    photo = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    path = write_pack(tmp_path / "p.npz", {"clean": list(smooth), "photos": [photo]},
                      {"seeds": [0]}, quality=95)
    groups, meta = read_pack(path)
    assert meta["seeds"] == [0] and meta["groups"] == {"clean": 3, "photos": 1}
    assert read_meta(path)["quality"] == 95
    assert [g.shape for g in groups["clean"]] == [(32, 32, 3)] * 3
    assert groups["photos"][0].shape == (20, 30, 3)
    err = np.abs(np.stack(groups["clean"]).astype(int) - smooth.astype(int)).mean()
    assert err < 3   # JPEG at quality 95 of smooth images: close, not exact


def test_bad_files_are_clear_errors(tmp_path):
    with pytest.raises(PackError, match="no such training pack"):
        read_pack(tmp_path / "absent.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(PackError, match="not a training pack"):
        read_pack(junk)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(PackError, match="no readable meta"):
        read_meta(other)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, meta=np.array([{"format": 1}], dtype=object))
    with pytest.raises(PackError):
        read_pack(pickled)   # never unpickled


def test_group_names_must_not_contain_dots(tmp_path):
    with pytest.raises(ValueError, match="may not contain"):
        write_pack(tmp_path / "p.npz", {"a.b": []}, {})


def test_a_pack_is_never_moved_onto_a_pipe_or_folder(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.npz")
    (tmp_path / "dir.npz").mkdir()
    for name in ("pipe.npz", "dir.npz"):
        with pytest.raises(ValueError, match="not a regular file"):
            write_pack(tmp_path / name, {"a": []}, {})
    assert (tmp_path / "pipe.npz").is_fifo() and sorted(os.listdir(tmp_path)) == ["dir.npz", "pipe.npz"]


def _tampered(tmp_path, **changes):
    """A valid one-group pack with some of its arrays replaced."""
    import json

    good = write_pack(tmp_path / "good.npz", {"clean": [np.zeros((8, 8, 3), np.uint8)] * 2}, {})
    with np.load(good) as z:
        arrays = {k: z[k] for k in z.files}
    for key, value in changes.items():
        arrays[key.replace("__", ".")] = (np.frombuffer(json.dumps(value).encode(), np.uint8)
                                          if key == "meta" else value)
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("changes", [
    {"meta": []},
    {"meta": {"format": 1, "groups": ["clean"]}},
    {"meta": {"format": 1, "groups": {"../x": 1}}},
    {"clean__offsets": np.array([0.0, 1.5, 2.0])},
    {"clean__offsets": np.array([5, 3, 1])},
    {"clean__offsets": np.array([0, 10 ** 9])},
    {"clean__jpeg": np.zeros((4, 4), np.uint8)},
    {"clean__jpeg": np.frombuffer(b"garbage-garbage-garbage!" * 10, np.uint8)},
])
def test_malformed_packs_are_pack_errors(tmp_path, changes):
    path = _tampered(tmp_path, **changes)
    with pytest.raises(PackError):
        read_pack(path)
