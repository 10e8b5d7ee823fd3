"""Loader tests on small state_dicts built here (no downloads, no real checkpoints)."""
import os
import sys

import pytest
import torch
from torch import nn

from nets.loading import (ModelLoadError, load_checkpoint, load_file_into, load_into,
                          load_state_dict_file, read_file, unwrap_state_dict)


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


# --- training checkpoints: wrappers, prefixes, numbers beside the weights ---------------

def test_checkpoint_wrappers_and_prefixes_are_removed():
    sd = small_model().state_dict()
    for wrapped in ({"model": {f"module.model.{k}": v for k, v in sd.items()}, "epoch": 3},
                    {"state_dict": {f"module.{k}": v for k, v in sd.items()}, "arch": "x"},
                    {"model_state_dict": {f"model.{k}": v for k, v in sd.items()}},
                    {"model": {"state_dict": dict(sd)}},
                    dict(sd)):
        out = unwrap_state_dict(wrapped)
        assert set(out) == set(sd)
        assert all(out[k] is sd[k] for k in sd)


def test_attacker_and_normalizer_copies_are_dropped():
    sd = small_model().state_dict()
    wrapped = {f"module.model.{k}": v for k, v in sd.items()}
    wrapped.update({f"module.attacker.model.{k}": v for k, v in sd.items()})
    wrapped["module.normalizer.new_mean"] = torch.zeros(3)
    wrapped["module.attacker.normalize.new_std"] = torch.ones(3)
    assert set(unwrap_state_dict({"model": wrapped})) == set(sd)


def test_a_prefix_only_some_keys_have_is_kept():
    sd = {"model.weight": torch.zeros(1), "head.weight": torch.zeros(1)}
    assert set(unwrap_state_dict(sd)) == set(sd)


def test_no_state_dict_inside_names_what_is_there():
    with pytest.raises(ModelLoadError, match=r"x\.pt: no state_dict found.*epoch \(int\)"):
        unwrap_state_dict({"epoch": 3, "weights": [1, 2]}, source="x.pt")


def test_numpy_numbers_beside_the_weights_are_read(tmp_path):
    import numpy as np
    sd = small_model().state_dict()
    path = save(tmp_path, {"state_dict": sd, "best_prec1": np.float64(76.1), "epoch": np.int64(90)})
    assert set(load_checkpoint(path)) == set(sd)
    obj = read_file(path)
    assert obj["best_prec1"] == 76.1 and obj["epoch"] == 90


class CraftedDtype:
    """Pickles as numpy.dtype(code) with a hand-written state (flags cleared)."""

    def __init__(self, code, state):
        self.code, self.state = code, state

    def __reduce__(self):
        import numpy as np
        return np.dtype, (self.code, False, True), self.state


class CraftedScalar:
    """Pickles as numpy's scalar rebuilder called on a crafted dtype and raw bytes."""

    def __init__(self, dtype, data):
        self.dtype, self.data = dtype, data

    def __reduce__(self):
        import numpy as np
        return np._core.multiarray.scalar, (self.dtype, self.data)


PLAIN_STATE = (3, "<", None, None, None, 8, 8, 0)


@pytest.mark.parametrize("code,state,data", [
    ("O8", (3, "|", None, None, None, 8, 8, 0), b"\x41" * 8),   # an object pointer read from the file
    ("f8", (3, "<", (("f8", (2,))), None, None, 16, 8, 0), b"\0" * 16),  # a subarray
    ("V8", (3, "|", None, ("a",), {"a": ("f8", 0)}, 8, 8, 0), b"\0" * 8),  # a structured dtype
    ("f8", PLAIN_STATE, b"\0" * 3),   # bytes that do not fit the type
    ("f8", "not a state", b"\0" * 8),
])
def test_crafted_numpy_scalars_are_refused_without_numpy_rebuilding_them(tmp_path, code, state, data):
    path = save(tmp_path, {"model": small_model().state_dict(),
                           "epoch": CraftedScalar(CraftedDtype(code, state), data)})
    with pytest.raises(ModelLoadError, match=str(path.name)):
        load_checkpoint(path)


def test_a_plain_numpy_scalar_with_odd_flags_is_just_a_number(tmp_path):
    import numpy as np
    data = np.int64(90).tobytes()
    path = save(tmp_path, {"model": small_model().state_dict(),
                           "epoch": CraftedScalar(CraftedDtype("i8", PLAIN_STATE), data)})
    assert read_file(path)["epoch"] == 90 and type(read_file(path)["epoch"]) is int


def test_numpy_arrays_and_other_objects_are_refused_by_key(tmp_path):
    import numpy as np
    path = save(tmp_path, {"model": small_model().state_dict(), "stats": np.zeros(3)})
    with pytest.raises(ModelLoadError, match=r"refused: key 'stats' holds") as err:
        load_checkpoint(path)
    assert "safetensors" in str(err.value)


def test_legacy_format_malicious_pickle_is_refused_by_key(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "old.pt"
    torch.save({"model": small_model().state_dict(), "hook": Evil(marker)}, path,
               _use_new_zipfile_serialization=False)
    with pytest.raises(ModelLoadError, match=r"refused: key 'hook' holds.*system"):
        load_checkpoint(path)
    assert not marker.exists()


def test_safetensors_checkpoint_is_unwrapped_too(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    sd = small_model().state_dict()
    path = tmp_path / "w.safetensors"
    st.save_file({f"module.{k}": v.contiguous() for k, v in sd.items()}, str(path))
    assert set(load_checkpoint(path)) == set(sd)


def test_assign_into_a_meta_model_fills_missing_counters():
    src = small_model()
    sd = src.state_dict()
    del sd["1.num_batches_tracked"]
    with torch.device("meta"):
        dst = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    load_into(dst, {k: v.half() if v.is_floating_point() else v for k, v in sd.items()}, assign=True)
    assert not any(t.is_meta for t in dst.state_dict().values())
    assert dst[0].weight.dtype == torch.float32 and dst[1].num_batches_tracked.item() == 0
    assert torch.allclose(dst[0].weight, src[0].weight, atol=1e-3)


def test_assign_still_refuses_missing_weights():
    sd = small_model().state_dict()
    del sd["0.bias"]
    with torch.device("meta"):
        dst = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    with pytest.raises(ModelLoadError, match=r"missing keys: 0\.bias"):
        load_into(dst, sd, assign=True)


@pytest.mark.parametrize("convert, why", [
    (lambda v: v.to(torch.int64), "wrong kind"),
    (lambda v: v.to(torch.complex64), "wrong kind"),
    (lambda v: v.bool(), "wrong kind"),
    (lambda v: torch.full_like(v, float("nan")), "NaN or infinite"),
    (lambda v: torch.full_like(v, float("inf")), "NaN or infinite"),
])
def test_weights_of_the_wrong_kind_or_not_finite_are_refused(convert, why):
    sd = {k: convert(v) if v.is_floating_point() else v for k, v in small_model().state_dict().items()}
    model = small_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ModelLoadError, match=why):
        load_into(model, sd, source="w.pth")
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # untouched
