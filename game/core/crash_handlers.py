"""The process's handlers for fatal signals, kept across a library that replaces them.

Python's ``faulthandler`` (on in the app's CLI and under pytest) prints every thread's
stack when the process dies of SIGSEGV, SIGABRT and the like. Some libraries install
their own handlers and reset them to the default when they shut down (Ray does, at
``ray.shutdown()``): from then on a native crash ends the process without a word.
:func:`kept` saves the handlers and the main thread's alternate signal stack, as the C
library holds them, and puts them back afterwards. Where ``sigaction`` cannot be
reached (not a POSIX C library), it does nothing.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import sys

FATAL = tuple(getattr(signal, name) for name in ("SIGSEGV", "SIGFPE", "SIGABRT", "SIGBUS", "SIGILL")
              if hasattr(signal, name))
_SIGACTION_BYTES = 512   # more than any C library's struct sigaction
_STACK_BYTES = 64        # more than any stack_t


def _libc():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc if hasattr(libc, "sigaction") and hasattr(libc, "sigaltstack") else None
    except OSError:
        return None


def current() -> dict[int, int] | None:
    """Each fatal signal's handler address (0: the default action); None where they
    cannot be read."""
    raw = _read(_libc())
    if raw is None:
        return None
    return {sig: int.from_bytes(buf[:ctypes.sizeof(ctypes.c_void_p)], sys.byteorder)
            for sig, buf in raw.items()}


def _read(libc) -> dict[int, bytes] | None:
    """Each fatal signal's ``struct sigaction`` as opaque bytes (its handler first)."""
    if libc is None:
        return None
    handlers = {}
    for sig in FATAL:
        buf = ctypes.create_string_buffer(_SIGACTION_BYTES)
        if libc.sigaction(sig, None, buf) != 0:
            return None
        handlers[sig] = buf.raw
    return handlers


def _alt_stack(libc) -> bytes | None:
    buf = ctypes.create_string_buffer(_STACK_BYTES)
    return buf.raw if libc.sigaltstack(None, buf) == 0 else None


@contextlib.contextmanager
def kept():
    """Run the body, then restore the fatal-signal handlers (and the alternate signal
    stack they run on) that were in place before it."""
    libc = _libc()
    saved = _read(libc)
    stack = _alt_stack(libc) if saved is not None else None
    try:
        yield
    finally:
        if saved is not None:
            if stack is not None:
                libc.sigaltstack(ctypes.create_string_buffer(stack, _STACK_BYTES), None)
            for sig, raw in saved.items():
                libc.sigaction(sig, ctypes.create_string_buffer(raw, _SIGACTION_BYTES), None)
