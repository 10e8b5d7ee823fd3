"""One graphics pipe per process: a ShowBase freed late cannot end the EGL display
under the next one."""
import gc

from game.core.params import ParamState
from game.render.headless import headless_pipeline
from game.render.showbase import make_showbase, shared_pipe


def _frame():
    with headless_pipeline(ParamState()) as (_base, pipeline, _controller):
        return pipeline.render_now().image.astype(int)


def test_a_showbase_freed_after_the_next_was_made_leaves_its_display_alone(capfd):
    reference = _frame()
    first = make_showbase(windowType="offscreen")
    kept = [first.pipe]           # as a reference cycle would keep it, past destroy()
    first.destroy()
    with headless_pipeline(ParamState()) as (base, pipeline, _controller):
        assert base.pipe is kept[0] is shared_pipe()
        del first, kept           # freed now, while the next one draws
        gc.collect()
        frame = pipeline.render_now().image.astype(int)
    assert (frame == reference).all() and frame.std() > 10
    err = capfd.readouterr().err
    assert "EGL_NOT_INITIALIZED" not in err and "EGL_BAD_CONTEXT" not in err, err
