"""Loading weights from files a user (or a package) has on disk, safely.

Pickles are read with ``weights_only=True`` (no arbitrary code runs); safetensors files
need the optional ``safetensors`` package. Every failure becomes a ``ModelLoadError``
that names the file and what is wrong with it.

Two entry points:

- ``load_state_dict_file(path)``: a flat state_dict (name -> tensor), nothing else.
- ``load_checkpoint(path)``: also training checkpoints as research code saves them:
  ``{"model": ...}`` / ``{"state_dict": ...}`` wrappers (robustness library, Stylized-
  ImageNet), ``module.`` / ``model.`` prefixes (DataParallel, wrapper modules), and the
  robustness library's ``attacker.*`` / ``normalizer.*`` copies, which are dropped.

Extra entries such checkpoints carry (epoch, best accuracy) may be numpy scalars. numpy's
own rebuilders are never called for them (a crafted dtype state can make numpy read
memory at an address taken from the file): the unpickler gets our stand-ins instead,
which accept only a plain numeric type code and the scalar's exact bytes, and give a
Python number. Any other object is refused, naming the key that holds it. Such a file
can be read only by unpickling it in full, which runs whatever code it names: someone
who trusts its source can do that once, outside this project, and save its tensors
with ``safetensors.torch.save_file``; the ``.safetensors`` file then loads here.
"""
import io
import pickletools
import re
import zipfile
from pathlib import Path

import torch
from torch import nn

SAFETENSORS_SUFFIXES = {".safetensors"}
MAX_KEYS_SHOWN = 5
WRAPPER_KEYS = ("model", "state_dict", "model_state_dict", "net")
STRIPPED_PREFIXES = ("module.", "model.")
DROPPED_PREFIXES = ("attacker.", "normalizer.")
_NUMPY_SCALAR_GLOBALS = {"numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
                         "numpy.dtype"}
_NUMERIC_CODE = re.compile(r"[biuf][1248]$")  # bool, int, unsigned, float of 1-8 bytes
_BYTE_ORDERS = {"<", ">", "|", "="}


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


_BLOCKED = re.compile(r"(?:unsupported GLOBAL|Unsupported global: GLOBAL) ([\w.]+)")
_TORCH_BOILERPLATE = ("Weights only load failed", "Please file an issue", "Check the documentation")


def _blocked_global(e: Exception) -> str | None:
    found = _BLOCKED.search(str(e))
    return found.group(1) if found else None


def _why_unreadable(e: Exception, path: Path) -> str:
    """A short reason from torch.load's long error text."""
    text = str(e)
    blocked = _blocked_global(e)
    if blocked:
        key = _key_holding(path, blocked)
        where = f"key {key!r} holds" if key else "it holds"
        return (f"refused: {where} a {blocked} object; unpickling it would call {blocked}, "
                "which is not plain weights (a malicious file, or one that needs code we do "
                "not run). If you trust the file, convert it to .safetensors (see nets/loading.py)")
    detail = next((line.strip() for line in text.splitlines()
                   if line.strip() and not line.startswith(_TORCH_BOILERPLATE)), type(e).__name__)
    return f"unreadable, truncated or not a torch weights file ({detail.split('. ')[0][:160]})"


def _pickles(path: Path) -> list[bytes]:
    """The pickle streams of a torch file: data.pkl of the zip format, else the raw file."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [z.read(n) for n in z.namelist() if n.endswith("data.pkl")]
    return [path.read_bytes()]


def _key_holding(path: Path, blocked: str) -> str | None:
    """The dict key whose value needs the global ``blocked``, read without unpickling.

    Best effort: walks the pickle opcodes and remembers the last string pushed before
    the GLOBAL. The legacy (non-zip) format is several pickles in a row; all are walked.
    """
    wanted = " ".join(blocked.rsplit(".", 1))
    try:
        for data in _pickles(path):
            stream, last = io.BytesIO(data), None
            while stream.tell() < len(data):
                for op, arg, _ in pickletools.genops(stream):  # stops after each STOP
                    if op.name in ("BINUNICODE", "SHORT_BINUNICODE", "UNICODE", "BINUNICODE8"):
                        last = arg
                    elif op.name == "GLOBAL" and arg == wanted:
                        return last
    except Exception:  # raw storage bytes after a legacy pickle, or a damaged file
        return None
    return None


class _NumericDtype:
    """Stands in for ``numpy.dtype`` while unpickling: only a plain numeric type code.

    numpy pickles a dtype as ``dtype("f8", False, True)`` followed by a state tuple
    ``(version, byteorder, subarray, names, fields, elsize, alignment, flags)``. Only the
    code and the byte order are kept; a structured, subarray or object dtype is refused.
    """

    def __init__(self, code, align=False, copy=True):
        if not isinstance(code, str) or not _NUMERIC_CODE.match(code):
            raise ValueError(f"numpy dtype {code!r} is not a plain number type")
        self.code, self.order = code, "<"

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 5 or state[1] not in _BYTE_ORDERS \
                or any(part is not None for part in state[2:5]):
            raise ValueError("numpy dtype state is not that of a plain number type")
        self.order = "<" if state[1] in ("|", "=") else state[1]

    def numpy(self):
        import numpy as np
        return np.dtype(self.order + self.code)


def _numeric_scalar(dtype, data=None):
    """Stands in for numpy's scalar rebuilder: the exact bytes of one number -> a Python number."""
    import numpy as np
    if not isinstance(dtype, _NumericDtype) or not isinstance(data, bytes):
        raise ValueError("numpy scalar without a plain number type and its bytes")
    real = dtype.numpy()
    if len(data) != real.itemsize:
        raise ValueError(f"numpy scalar of type {dtype.code} with {len(data)} bytes")
    return np.frombuffer(data, dtype=real)[0].item()


def _numpy_scalar_globals() -> list:
    return [(_numeric_scalar, "numpy.core.multiarray.scalar"),
            (_numeric_scalar, "numpy._core.multiarray.scalar"),
            (_NumericDtype, "numpy.dtype")]


def _is_numpy_scalar_global(name: str | None) -> bool:
    return bool(name) and name in _NUMPY_SCALAR_GLOBALS


def _torch_load(path: Path):
    return torch.load(path, weights_only=True, map_location="cpu")


def read_file(path) -> object:
    """Whatever a weights file holds (tensors, dicts, numbers), read without running code.

    numpy scalars (an epoch or an accuracy saved next to the weights) come back as Python
    numbers; every other object is refused with a ``ModelLoadError``.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such file")
    if path.suffix.lower() in SAFETENSORS_SUFFIXES:
        return _load_safetensors(path)
    try:
        return _torch_load(path)
    except Exception as e:  # UnpicklingError (unsafe or garbage), RuntimeError (bad zip)...
        if not _is_numpy_scalar_global(_blocked_global(e)):
            raise ModelLoadError(f"{path}: {_why_unreadable(e, path)}") from e
    try:
        with torch.serialization.safe_globals(_numpy_scalar_globals()):
            return _torch_load(path)
    except Exception as e:
        raise ModelLoadError(f"{path}: {_why_unreadable(e, path)}") from e


def metadata_of(path) -> dict[str, str]:
    """The string metadata of a safetensors file ({} for other files or none recorded)."""
    path = Path(path)
    if path.suffix.lower() not in SAFETENSORS_SUFFIXES:
        return {}
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            return dict(f.metadata() or {})
    except Exception as e:
        raise ModelLoadError(f"{path}: not a readable safetensors file ({e})") from e


def iteration_of(path) -> int | None:
    """The training iteration a weights file records in its own metadata (safetensors
    written by the training recipes), or None when it records none."""
    path = Path(path)
    value = metadata_of(path).get("iteration")
    if value is None:
        return None
    if not value.isdigit():
        raise ModelLoadError(f"{path}: its metadata says iteration {value!r}, not a whole number")
    return int(value)


def _check_flat(obj, path) -> dict[str, torch.Tensor]:
    if not isinstance(obj, dict):
        raise ModelLoadError(f"{path}: holds a {type(obj).__name__}, not a state_dict")
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise ModelLoadError(f"{path}: not a flat state_dict of tensors; entries that are not: "
                             f"{_first(map(str, bad))}")
    return obj


def load_state_dict_file(path) -> dict[str, torch.Tensor]:
    """Read a flat state_dict (name -> tensor, on the CPU) from .safetensors or .pth/.pt."""
    return _check_flat(read_file(path), path)


def unwrap_state_dict(obj, source="checkpoint") -> dict[str, torch.Tensor]:
    """The model weights inside a training checkpoint, with wrapper prefixes removed.

    Descends into ``model`` / ``state_dict`` entries until a flat dict of tensors is
    left, drops the robustness library's ``attacker.*`` and ``normalizer.*`` entries
    (the attacker holds a second copy of the model), then strips ``module.`` and
    ``model.`` while every key has it.
    """
    while isinstance(obj, dict) and not all(isinstance(v, torch.Tensor) for v in obj.values()):
        inner = next((obj[k] for k in WRAPPER_KEYS if isinstance(obj.get(k), dict)), None)
        if inner is None:
            kinds = [f"{k} ({type(v).__name__})" for k, v in obj.items()]
            raise ModelLoadError(f"{source}: no state_dict found; top-level entries: "
                                 f"{_first(kinds)}; expected tensors, or one of {list(WRAPPER_KEYS)}")
        obj = inner
    sd = _check_flat(obj, source)
    sd = {k: v for k, v in sd.items()
          if not k.removeprefix("module.").startswith(DROPPED_PREFIXES)}
    stripped = True
    while stripped and sd:
        stripped = False
        for prefix in STRIPPED_PREFIXES:
            if all(k.startswith(prefix) for k in sd):
                sd = {k[len(prefix):]: v for k, v in sd.items()}
                stripped = True
    return sd


def load_checkpoint(path) -> dict[str, torch.Tensor]:
    """The model weights of ``path``: a plain state_dict or a wrapped training checkpoint."""
    return unwrap_state_dict(read_file(path), source=path)


def load_into(model: nn.Module, state_dict: dict[str, torch.Tensor], source="state_dict",
              assign: bool = False) -> None:
    """Load ``state_dict`` strictly into ``model``; a mismatch names the first bad keys.

    ``source`` (usually the file path) is named in the error. BatchNorm's
    ``num_batches_tracked`` may be absent from old files (torch fills it in).
    ``assign=True`` makes the file's tensors (as float32) the model's own, for a model
    built on the meta device: no time spent on a random init that would be overwritten.
    """
    own = model.state_dict()
    wrong_shape = [f"{k} (file {tuple(v.shape)}, model {tuple(own[k].shape)})"
                   for k, v in state_dict.items() if k in own and v.shape != own[k].shape]
    if wrong_shape:
        raise ModelLoadError(f"{source}: shapes do not match the model: {_first(wrong_shape)}")
    wrong_kind = [f"{k} ({v.dtype}, model {own[k].dtype})" for k, v in state_dict.items()
                  if k in own and not _same_kind(v.dtype, own[k].dtype)]
    if wrong_kind:
        raise ModelLoadError(f"{source}: tensors of the wrong kind (a weight must be real "
                             f"floating point, a counter an integer): {_first(wrong_kind)}")
    not_finite = [k for k, v in state_dict.items()
                  if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if not_finite:
        raise ModelLoadError(f"{source}: weights hold NaN or infinite values: {_first(not_finite)}")
    if assign:
        state_dict = {k: v.float() if v.is_floating_point() else v for k, v in state_dict.items()}
    result = model.load_state_dict(state_dict, strict=False, assign=assign)
    problems = []
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing:
        problems.append(f"missing keys: {_first(missing)}")
    if result.unexpected_keys:
        problems.append(f"unexpected keys: {_first(result.unexpected_keys)}")
    if problems:
        raise ModelLoadError(f"{source}: does not fit the model; " + "; ".join(problems))
    if assign:
        _materialise_counters(model)


def _same_kind(a: torch.dtype, b: torch.dtype) -> bool:
    """Real floating point for real floating point; integer (or bool) for integer."""
    if a.is_complex or b.is_complex:
        return a == b
    return a.is_floating_point == b.is_floating_point


def _materialise_counters(model: nn.Module) -> None:
    """Give BatchNorm counters the file lacked a real value (they stay on meta otherwise)."""
    for module in model.modules():
        counter = getattr(module, "num_batches_tracked", None)
        if counter is not None and counter.is_meta:
            module.num_batches_tracked = torch.tensor(0, dtype=torch.long)


def load_file_into(model: nn.Module, path) -> nn.Module:
    """Read ``path`` and load it strictly into ``model``; returns ``model``."""
    load_into(model, load_state_dict_file(path), source=path)
    return model
