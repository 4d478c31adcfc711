"""Render step for ``Harmonize``: a layer's colours moved toward its background's
(Reinhard transfer in Lab, ``storyloom.imaging.colour``); no engine involved.

    >>> from storyloom.model import Harmonize
    >>> from storyloom.render.steps import step_for
    >>> step_for(Harmonize(mean=(50, 0, 0), std=(10, 5, 5))).__name__
    'harmonize_step'
"""
from __future__ import annotations

from storyloom.imaging.colour import lab_transfer
from storyloom.model import Harmonize
from storyloom.render.steps import Clip, StepContext, register_step


@register_step(Harmonize)
def harmonize_step(op: Harmonize, clip: Clip, ctx: StepContext) -> Clip:
    """The layer's frames with their colours moved toward ``op.mean``/``op.std``; alpha kept."""
    ctx.provenance.update({"engine": "lab-transfer", "version": "1"})
    return Clip(lab_transfer(clip.frames, op.mean, op.std, op.strength), clip.fps)
