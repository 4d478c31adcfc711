"""Render step for ``Interpolate`` operations: raise a shot's frame rate.

    >>> from storyloom.model import Interpolate
    >>> from storyloom.render.steps import step_for
    >>> step_for(Interpolate(factor=2))                # doctest: +SKIP
    <function interpolate_step ...>
"""
from __future__ import annotations

from storyloom.engines.base import resolve
from storyloom.errors import BadInput
from storyloom.model import Interpolate
from storyloom.render.steps import Clip, StepContext, register_step


def step_factor(op: Interpolate, fps: float) -> int:
    """The whole factor an operation asks for: ``op.fps / fps`` rounded when ``op.fps`` is set.

    >>> step_factor(Interpolate(fps=48, factor=None), 24.0)
    2
    """
    factor = int(round(op.fps / fps)) if op.fps else int(op.factor or 0)
    if not 2 <= factor <= 8:
        raise BadInput(f"Interpolate: factor {factor} (fps {op.fps} from {fps:g}): must be 2..8")
    return factor


@register_step(Interpolate)
def interpolate_step(op: Interpolate, clip: Clip, ctx: StepContext) -> Clip:
    """Carry out ``op`` on ``clip``: ``(N - 1) * factor + 1`` frames at ``fps * factor``."""
    factor = step_factor(op, clip.fps)
    if len(clip) < 2:
        raise BadInput(f"Interpolate: needs at least 2 frames, got {len(clip)}")
    choice = resolve("interpolate", op.engine)
    with choice.engine() as eng:
        frames = eng.interpolate(clip.frames[..., :3], factor, None, ctx.progress)
    ctx.provenance["engine"] = choice.engine.identity()
    return Clip(frames, clip.fps * factor)
