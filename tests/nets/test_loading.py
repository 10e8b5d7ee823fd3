"""Loader tests on small state_dicts built here (no downloads, no real checkpoints)."""
import os
import sys

import pytest
import torch
from torch import nn

from nets.loading import ModelLoadError, load_file_into, load_into, load_state_dict_file


def small_model():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))


def save(tmp_path, obj, name="w.pth"):
    path = tmp_path / name
    torch.save(obj, path)
    return path


def test_round_trip_pth(tmp_path):
    src = small_model()
    path = save(tmp_path, src.state_dict())
    dst = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    load_file_into(dst, path)
    for k, v in src.state_dict().items():
        assert torch.equal(dst.state_dict()[k], v)


def test_pt_suffix_and_returned_tensors_on_cpu(tmp_path):
    path = save(tmp_path, small_model().state_dict(), "w.pt")
    sd = load_state_dict_file(path)
    assert set(sd) == set(small_model().state_dict())
    assert all(t.device.type == "cpu" for t in sd.values())


def test_wrong_key_is_named(tmp_path):
    sd = small_model().state_dict()
    sd["0.wieght"] = sd.pop("0.weight")
    path = save(tmp_path, sd)
    with pytest.raises(ModelLoadError) as err:
        load_file_into(small_model(), path)
    msg = str(err.value)
    assert str(path) in msg and "0.wieght" in msg and "0.weight" in msg


def test_wrong_shape_is_named(tmp_path):
    sd = small_model().state_dict()
    sd["0.weight"] = torch.zeros(2, 4)
    path = save(tmp_path, sd)
    with pytest.raises(ModelLoadError, match=r"0\.weight \(file \(2, 4\), model \(2, 3\)\)"):
        load_file_into(small_model(), path)


def test_missing_num_batches_tracked_is_tolerated():
    sd = small_model().state_dict()
    del sd["1.num_batches_tracked"]
    load_into(small_model(), sd)


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_malicious_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    path = save(tmp_path, {"weight": torch.zeros(1), "payload": Evil(marker)})
    with pytest.raises(ModelLoadError, match="refused") as err:
        load_state_dict_file(path)
    assert str(path) in str(err.value) and "system" in str(err.value)
    assert not marker.exists()


def test_truncated_file(tmp_path):
    path = save(tmp_path, small_model().state_dict())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="truncated") as err:
        load_state_dict_file(path)
    assert str(path) in str(err.value)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.pth"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ModelLoadError, match="not a torch weights file") as err:
        load_state_dict_file(path)
    assert str(path) in str(err.value)


def test_empty_and_missing_file(tmp_path):
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(ModelLoadError):
        load_state_dict_file(empty)
    with pytest.raises(ModelLoadError, match="no such file"):
        load_state_dict_file(tmp_path / "absent.pth")


def test_not_a_state_dict(tmp_path):
    with pytest.raises(ModelLoadError, match="not a state_dict"):
        load_state_dict_file(save(tmp_path, torch.zeros(3)))
    with pytest.raises(ModelLoadError, match="not a flat state_dict"):
        load_state_dict_file(save(tmp_path, {"model": {"w": torch.zeros(1)}}))


def test_safetensors_without_the_package_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.torch", None)
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"\0" * 16)
    with pytest.raises(ModelLoadError, match="pip install safetensors") as err:
        load_state_dict_file(path)
    assert str(path) in str(err.value)


def test_safetensors_round_trip_when_installed(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    src = small_model()
    path = tmp_path / "w.safetensors"
    st.save_file(src.state_dict(), str(path))
    dst = load_file_into(small_model(), path)
    assert torch.equal(dst[0].weight, src[0].weight)
