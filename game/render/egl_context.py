"""Letting go of the calling thread's EGL context.

An EGL context can be current in one thread at a time, and it stays current in the
thread that drew last. Panda3D makes the context current at each frame; when another
thread drew with it before, that call fails (``EGL_BAD_ACCESS``) and the frame's drawing
goes nowhere: the frame read back is the previous one, without any error raised. Code
that draws with one pipeline from several threads (one after another) calls
:func:`release_current` when it is done drawing.
"""
from __future__ import annotations

import ctypes

_EGL = None


def _egl():
    global _EGL
    if _EGL is None:
        _EGL = False
        try:
            lib = ctypes.CDLL("libEGL.so.1")
            lib.eglGetCurrentDisplay.restype = ctypes.c_void_p
            lib.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
            lib.eglMakeCurrent.restype = ctypes.c_uint
            _EGL = lib
        except (OSError, AttributeError):
            pass
    return _EGL or None


def release_current() -> bool:
    """Make no EGL context current in this thread. True if one was released."""
    egl = _egl()
    display = egl.eglGetCurrentDisplay() if egl is not None else None
    if not display:
        return False
    return bool(egl.eglMakeCurrent(display, None, None, None))
