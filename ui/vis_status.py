"""How a visualisation that is not there yet reads, wherever its picture will appear.

The activation rows, the prediction view and the enlarged picture show one
``game.tools.featvis.service.VisStatus`` (duck-typed: ``state``, ``progress``, ``steps``,
``estimate``...) the same way: what it costs before it starts ("~25 s"), "queued", and
while it runs "step 96/256" (or "37 %" where the steps are not said), cut to the room
there is: every text comes as candidates, longest first, and :func:`fit` takes the
first that fits.
"""
from __future__ import annotations

from panda3d.core import NodePath, TextNode

from ui import theme
from ui.draw import Text, card, measure

BAND_H = theme.px(14)  # the dark band at the bottom of a picture being made


def cost_text(seconds: float) -> str:
    """A job's estimated duration, rounded as people say it: "~25 s", "~3 min"."""
    if seconds < 1:
        return "<1 s"
    if seconds < 90:
        return f"~{round(seconds)} s"
    return f"~{round(seconds / 60)} min"


def progress_texts(status) -> list[str]:
    """What a queued or running ``status`` says, longest first."""
    if status.state == "queued":
        return ([f"queued, {cost_text(status.estimate)}"] if status.estimate > 0 else []) \
            + ["queued"]
    percent = f"{round(status.progress * 100)} %"
    if status.steps > 0:
        done = round(status.progress * status.steps)
        return [f"step {done}/{status.steps}", f"{done}/{status.steps}", percent]
    return [percent]


def fit(texts: list[str], scale: float, width: float) -> str:
    """The first of ``texts`` at most ``width`` wide at ``scale`` (else the last)."""
    return next((t for t in texts if measure(t, scale) <= width), texts[-1])


def progress_band(parent: NodePath, w: float, scale: float, h: float = BAND_H):
    """(holder, fill, text): a dark band ``w`` wide, its top-left at the holder's origin,
    with a fill growing with the progress and a text; hidden until :func:`show_progress`."""
    holder = parent.attachNewNode("fv-progress")
    band = card(holder, w, h, (0, 0, 0, 0.62), name="fv-band")
    band.setTransparency(True)
    fill = card(holder, w, theme.px(3), theme.OK, (0, -h + theme.px(3)), "fv-fill")
    text = Text(holder, "", (w / 2, -h + theme.px(5)), scale=scale, fg=theme.TEXT,
                align=TextNode.ACenter)
    holder.hide()
    return holder, fill, text


def show_progress(band, status, w: float) -> None:
    """Show a queued or running ``status`` on ``band`` (``w`` wide); hide it otherwise."""
    holder, fill, text = band
    if status is None or status.state not in ("queued", "running"):
        holder.hide()
        return
    fill.setSx(max(status.progress, 1e-3))
    text.set(fit(progress_texts(status), text.scale, w - theme.px(4)))
    holder.show()
