"""Render step for ``Interpolate`` operations: raise a shot's frame rate.

    >>> from storyloom.render.steps import step_for
    >>> step_for(Interpolate(factor=2)).__name__
    'interpolate_step'
"""
from __future__ import annotations

import numpy as np

from storyloom.engines.base import resolve
from storyloom.engines.interpolate.base import plan
from storyloom.errors import BadInput
from storyloom.media import rate
from storyloom.model import Interpolate
from storyloom.render.steps import Clip, StepContext, register_step


def rate_ratio(op: Interpolate, fps: float, name=None, rise: bool = False) -> float:
    """How many times the clip's rate ``fps`` ``op`` asks for: ``op.fps / fps`` when ``op.fps``
    is set (at most 8x), else the whole ``op.factor`` (2..8). With ``rise`` the rate must go
    up (a file command); in a project the clip's own rate is allowed: there it fills in the
    frames the film repeats. ``name(field)`` is how the caller calls a field (``--fps``).

    >>> rate_ratio(Interpolate(fps=60, factor=None), 24.0)
    2.5
    >>> rate_ratio(Interpolate(fps=24, factor=None), 24.0, lambda f: "--" + f, rise=True)
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: --fps 24: 1.00x the source's 24 fps, must be above it and at most 8x
    """
    name = name or str
    if op.fps is not None:
        if op.fps <= 0 or fps <= 0:
            raise BadInput(f"{name('fps')} {op.fps:g}: needs a positive rate and a source rate")
        ratio = float(rate(op.fps) / rate(fps))
        # a hair of tolerance: 8 x 23.976 typed as 191.81 is still 8x
        low = 1 + 1e-6 < ratio if rise else 1 - 1e-6 <= ratio
        if not (low and ratio <= 8 + 1e-3):
            raise BadInput(f"{name('fps')} {op.fps:g}: {ratio:.2f}x the source's {fps:g} fps, "
                           f"must be {'above it' if rise else 'at least its rate'} and at most 8x")
        return ratio
    factor = int(op.factor or 0)
    if not 2 <= factor <= 8:
        raise BadInput(f"{name('factor')} {factor}: must be 2..8")
    return float(factor)


def check_interpolate(op: Interpolate, name=None) -> None:
    """Refuse a factor outside 2..8 (a rate is checked against the clip's when it renders).

    >>> check_interpolate(Interpolate.model_construct(factor=9, fps=None))
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: factor 9: must be 2..8
    """
    if op.fps is None:
        rate_ratio(op, 1.0, name)


#: largest grey-level difference between two frames that still counts as the same picture
#: shown again (a project repeats a slower source's frames exactly; decoding adds none)
REPEAT_TOLERANCE = 2


def fill_repeats(eng, frames: np.ndarray) -> np.ndarray:
    """``frames`` with each run of a repeated picture replaced by in-betweens at the times
    the repeats stand for: what a project does to footage slower than its own rate (24 fps
    footage in a 60 fps project shows each picture two or three times) becomes smooth motion.
    The last picture's run is held (nothing comes after it); without repeats, unchanged.

    >>> f = np.repeat(np.arange(3, dtype=np.uint8)[:, None, None, None] * 60, 2, axis=0)
    >>> fill_repeats(FlowInterpolator(), np.broadcast_to(f, (6, 8, 8, 3)).copy()).shape   # doctest: +SKIP
    (6, 8, 8, 3)
    """
    n = len(frames)
    same = [int(np.abs(frames[i].astype(np.int16) - frames[i - 1]).max()) <= REPEAT_TOLERANCE
            for i in range(1, n)]
    firsts = [0] + [i for i in range(1, n) if not same[i - 1]]
    if len(firsts) == n or len(firsts) < 2:
        return frames
    positions = []
    for k, (a, b) in enumerate(zip(firsts, firsts[1:] + [None])):
        if b is None:   # the last picture: hold it for the rest of the shot
            positions += [float(k)] * (n - a)
        else:
            positions += [k + (i - a) / (b - a) for i in range(a, b)]
    return eng.resample(np.ascontiguousarray(frames[firsts]), positions, None, "nearer")


@register_step(Interpolate, check=check_interpolate)
def interpolate_step(op: Interpolate, clip: Clip, ctx: StepContext) -> Clip:
    """Carry out ``op`` on ``clip``: ``(N - 1) * factor + 1`` frames at ``fps * factor``, or,
    for an ``op.fps`` that is no whole multiple of the clip's (24 -> 60), frames at exactly
    ``op.fps`` (each made at its own time between its two source frames)."""
    ratio = rate_ratio(op, clip.fps)
    if len(clip) < 2:
        raise BadInput(f"Interpolate: needs at least 2 frames, got {len(clip)}")
    choice = resolve("interpolate", op.engine)
    factor = int(round(ratio))
    with choice.engine() as eng:
        source = clip.frames[..., :3]
        if hasattr(eng, "resample"):
            source = fill_repeats(eng, source)
        if ctx.project is not None:
            # the film plays at its own rate: frames between its frames would never be
            # shown, so in a project the repeats filled in are the whole effect
            ctx.provenance["engine"] = choice.engine.identity()
            return Clip(source, clip.fps)
        if abs(ratio - 1) < 1e-6:
            frames = source
            fps = clip.fps
        elif abs(ratio - factor) < 1e-6:
            frames = eng.interpolate(source, factor, None, ctx.progress)
            fps = clip.fps * factor
        elif hasattr(eng, "resample"):
            frames = eng.resample(source, plan(len(clip), ratio), None, "nearer", ctx.progress)
            fps = float(op.fps)
        else:
            raise BadInput(f"Interpolate: engine {choice.engine.NAME} makes whole multiples only "
                           f"({op.fps:g} fps is {ratio:.2f}x the clip's {clip.fps:g})")
    ctx.provenance["engine"] = choice.engine.identity()
    return Clip(frames, fps)
