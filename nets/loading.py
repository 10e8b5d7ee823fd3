"""Loading weights from files a user (or a package) has on disk, safely.

Pickles are read with ``weights_only=True`` (no arbitrary code runs); safetensors files
need the optional ``safetensors`` package. Every failure becomes a ``ModelLoadError``
that names the file and what is wrong with it.
"""
import re
from pathlib import Path

import torch
from torch import nn

SAFETENSORS_SUFFIXES = {".safetensors"}
MAX_KEYS_SHOWN = 5


class ModelLoadError(Exception):
    """A weights file could not be read, or does not fit the model."""


def _first(keys, n: int = MAX_KEYS_SHOWN) -> str:
    keys = list(keys)
    more = f" (+{len(keys) - n} more)" if len(keys) > n else ""
    return ", ".join(keys[:n]) + more


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    try:
        from safetensors.torch import load_file
    except ImportError as e:
        raise ModelLoadError(
            f"{path}: reading .safetensors files needs the 'safetensors' package, "
            "which is not installed (pip install safetensors)") from e
    try:
        return load_file(str(path), device="cpu")
    except Exception as e:  # safetensors raises its own error types
        raise ModelLoadError(f"{path}: not a readable safetensors file ({e})") from e


def _why_unreadable(e: Exception) -> str:
    """A short reason from torch.load's long error text."""
    text = str(e)
    blocked = re.search(r"(?:unsupported GLOBAL|Unsupported global: GLOBAL) ([\w.]+)", text)
    if blocked:
        return (f"refused: unpickling it would call {blocked.group(1)}, which is not plain "
                "weights (a malicious file, or one that needs code we do not run)")
    detail = next((line.strip() for line in text.splitlines()
                   if line.strip() and not line.startswith(_TORCH_BOILERPLATE)), type(e).__name__)
    return f"unreadable, truncated or not a torch weights file ({detail.split('. ')[0][:160]})"


_TORCH_BOILERPLATE = ("Weights only load failed", "Please file an issue", "Check the documentation")


def _load_pickle(path: Path) -> dict[str, torch.Tensor]:
    try:
        obj = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as e:  # UnpicklingError (unsafe or garbage), RuntimeError (bad zip), EOFError...
        raise ModelLoadError(f"{path}: {_why_unreadable(e)}") from e
    if not isinstance(obj, dict):
        raise ModelLoadError(f"{path}: holds a {type(obj).__name__}, not a state_dict")
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise ModelLoadError(f"{path}: not a flat state_dict of tensors; entries that are not: "
                             f"{_first(map(str, bad))}")
    return obj


def load_state_dict_file(path) -> dict[str, torch.Tensor]:
    """Read a state_dict (name -> tensor, on the CPU) from .safetensors or .pth/.pt."""
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such file")
    if path.suffix.lower() in SAFETENSORS_SUFFIXES:
        return _load_safetensors(path)
    return _load_pickle(path)


def load_into(model: nn.Module, state_dict: dict[str, torch.Tensor], source="state_dict") -> None:
    """Load ``state_dict`` strictly into ``model``; a mismatch names the first bad keys.

    ``source`` (usually the file path) is named in the error. BatchNorm's
    ``num_batches_tracked`` may be absent from old files (torch fills it in).
    """
    own = model.state_dict()
    wrong_shape = [f"{k} (file {tuple(v.shape)}, model {tuple(own[k].shape)})"
                   for k, v in state_dict.items() if k in own and v.shape != own[k].shape]
    if wrong_shape:
        raise ModelLoadError(f"{source}: shapes do not match the model: {_first(wrong_shape)}")
    result = model.load_state_dict(state_dict, strict=False)
    problems = []
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing:
        problems.append(f"missing keys: {_first(missing)}")
    if result.unexpected_keys:
        problems.append(f"unexpected keys: {_first(result.unexpected_keys)}")
    if problems:
        raise ModelLoadError(f"{source}: does not fit the model; " + "; ".join(problems))


def load_file_into(model: nn.Module, path) -> nn.Module:
    """Read ``path`` and load it strictly into ``model``; returns ``model``."""
    load_into(model, load_state_dict_file(path), source=path)
    return model
