"""Output files: checked before the work starts, written whole or not at all.

``check_output(path, force)`` runs before a command does its work: the folder is created,
a probe file is made and removed there (so a read-only or missing place fails now, not
after an hour of work), an existing file is refused unless ``force``, and so are a
folder, a device and a suffix the writer does not make. ``check_output_dir(path)`` does
the same for an output folder.
``atomic(path)`` writes through a uniquely named temporary file beside ``path`` and moves
it into place only when the block finishes: a failure or a kill leaves no half-written
file under the real name.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from game.core.params import ParamError

MAX_NAME_BYTES = 255


def check_output(path, force: bool = False, what: str = "output",
                 suffixes: tuple[str, ...] = ()) -> Path:
    """``path`` as a Path, once it is known that a file can be written there.

    Refused: a name ending in a separator or naming a folder, an existing device, pipe or
    socket (a file is written beside it and moved onto its name: that would replace
    ``/dev/null`` itself), a suffix not in ``suffixes`` (when given, lower case with the
    dot), an existing file without ``force``, a place that cannot be written.
    """
    text = os.fspath(path)
    path = Path(path)
    if len(path.name.encode()) > MAX_NAME_BYTES:
        raise ParamError(f"{what} {path}: the file name is longer than {MAX_NAME_BYTES} bytes")
    if path.is_dir() or text.endswith((os.sep, "/")) or not path.name:
        raise ParamError(f"{what} {text} is a folder; give a file name")
    refuse_special(path, what)
    if suffixes and path.suffix.lower() not in suffixes:
        wanted = (f"a {suffixes[0]} file" if len(suffixes) == 1
                  else f"a file ending in {', '.join(suffixes)}")
        raise ParamError(f"{what} {path}: give {wanted}")
    if path.exists() and not force:
        raise ParamError(f"{what} {path} exists; pass --force to replace it")
    _probe(path.parent, f"{what} {path}")
    return path


def check_output_dir(path, what: str = "output folder") -> Path:
    """``path`` as a Path to a folder that exists (made if need be) and can be written."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ParamError(f"{what} {path} is not a folder")
    _probe(path, f"{what} {path}")
    return path


def refuse_special(path: Path, what: str = "output") -> None:
    """ParamError when ``path`` is a device, pipe or socket: the writers here write beside
    it and move the file onto its name, which would replace the device itself."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise ParamError(f"{what} {path} is not a regular file (a device, pipe or socket); "
                         "give a file name")


def _probe(folder: Path, shown: str) -> None:
    """Make ``folder`` and a file in it (removed again); ParamError when that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".perturber.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ParamError(f"{shown}: cannot write there ({exc.strerror or exc})") from None


@contextlib.contextmanager
def atomic(path, mode: str = "w", **open_kwargs):
    """``with atomic(out) as f:`` writes ``out`` whole, or leaves it untouched."""
    path = Path(path)
    refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_path(path):
    """Like :func:`atomic` for writers that open the file themselves: yields a temporary
    path beside ``path`` (same suffix) that is moved onto ``path`` when the block ends."""
    path = Path(path)
    refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
