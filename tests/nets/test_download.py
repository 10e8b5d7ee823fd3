"""nets.download against a local HTTP server (tests/nets/weights_server.py); never a real host."""
import hashlib
import io
import sys

import pytest
import torch

from nets.download import (MAX_REDIRECTS, DownloadError, NoChecksum, Offline, WeightsSource,
                           fetch, how_to_get)
from nets.loading import load_state_dict_file
from tests.nets.weights_server import closed_port_url, serve


def torch_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


class Evil:
    def __reduce__(self):
        return (print, ("pwned",))


WEIGHTS = {"conv.weight": torch.arange(6.0).reshape(2, 3), "conv.bias": torch.ones(2)}
GOOD = torch_bytes(WEIGHTS)
FILES = {"/good": GOOD,
         "/wrapped": torch_bytes({"state_dict": {f"module.{k}": v for k, v in WEIGHTS.items()},
                                  "epoch": 60}),
         "/evil": torch_bytes({"model": Evil()}),
         "/text": b"not weights at all"}


def source_for(url: str, body: bytes = GOOD, file: str = "net-1234abcd.pth") -> WeightsSource:
    return WeightsSource(file, (url,), len(body), hashlib.sha256(body).hexdigest())


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def server():
    with serve(FILES) as base:
        yield base


def assert_same_weights(path):
    loaded = load_state_dict_file(path)
    assert loaded.keys() == WEIGHTS.keys()
    assert all(torch.equal(loaded[k], WEIGHTS[k]) for k in WEIGHTS)


def test_a_good_file_is_checked_and_kept_as_safetensors(server, tmp_path):
    seen = []
    path = fetch("net", source_for(server + "/good"), tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / "net.safetensors" and leftovers(tmp_path) == ["net.safetensors"]
    assert_same_weights(path)
    assert seen[-1] == (len(GOOD), len(GOOD))


def test_a_training_checkpoint_is_unwrapped(server, tmp_path):
    assert_same_weights(fetch("net", source_for(server + "/wrapped", FILES["/wrapped"]), tmp_path))


def test_redirects_are_followed_up_to_the_limit(server, tmp_path):
    path = fetch("net", source_for(f"{server}/redirect/{MAX_REDIRECTS}/good"), tmp_path)
    assert_same_weights(path)


@pytest.mark.parametrize("path, message", [
    (f"/redirect/{MAX_REDIRECTS + 1}/good", "redirect"),
    ("/loop", "redirect loop"),
    ("/truncated/good", "truncated"),
    ("/missing", "HTTP 404"),
])
def test_bad_answers_leave_nothing(server, tmp_path, path, message):
    with pytest.raises(DownloadError, match=message):
        fetch("net", source_for(server + path), tmp_path)
    assert leftovers(tmp_path) == []


def test_a_wrong_hash_is_refused(server, tmp_path):
    wrong = WeightsSource("net.pth", (server + "/good",), len(GOOD), "0" * 64)
    with pytest.raises(DownloadError, match="sha256 .* is not the recorded 0000"):
        fetch("net", wrong, tmp_path)
    assert leftovers(tmp_path) == []


def test_a_size_other_than_recorded_is_refused_before_reading(server, tmp_path):
    bigger = WeightsSource("net.pth", (server + "/good",), len(GOOD) - 1, "0" * 64)
    with pytest.raises(DownloadError, match=f"sends {len(GOOD)} bytes, not the recorded"):
        fetch("net", bigger, tmp_path)
    assert leftovers(tmp_path) == []


def test_a_slow_server_times_out(server, tmp_path):
    with pytest.raises(DownloadError, match="no (answer within|data for) 0.2 s"):
        fetch("net", source_for(server + "/slow/good"), tmp_path, timeout=0.2)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("path", ["/evil", "/text"])
def test_a_matching_file_that_is_not_plain_weights_is_refused(server, tmp_path, path):
    with pytest.raises(DownloadError, match="checksum matches, but the weights-only loader refuses"):
        fetch("net", source_for(server + path, FILES[path]), tmp_path)
    assert leftovers(tmp_path) == []


def test_without_safetensors_the_checked_file_is_kept_as_published(server, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors.torch", None)
    path = fetch("net", source_for(server + "/good"), tmp_path)
    assert path == tmp_path / "net-1234abcd.pth" and leftovers(tmp_path) == ["net-1234abcd.pth"]


def test_the_next_mirror_is_tried(server, tmp_path):
    source = WeightsSource("n.pth", (server + "/missing", server + "/good"), len(GOOD),
                           hashlib.sha256(GOOD).hexdigest())
    assert_same_weights(fetch("net", source, tmp_path))


def test_offline_says_the_network_is_needed_and_where_the_file_goes(tmp_path):
    source = source_for(closed_port_url(), file="net-1234abcd.pth")
    with pytest.raises(Offline, match="needs the network.*place net-1234abcd.pth at "
                                      f"{tmp_path / 'net-1234abcd.pth'} by hand"):
        fetch("net", source, tmp_path)
    assert leftovers(tmp_path) == []


def test_no_checksum_no_download(tmp_path):
    source = WeightsSource("net.pth", (closed_port_url(),))
    with pytest.raises(NoChecksum, match=f"no published checksum is recorded for net; place "
                                         f"net.pth at {tmp_path / 'net.pth'} by hand"):
        fetch("net", source, tmp_path)
    assert "weights fetch" not in how_to_get("net", source, tmp_path)
    assert "`perturber weights fetch net`" in how_to_get("net", source_for("http://x/y"), tmp_path)
    assert how_to_get("net", None) == ""


@pytest.mark.parametrize("kwargs, message", [
    (dict(file="a/b.pth", urls=("http://x/b.pth",)), "not a path"),
    (dict(file="b.pth", urls=("file:///etc/passwd",)), "http"),
    (dict(file="b.pth", urls=()), "http"),
    (dict(file="b.pth", urls=("http://x/b",), size=3), "both"),
    (dict(file="b.pth", urls=("http://x/b",), size=3, sha256="ABC"), "hex"),
    (dict(file="b.pth", urls=("http://x/b",), size=0, sha256="0" * 64), "size"),
])
def test_a_source_is_checked_when_declared(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WeightsSource(**kwargs)


def registry_sources():
    from nets import registry

    return [e.name for e in registry.entries() if e.source is not None]


@pytest.mark.parametrize("name", registry_sources())
@pytest.mark.parametrize("placed", ["published", "fetched"])
def test_each_entry_finds_its_published_and_its_fetched_file(name, placed, monkeypatch, tmp_path):
    """The file `by_hand` names, and the one `fetch` writes, are the ones the entry looks for."""
    from nets import registry
    from tests.nets.models.weights_dirs import use_empty_dirs

    user, _ = use_empty_dirs(monkeypatch, tmp_path)
    entry = registry.get(name)
    assert not entry.available()
    file = entry.source.file if placed == "published" else f"{name}.safetensors"
    (user / file).write_bytes(b"")
    assert entry.available() and entry.weights_path() == user / file
