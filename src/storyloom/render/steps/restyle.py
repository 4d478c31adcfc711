"""Render step for ``Restyle`` operations: the shot in a named style.

    >>> from storyloom.render.steps import step_for
    >>> step_for(Restyle(style="ukiyo-e")).__name__
    'restyle_step'
"""
from __future__ import annotations

import numpy as np

from storyloom.engines.base import resolve
from storyloom.engines.restyle.base import check_strength
from storyloom.engines.restyle.catalogue import get_style, style_names
from storyloom.model import Restyle
from storyloom.render.steps import Clip, StepContext, register_step


def check_restyle(op: Restyle, name=None) -> None:
    """Refuse an unknown style (aliases such as "monet" are fine) or a strength outside 0..1.

    >>> check_restyle(Restyle(style="vaporwave"))   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    storyloom.errors.BadInput: style 'vaporwave': unknown (choose from: ...)
    """
    get_style(op.style)
    check_strength(op.strength)


@register_step(Restyle, check=check_restyle, examples={"style": style_names})
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
