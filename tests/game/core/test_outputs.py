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
