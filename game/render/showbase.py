"""ShowBase instances that share the process's one graphics pipe.

Panda3D's EGL pipe initialises the process's EGL display when it is made and terminates
it when it is freed, and that display is one per process. A second ShowBase in the same
process (the tests, a command that renders after another) made a second pipe. The first
one's pipe, freed later with its ShowBase (often much later: in a reference cycle, by
the garbage collector), then terminated the display under the live one: closing the live
one's buffers failed ("Failed to destroy surface: EGL_NOT_INITIALIZED"), and a context
freed after the display was set up again was looked up among the new one's handles
("Failed to destroy EGL context: EGL_BAD_CONTEXT"), where a reused address names a live
object. Every ShowBase made here uses the first pipe made for its display library
(``load-display``), which lives as long as the process, so the display is initialised
once and never terminated under anyone.
"""
from __future__ import annotations

_PIPES: dict[str, object] = {}  # load-display -> the process's pipe for it


def make_showbase(**kwargs):
    """``ShowBase(**kwargs)`` on the process's shared graphics pipe."""
    from direct.showbase.ShowBase import ShowBase

    class SharedPipeShowBase(ShowBase):
        def makeDefaultPipe(self, printPipeTypes=None):
            key = _display_library()
            if key not in _PIPES:
                super().makeDefaultPipe(printPipeTypes)
                _PIPES[key] = self.pipe
            else:
                self.pipe = _PIPES[key]
                self.pipeList.append(self.pipe)

    return SharedPipeShowBase(**kwargs)


def shared_pipe():
    """The pipe a ShowBase made here now uses (None before the first)."""
    return _PIPES.get(_display_library())


def _display_library() -> str:
    from panda3d.core import ConfigVariableString

    return ConfigVariableString("load-display", "").getValue()
