"""The real app offscreen, models off (frames stay cheap), a fake pad on a fake clock."""
import pytest

from tests.game.conftest import sphere_box_app


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


@pytest.fixture(scope="package")
def app(background_file):
    a = sphere_box_app(background_file, model1_enabled=0, model2_enabled=0)
    a.step(3)
    yield a
    a.destroy()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def pad(app, clock):
    """A FakePad hot-plugged through ``connect-device``; the gamepad tool on ``clock``."""
    from game.app.input.gamepad import FakePad

    tool = app.tools["gamepad"]
    tool.clock, tool._last_t = clock, None
    p = FakePad("test pad")
    app.base.messenger.send("connect-device", [p])
    app.step()

    def step(n=1):
        for _ in range(n):
            clock.advance(0.05)
            app.step()

    p.step = step
    p.tap_ = lambda button: p.tap(button, step)
    yield p
    p.neutral()
    app.base.messenger.send("disconnect-device", [p])
    app.step()
    tool.focus.current = None
    tool.help.hide()
