"""Fetching published weights files: checked before they are kept, converted, never run.

A ``WeightsSource`` says where a registry entry's weights were published: the file name,
its URL(s) and, where recorded, the file's size in bytes and sha256. ``fetch(name,
source)``:

1. refuses a source without a recorded size and sha256 (``NoChecksum``): unverified
   bytes are never kept, and the message says which file to place where by hand;
2. streams the first URL that delivers into a temporary file in the target folder:
   http(s) only, at most ``MAX_REDIRECTS`` redirects, ``timeout`` seconds without data
   ends it, never more bytes than recorded; ``progress(done, total)`` after each chunk;
3. checks size and sha256;
4. reads it with the weights-only loader (``nets.loading.load_checkpoint``: no code from
   the file runs, training-checkpoint wrappers are unwrapped) and writes the weights as
   ``<name>.safetensors``. A file that loader refuses is deleted. Without the
   safetensors package the checked file is kept under its published name.

Nothing is left behind by a failed fetch. Offline (no DNS, no route) the error says that
the network is needed and where the file goes by hand. The target folder is the user
weights folder (``nets.models.files.user_weights_dir``), where the entries look first.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import re
import socket
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from .models.files import user_weights_dir

MAX_REDIRECTS = 5
TIMEOUT_S = 30.0
MAX_BYTES = 4 << 30      # no recorded file may be larger
CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


class DownloadError(Exception):
    """A weights file could not be fetched, or failed its checks; nothing was kept."""


class NoChecksum(DownloadError):
    """The source records no size and sha256: its bytes could not be verified."""


class Offline(DownloadError):
    """No URL of the source could be reached."""


@dataclass(frozen=True)
class WeightsSource:
    """A published weights file: ``file`` (its name), ``urls`` (mirrors, tried in order),
    ``size`` in bytes and ``sha256`` (hex) where recorded, else None."""
    file: str
    urls: tuple[str, ...]
    size: int | None = None
    sha256: str | None = None

    def __post_init__(self):
        if not self.file or Path(self.file).name != self.file:
            raise ValueError(f"{self.file!r}: a weights source names a file, not a path")
        if not self.urls or any(urlsplit(u).scheme not in ("http", "https") for u in self.urls):
            raise ValueError(f"{self.file}: every URL must be http(s), got {self.urls}")
        if (self.size is None) != (self.sha256 is None):
            raise ValueError(f"{self.file}: record both size and sha256, or neither")
        if self.sha256 is not None and not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"{self.file}: sha256 must be 64 lower-case hex digits")
        if self.size is not None and not 0 < self.size <= MAX_BYTES:
            raise ValueError(f"{self.file}: size {self.size} outside 1..{MAX_BYTES} bytes")

    @property
    def verifiable(self) -> bool:
        return self.sha256 is not None


def by_hand(source: WeightsSource, folder: Path | None = None) -> str:
    """Where the published file goes when it is fetched by hand."""
    folder = user_weights_dir() if folder is None else folder
    return f"place {source.file} at {folder / source.file} by hand (published at {source.urls[0]})"


def how_to_get(name: str, source: WeightsSource | None, folder: Path | None = None) -> str:
    """One line saying how to get the weights of ``name`` ("" when none are published)."""
    if source is None:
        return ""
    if source.verifiable:
        return f"`perturber weights fetch {name}`, or {by_hand(source, folder)}"
    return by_hand(source, folder)


def fetch(name: str, source: WeightsSource, folder: Path | None = None,
          timeout: float = TIMEOUT_S,
          progress: Callable[[int, int], None] | None = None) -> Path:
    """Download, check and convert the weights of ``name``; the file written."""
    folder = user_weights_dir() if folder is None else Path(folder)
    if not source.verifiable:
        raise NoChecksum(f"no published checksum is recorded for {name}; {by_hand(source, folder)}")
    folder.mkdir(parents=True, exist_ok=True)
    failures, unreachable = [], 0
    for url in source.urls:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-", suffix="-" + source.file)
        tmp = Path(tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                _download(url, out, source, timeout, progress)
            return _keep(tmp, name, source, folder)
        except Offline as exc:
            unreachable += 1
            failures.append(str(exc))
        except DownloadError as exc:
            failures.append(str(exc))
        finally:
            tmp.unlink(missing_ok=True)
    if unreachable == len(source.urls):
        raise Offline(f"fetching {name} needs the network ({'; '.join(failures)}); "
                      f"{by_hand(source, folder)}")
    raise DownloadError(f"{name}: {'; '.join(failures)}; nothing was kept")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """At most ``MAX_REDIRECTS`` redirects, none to the same URL twice, http(s) only."""
    max_redirections = MAX_REDIRECTS
    max_repeats = 1

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise DownloadError(f"{req.full_url}: redirected to {newurl}, which is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, out, source: WeightsSource, timeout: float, progress) -> None:
    """Stream ``url`` into ``out``, checking size and sha256; DownloadError on anything wrong."""
    host = urlsplit(url).netloc
    digest, done, limit = hashlib.sha256(), 0, source.size
    try:
        opener = urllib.request.build_opener(_Redirects)
        request = urllib.request.Request(url, headers={"User-Agent": "perturber-weights"})
        with opener.open(request, timeout=timeout) as response:
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) != limit:
                raise DownloadError(f"{url}: the server sends {int(announced)} bytes, "
                                    f"not the recorded {limit}; refused")
            while chunk := response.read(CHUNK):
                done += len(chunk)
                if done > limit:
                    raise DownloadError(f"{url}: more than the recorded {limit} bytes; refused")
                digest.update(chunk)
                out.write(chunk)
                if progress:
                    progress(done, limit)
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise DownloadError(f"{url}: a redirect loop or more than {MAX_REDIRECTS} "
                                "redirects") from None
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise DownloadError(f"{url}: no answer within {timeout:g} s") from None
        raise Offline(f"could not reach {host}: {exc.reason}") from None
    except (TimeoutError, socket.timeout):
        raise DownloadError(f"{url}: no data for {timeout:g} s after {done} bytes") from None
    except http.client.IncompleteRead:
        raise DownloadError(f"{url}: truncated: {done} of {limit} bytes") from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise DownloadError(f"{url}: the connection broke after {done} bytes ({exc})") from None
    if done != limit:
        raise DownloadError(f"{url}: truncated: {done} of {limit} bytes")
    if digest.hexdigest() != source.sha256:
        raise DownloadError(f"{url}: sha256 {digest.hexdigest()} is not the recorded "
                            f"{source.sha256}; refused")


def _keep(tmp: Path, name: str, source: WeightsSource, folder: Path) -> Path:
    """The checked download as ``<name>.safetensors`` (or as is, without safetensors)."""
    from .loading import ModelLoadError, load_checkpoint

    try:
        weights = load_checkpoint(tmp)
    except ModelLoadError as exc:
        reason = str(exc).removeprefix(f"{tmp}: ")
        raise DownloadError(f"{source.file}: its checksum matches, but the weights-only "
                            f"loader refuses it ({reason}); nothing was kept") from None
    try:
        from safetensors.torch import save_file
    except ImportError:
        final = folder / source.file
        os.replace(tmp, final)
        return final
    final = folder / f"{name}.safetensors"
    part = tmp.with_name(tmp.name + ".safetensors")
    try:
        save_file({k: v.detach().contiguous().clone() for k, v in weights.items()}, str(part),
                  metadata={"source_file": source.file, "source_sha256": source.sha256})
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)
    return final
