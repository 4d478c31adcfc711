"""Render step for ``Cutout``: a layer's frames come back RGBA, the object's matte as alpha.

The renderer hands a layer operation the layer's source frames stretched to the project
size, at project fps from the layer's start; the prompt is in the source's own pixels
(``Click``: "in source pixels"), so it is scaled here. ``frame`` counts the frames given.

    >>> from storyloom.model import Click
    >>> from storyloom.render.steps import step_for
    >>> step_for(Cutout(clicks=[Click(x=135, y=92)])).__name__
    'cutout_step'
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from storyloom.engines.cutout import track
from storyloom.engines.cutout.base import Point, Prompt
from storyloom.engines.cutout.foreground import foreground_colour
from storyloom.model import Cutout
from storyloom.render.steps import Clip, StepContext, register_step


def source_size(ctx: StepContext) -> Optional[tuple[int, int]]:
    """(width, height) of the layer's source asset as imported, when the context knows it."""
    layer, lib = ctx.layer, ctx.library
    src = getattr(layer, "source", None)
    asset = getattr(src, "asset", None)
    if asset is None or lib is None:
        return None
    try:
        info = lib.asset_info(asset.sha256)
    except Exception:  # an asset row gone: the prompt is taken in the clip's pixels
        return None
    return (info.width, info.height) if info.width and info.height else None


def prompt_for(op: Cutout, clip: Clip, ctx: StepContext) -> Prompt:
    """``op``'s prompt in ``clip``'s pixels and frames.

    >>> from storyloom.model import Click
    >>> op = Cutout(clicks=[Click(x=100, y=50)])
    >>> prompt_for(op, Clip(np.zeros((1, 90, 160, 3), np.uint8), 24), StepContext()).clicks[0][1:3]
    (100.0, 50.0)
    """
    p = Prompt.make(op.clicks, op.box, op.frame)
    size = source_size(ctx)
    if size and size != clip.size:
        sx, sy = clip.size[0] / size[0], clip.size[1] / size[1]
        p = Prompt(tuple(Point(c.frame, c.x * sx, c.y * sy, c.positive) for c in p.clicks),
                   None if p.box is None else (p.box[0] * sx, p.box[1] * sy, p.box[2] * sx, p.box[3] * sy),
                   p.box_frame)
    if len(clip) == 1:   # a still is handed over as one picture: every frame of the prompt is it
        p = Prompt(tuple(c._replace(frame=0) for c in p.clicks), p.box, 0)
    return p


@register_step(Cutout)
def cutout_step(op: Cutout, clip: Clip, ctx: StepContext) -> Clip:
    """Carry out ``op`` on a layer's source ``clip``: RGBA frames whose alpha is the matte
    (times the source's own alpha when it has one) and whose colour, where alpha is
    partial, is the object's own (``foreground_colour``)."""
    prompt = prompt_for(op, clip, ctx)
    alpha, choice = track(clip.frames[..., :3], prompt, op.engine, ctx.progress)
    if clip.frames.shape[3] == 4:   # keep what the source already made transparent
        alpha = ((alpha.astype(np.uint16) * clip.frames[..., 3] + 127) // 255).astype(np.uint8)
    ctx.provenance["engine"] = choice.engine.identity()
    ctx.provenance["why"] = choice.why
    ctx.provenance["prompt"] = prompt.to_dict()
    ctx.provenance["colour"] = "blur-fusion foreground estimate on partial alpha"
    # where alpha is partial the picture mixes the object with the old background: its own
    # colour is estimated there, so the old background does not fringe the new composite
    rgb = foreground_colour(clip.frames[..., :3], alpha)
    return Clip(np.concatenate([rgb, alpha[..., None]], axis=3), clip.fps)
