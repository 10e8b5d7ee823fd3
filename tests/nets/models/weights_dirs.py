"""Point the weights search at empty temporary folders (never the user's real ones)."""
from pathlib import Path

from nets.models.files import WEIGHTS_DIR_ENV, hub_checkpoints_dir


def use_empty_dirs(monkeypatch, tmp_path: Path) -> tuple[Path, Path]:
    """(user weights folder, torch hub checkpoints folder), both created and empty."""
    user = tmp_path / "user_weights"
    user.mkdir()
    monkeypatch.setenv(WEIGHTS_DIR_ENV, str(user))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    hub = hub_checkpoints_dir()
    assert hub == tmp_path / "torch_home" / "hub" / "checkpoints"
    hub.mkdir(parents=True)
    return user, hub
