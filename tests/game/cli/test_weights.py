"""`perturber weights list|fetch` and the hints of `perturber models`, against a local server."""
import dataclasses
import hashlib
import io
import json
from functools import partial

import pytest
import torch

from game.cli import main as cli
from nets import registry
from nets.download import WeightsSource
from nets.loading import load_state_dict_file
from nets.models.files import find_weights
from tests.nets.models.weights_dirs import use_empty_dirs
from tests.nets.weights_server import closed_port_url, serve

WEIGHTS = {"fc.weight": torch.eye(3), "fc.bias": torch.zeros(3)}


def torch_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.fixture
def dirs(monkeypatch, tmp_path):
    return use_empty_dirs(monkeypatch, tmp_path)


@pytest.fixture
def published(dirs, monkeypatch):
    """A temporary entry ``tiny_fetch`` whose file (with a recorded checksum) the local
    server publishes; its build reads the weights back."""
    body = torch_bytes(WEIGHTS)
    with serve({"/tiny-0123abcd.pth": body}) as base:
        source = WeightsSource("tiny-0123abcd.pth", (base + "/tiny-0123abcd.pth",), len(body),
                               hashlib.sha256(body).hexdigest())
        entry = registry.ModelEntry(
            "tiny_fetch", "Tiny · Standard", (), partial(find_weights, [
                r"tiny-0123abcd\.pth", r"tiny_fetch\.safetensors"]),
            load_state_dict_file, source=source)
        monkeypatch.setitem(registry._ENTRIES, "tiny_fetch", entry)
        yield entry


def test_fetch_downloads_checks_and_makes_the_model_available(published, dirs, capsys):
    user, _ = dirs
    assert not published.available()
    assert cli.main(["weights", "fetch", "tiny_fetch"]) == 0
    out = capsys.readouterr()
    assert published.weights_path() == user / "tiny_fetch.safetensors"
    assert f"tiny_fetch: {user / 'tiny_fetch.safetensors'}" in out.out
    assert "tiny_fetch [" in out.err and "#" * 30 in out.err and "MiB" in out.err
    loaded = published.load()
    assert all(torch.equal(loaded[k], WEIGHTS[k]) for k in WEIGHTS)
    assert cli.main(["weights", "fetch", "tiny_fetch"]) == 0
    assert "already here" in capsys.readouterr().err
    assert cli.main(["weights", "fetch", "tiny_fetch", "--force"]) == 0
    assert sorted(p.name for p in user.iterdir()) == ["tiny_fetch.safetensors"]


def test_fetch_refuses_before_downloading_anything(published, dirs, capsys):
    user, _ = dirs
    assert cli.main(["weights", "fetch", "tiny_fetch", "resnet34", "nope", "mobilenet_v2"]) == 2
    err = capsys.readouterr().err
    assert (f"no published checksum is recorded for resnet34; place resnet34-b627a593.pth at "
            f"{user / 'resnet34-b627a593.pth'} by hand") in err
    assert "unknown model 'nope'" in err and "mobilenet_v2 has no published weights" in err
    assert list(user.iterdir()) == []
    assert cli.main(["weights", "fetch"]) == 2
    assert "at least one NAME" in capsys.readouterr().err


def test_fetch_offline_says_where_the_file_goes(dirs, monkeypatch, capsys):
    user, _ = dirs
    entry = registry.get("resnet18")
    offline = dataclasses.replace(entry.source, urls=(closed_port_url(),))
    monkeypatch.setitem(registry._ENTRIES, "resnet18", dataclasses.replace(entry, source=offline))
    assert cli.main(["weights", "fetch", "resnet18"]) == 2
    err = capsys.readouterr().err
    assert "fetching resnet18 needs the network" in err
    assert f"place resnet18-f37072fd.pth at {user / 'resnet18-f37072fd.pth'} by hand" in err
    assert list(user.iterdir()) == []


def test_list_says_here_fetch_or_by_hand(published, dirs, capsys):
    _, hub = dirs
    (hub / "resnet18-f37072fd.pth").write_bytes(b"")
    assert cli.main(["weights", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["resnet18"]["here"] == str(hub / "resnet18-f37072fd.pth") and not rows["resnet18"]["get"]
    assert rows["resnet50"]["fetch"] and rows["resnet50"]["size"] == 102_530_333
    assert not rows["inceptionv1"]["fetch"] and rows["inceptionv1"]["sha256"] is None
    assert "by hand" in rows["resnet50_robust_l2_3"]["get"]
    assert {e.name for e in registry.entries() if e.source} == set(rows)
    assert cli.main(["weights", "list"]) == 0
    text = capsys.readouterr().out
    assert "fetch    resnet50" in text and "by hand  inceptionv1" in text and "here     resnet18" in text


def test_models_shows_how_to_get_missing_weights(dirs, capsys):
    user, _ = dirs
    assert cli.main(["models"]) == 0
    text = capsys.readouterr().out
    assert "get: `perturber weights fetch resnet50`" in text
    assert f"get: place inception5h.pth at {user / 'inception5h.pth'} by hand" in text
    assert cli.main(["models", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["mobilenet_v2"]["get"] == "" and rows["resnet34"]["get"].startswith("place ")


def test_a_missing_model_error_says_how_to_get_it(dirs):
    from game.cli.args import load_models
    from game.core.params import ParamError

    with pytest.raises(ParamError, match="not on this machine .*to get them: `perturber weights "
                                         "fetch resnet50`"):
        load_models([("resnet50", 0)])
