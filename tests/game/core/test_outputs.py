"""Output files: refused before the work when they cannot be written, never half-written."""
import os

import pytest

from game.core.outputs import atomic, atomic_path, check_output
from game.core.params import ParamError


def test_a_writable_new_file_passes_and_its_folder_is_made(tmp_path):
    out = check_output(tmp_path / "a" / "b" / "r.csv")
    assert out.parent.is_dir() and not out.exists()
    assert os.listdir(out.parent) == []  # the probe is gone


def test_an_existing_file_needs_force(tmp_path):
    (tmp_path / "r.csv").write_text("old")
    with pytest.raises(ParamError, match="--force"):
        check_output(tmp_path / "r.csv")
    assert check_output(tmp_path / "r.csv", force=True) == tmp_path / "r.csv"


def test_an_unwritable_place_is_refused_now(tmp_path):
    (tmp_path / "file").write_text("x")  # (a read-only folder does not stop root)
    with pytest.raises(ParamError, match="cannot write"):
        check_output(tmp_path / "file" / "r.csv")


def test_a_folder_or_an_overlong_name_is_refused(tmp_path):
    with pytest.raises(ParamError, match="is a folder"):
        check_output(tmp_path)
    with pytest.raises(ParamError, match="longer than"):
        check_output(tmp_path / ("x" * 300 + ".csv"))


def test_a_name_ending_in_a_separator_is_a_folder_even_before_it_exists(tmp_path):
    with pytest.raises(ParamError, match="is a folder"):
        check_output(f"{tmp_path}/new/")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_a_device_is_refused_with_force_too(device):
    """A file is written beside the output and moved onto its name: on a device that
    would replace the device itself."""
    with pytest.raises(ParamError, match="not a regular file"):
        check_output(device, force=True)
    assert not os.path.isfile(device)


def test_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(ParamError, match="not a regular file"):
        check_output(tmp_path / "pipe.csv", force=True)


def test_suffixes_are_checked_in_any_case(tmp_path):
    assert check_output(tmp_path / "a.PNG", suffixes=(".png",)).name == "a.PNG"
    with pytest.raises(ParamError, match="--out .*a.jpg: give a .png file"):
        check_output(tmp_path / "a.jpg", what="--out", suffixes=(".png",))
    with pytest.raises(ParamError, match="give a file ending in .png, .jpg"):
        check_output(tmp_path / "a", suffixes=(".png", ".jpg"))


def test_atomic_leaves_nothing_when_the_block_fails(tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("previous")
    with pytest.raises(RuntimeError):
        with atomic(out) as f:
            f.write("half")
            raise RuntimeError("killed")
    assert out.read_text() == "previous" and os.listdir(tmp_path) == ["r.csv"]
    with atomic(out) as f:
        f.write("whole")
    assert out.read_text() == "whole" and os.listdir(tmp_path) == ["r.csv"]


def test_atomic_path_keeps_the_suffix_and_moves_into_place(tmp_path):
    out = tmp_path / "v.mp4"
    with atomic_path(out) as part:
        assert part.suffix == ".mp4" and part.parent == tmp_path and part != out
        part.write_bytes(b"video")
    assert out.read_bytes() == b"video" and os.listdir(tmp_path) == ["v.mp4"]


def test_the_atomic_writers_never_move_a_file_onto_a_pipe(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(ParamError, match="not a regular file"):
        with atomic(tmp_path / "pipe.csv") as f:
            f.write("x")
    with pytest.raises(ParamError, match="not a regular file"):
        with atomic_path(tmp_path / "pipe.csv"):
            pass
    assert (tmp_path / "pipe.csv").is_fifo() and os.listdir(tmp_path) == ["pipe.csv"]
