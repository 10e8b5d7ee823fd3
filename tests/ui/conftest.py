"""UI fixtures: the main layout with a scene panel, recorded callbacks, a virtual mouse."""
from types import SimpleNamespace

import pytest
from panda3d.core import ButtonThrower, MouseButton, MouseWatcher, VirtualMouse

from game.core.params import ParamState
from ui.layout import MainLayout
from ui.scene_panel import ScenePanel

OBJECTS = ["dog_cat", "car_truck"]
BACKGROUNDS = ["lawn", "street"]
DEFAULT_SNIPPET = "color.rgb = (color.rgb - 0.5) * custom + 0.5;"


def step(base, n=2):
    for _ in range(n):
        base.taskMgr.step()


@pytest.fixture
def ui(showbase):
    """MainLayout + ScenePanel on a fresh ParamState; ``calls`` records every callback."""
    calls = SimpleNamespace(object=[], background=[], code=[], open_file=[], code_result=None)

    def on_code(code):
        calls.code.append(code)
        return calls.code_result

    params = ParamState()
    layout = MainLayout(showbase.aspect2d, showbase.getAspectRatio())
    panel = ScenePanel(layout.scene_panel, params, OBJECTS, BACKGROUNDS,
                       calls.object.append, calls.background.append, on_code,
                       on_open_file=calls.open_file.append, custom_code=DEFAULT_SNIPPET,
                       side=layout.view_side)
    step(showbase)  # let the sliders' construction-time commands run
    yield SimpleNamespace(base=showbase, params=params, layout=layout, panel=panel, calls=calls,
                          step=lambda n=2: step(showbase, n))
    panel.destroy()
    layout.destroy()


class Pointer:
    """Drives DirectGUI and the ButtonThrower like a real mouse (offscreen has none)."""

    def __init__(self, base):
        self.base = base
        w, h = base.win.getXSize(), base.win.getYSize()
        self.size = (w, h)
        self.mouse = VirtualMouse("test-mouse")
        self.mouse.setWindowSize(w, h)
        self.mouse.setMouseOn(True)
        self.np = base.dataRoot.attachNewNode(self.mouse)
        self.watcher = MouseWatcher("test-watcher")
        watcher_np = self.np.attachNewNode(self.watcher)
        watcher_np.attachNewNode(ButtonThrower("test-buttons"))
        base.aspect2d.node().setMouseWatcher(self.watcher)
        base.render2d.node()  # keep render2d as is; aspect2d is the PGTop DirectGUI uses

    def move_to(self, x, y):
        """Move to render2d / mouse coordinates (x, y) in [-1, 1]."""
        w, h = self.size
        self.mouse.setMousePos(int(round((x + 1) / 2 * w)), int(round((1 - y) / 2 * h)))
        step(self.base, 1)

    def click(self, button=MouseButton.one()):
        self.mouse.pressButton(button)
        step(self.base, 1)
        self.mouse.releaseButton(button)
        step(self.base, 1)


@pytest.fixture
def pointer(showbase):
    p = Pointer(showbase)
    yield p
    p.np.removeNode()


def listeners(params):
    """Every callback still connected to the parameter model."""
    signals = [*params._signals.values(), params._every]
    return [fn for signal in signals for fn in signal._callbacks]


def spy_sets(params):
    """Record every ``params.set`` the UI makes from now on (still applying it)."""
    calls = []
    real = ParamState.set

    def spy(name, value):
        calls.append((name, value))
        real(params, name, value)

    params.set = spy
    return calls
