"""The environment variables the app reads: a bad one is one clear line, before any work."""
import pytest

from game.core import environment
from game.core.params import ParamError
from tests.game.cli.test_main import perturber


@pytest.mark.parametrize("text, threads", [("", None), ("1", 1), (" 3 ", 3)])
def test_torch_threads(monkeypatch, text, threads):
    monkeypatch.setenv("PERTURBER_TORCH_THREADS", text)
    assert environment.torch_threads() == threads


@pytest.mark.parametrize("text", ["abc", "0", "-2", "1.5", "100000"])
def test_torch_threads_that_cannot_be_used(monkeypatch, text):
    monkeypatch.setenv("PERTURBER_TORCH_THREADS", text)
    with pytest.raises(ParamError, match="PERTURBER_TORCH_THREADS=.*whole number from 1"):
        environment.torch_threads()


def test_a_cache_that_is_a_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path / "new"))
    environment.check()  # made when first written
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path / "file"))
    with pytest.raises(ParamError, match="is not a folder"):
        environment.check()


def test_the_command_line_refuses_them_with_status_2(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_TORCH_THREADS", "many")
    out = perturber("--offscreen", "--screenshot", str(tmp_path / "w.png"))
    assert out.returncode == 2 and "PERTURBER_TORCH_THREADS='many'" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "w.png").exists()
