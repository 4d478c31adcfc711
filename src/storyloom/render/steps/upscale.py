"""Render step for ``Upscale``: the picture larger and sharper; in a project the renderer
fits it back to the film's frame size, so the engine's detail shows as sharpness.

    >>> from storyloom.model import Upscale
    >>> from storyloom.render.steps import step_for
    >>> step_for(Upscale(scale=2)).__name__
    'upscale_step'
"""
from __future__ import annotations

from storyloom.engines.base import resolve
from storyloom.engines.upscale.base import SCALES
from storyloom.errors import BadInput
from storyloom.model import Upscale
from storyloom.render.steps import Clip, StepContext, register_step


def check_upscale(op: Upscale, name=None) -> None:
    """Refuse a scale the engines do not make (2 and 4) and a denoise or sharpen outside 0..1.

    >>> check_upscale(Upscale.model_construct(scale=3, denoise=0.0, sharpen=0.0), lambda f: "--" + f)
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: --scale 3: must be 2 or 4
    """
    name = name or str
    if op.scale not in SCALES:
        raise BadInput(f"{name('scale')} {op.scale}: must be {' or '.join(map(str, SCALES))}")
    for key in ("denoise", "sharpen"):
        value = getattr(op, key)
        if not 0.0 <= value <= 1.0:
            raise BadInput(f"{name(key)} {value}: must be between 0 and 1")


@register_step(Upscale, check=check_upscale)
def upscale_step(op: Upscale, clip: Clip, ctx: StepContext) -> Clip:
    """Carry out an ``Upscale`` operation with its engine (the best available unless pinned)."""
    choice = resolve("upscale", op.engine)
    with choice.engine() as eng:
        frames = eng.upscale(clip.frames[..., :3], op.scale, op.denoise, op.sharpen, ctx.progress)
    ctx.provenance["engine"] = choice.engine.identity()
    return Clip(frames, clip.fps)
