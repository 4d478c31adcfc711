"""Render step for ``Restyle`` operations: the shot in a named style.

    >>> from storyloom.model import Restyle
    >>> from storyloom.render.steps import step_for
    >>> step_for(Restyle(style="ukiyo-e"))                # doctest: +SKIP
    <function restyle_step ...>
"""
from __future__ import annotations

import numpy as np

from storyloom.engines.base import resolve
from storyloom.engines.restyle.catalogue import get_style
from storyloom.model import Restyle
from storyloom.model.operations import register_validator
from storyloom.render.steps import Clip, StepContext, register_step


@register_validator(Restyle)
def check_restyle(op: Restyle) -> None:
    """Refuse an unknown style when the operation is added (aliases such as "monet" are fine)."""
    get_style(op.style)


@register_step(Restyle)
def restyle_step(op: Restyle, clip: Clip, ctx: StepContext) -> Clip:
    """Carry out ``op`` on ``clip``: same length, size and rate, in ``op.style``.
    An alpha channel (layer operations) passes through untouched."""
    style = get_style(op.style)           # BadInput naming the valid styles
    choice = resolve("restyle", op.engine)
    with choice.engine() as eng:
        rgb = eng.restyle(clip.frames[..., :3], style.name, op.strength, seed=ctx.seed, progress=ctx.progress)
    if clip.frames.shape[3] == 4:
        rgb = np.concatenate([rgb, clip.frames[..., 3:]], axis=3)
    ctx.provenance.update(engine=choice.engine.identity(), style=style.name, strength=op.strength, seed=ctx.seed)
    return Clip(rgb, clip.fps)
