"""A library that resets the fatal-signal handlers cannot silence faulthandler for good."""
import signal
import subprocess
import sys
import textwrap

from game.core import crash_handlers

SCRIPT = textwrap.dedent("""
    import faulthandler, os, signal, sys
    sys.path.insert(0, {root!r})
    from game.core import crash_handlers
    faulthandler.enable()
    def reset_like_a_library_at_shutdown():
        for sig in crash_handlers.FATAL:
            signal.signal(sig, signal.SIG_DFL)
    if {kept}:
        with crash_handlers.kept():
            reset_like_a_library_at_shutdown()
    else:
        reset_like_a_library_at_shutdown()
    os.abort()
""")


def _abort(kept: bool) -> subprocess.CompletedProcess:
    from game.core import paths

    return subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(paths.REPO_ROOT), kept=kept)],
                          capture_output=True, text=True, timeout=60)


def test_handlers_put_back_still_print_the_stack_of_a_crash():
    done = _abort(kept=True)
    assert done.returncode == -signal.SIGABRT
    assert "Fatal Python error: Aborted" in done.stderr and "Current thread" in done.stderr, \
        done.stderr


def test_without_them_the_crash_says_nothing():
    done = _abort(kept=False)
    assert done.returncode == -signal.SIGABRT and "Fatal Python error" not in done.stderr


def test_the_handlers_are_read_as_they_were_and_restored_exactly():
    import faulthandler

    before = crash_handlers.current()
    assert before is not None and set(before) == set(crash_handlers.FATAL)
    was_enabled = faulthandler.is_enabled()
    with crash_handlers.kept():
        signal.signal(signal.SIGSEGV, signal.SIG_DFL)
        assert crash_handlers.current() != before or not was_enabled
    assert crash_handlers.current() == before
