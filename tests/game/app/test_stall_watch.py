"""A frame stuck past the limit is kept with every thread's stack; frames in time are not."""
import threading
import time

import pytest

from game.app.stall_watch import StallWatch


def stuck_in_here(seconds: float) -> None:
    time.sleep(seconds)


def test_a_frame_past_the_limit_keeps_the_stacks_of_every_thread():
    watch = StallWatch(0.2)
    release = threading.Event()
    other = threading.Thread(target=release.wait, name="other", daemon=True)
    other.start()
    try:
        with watch.frame(1.5):
            stuck_in_here(0.5)
    finally:
        release.set()
        watch.close()
    stall, = watch.stalls
    assert stall["t"] == 1.5 and 0.45 <= stall["frame_s"] < 5
    assert "stuck_in_here" in stall["stacks"]  # where the main thread was
    assert stall["stacks"].count("Thread 0x") >= 2  # and the other thread


def test_frames_in_time_keep_nothing_and_the_next_stall_has_only_its_own_stacks():
    watch = StallWatch(0.3)
    try:
        for _ in range(20):
            with watch.frame(0.0):
                time.sleep(0.001)
        assert watch.stalls == []
        with watch.frame(2.0):
            stuck_in_here(0.5)
        with watch.frame(3.0):
            time.sleep(0.45)
    finally:
        watch.close()
    assert [s["t"] for s in watch.stalls] == [2.0, 3.0]
    assert "stuck_in_here" not in watch.stalls[1]["stacks"]


def test_an_exception_in_the_frame_still_disarms_the_watchdog():
    watch = StallWatch(0.2)
    try:
        with pytest.raises(RuntimeError), watch.frame(0.0):
            raise RuntimeError("frame failed")
        time.sleep(0.4)  # nothing fires outside a frame
        with watch.frame(1.0):
            pass
        assert watch.stalls == [] and watch._file.tell() == 0
    finally:
        watch.close()


def test_the_limit_must_be_positive():
    with pytest.raises(ValueError):
        StallWatch(0)
