"""While the app lives, reference cycles are freed on the main thread only."""
import gc
import threading

from game.app.main_thread_gc import MainThreadCollector, due_generation


class Tasks:
    def __init__(self):
        self.tasks = {}

    def add(self, fn, name, sort=0):
        self.tasks[name] = fn

    def remove(self, name):
        self.tasks.pop(name, None)

    def frame(self):
        for fn in list(self.tasks.values()):
            fn(type("Task", (), {"cont": 1})())


class Cycle:
    freed_in: list = []

    def __init__(self):
        self.me = self

    def __del__(self):
        Cycle.freed_in.append(threading.current_thread().name)


def test_cycles_made_garbage_while_a_thread_allocates_are_freed_by_the_main_thread():
    enabled = gc.isenabled()
    tasks = Tasks()
    collector = MainThreadCollector(tasks)
    try:
        Cycle.freed_in.clear()
        for _ in range(50):
            Cycle()

        kept = []

        def allocate():  # enough to have tripped the automatic collector many times
            kept.append([[i] for i in range(200_000)])

        worker = threading.Thread(target=allocate, name="busy-worker")
        worker.start()
        worker.join()
        assert Cycle.freed_in == []
        assert due_generation() is not None
        tasks.frame()
        assert collector.collections == 1
        assert set(Cycle.freed_in) == {threading.main_thread().name}
        assert len(Cycle.freed_in) == 50
    finally:
        collector.destroy()
    assert gc.isenabled() == enabled
    assert tasks.tasks == {}


def test_automatic_collection_comes_back_when_the_last_app_is_gone():
    assert gc.isenabled()
    first, second = MainThreadCollector(Tasks()), MainThreadCollector(Tasks())
    assert not gc.isenabled()
    first.destroy()
    assert not gc.isenabled()  # the second app still renders
    second.destroy()
    second.destroy()  # twice: nothing more
    assert gc.isenabled()


def test_the_generation_due_is_the_one_python_would_collect():
    old = gc.get_threshold()
    gc.disable()
    try:
        gc.collect()
        gc.set_threshold(10**6, 10, 10)
        assert due_generation() is None
        gc.set_threshold(1, 10**6, 10**6)
        [[] for _ in range(10)]
        assert due_generation() == 0
    finally:
        gc.set_threshold(*old)
        gc.enable()
