"""Render step for ``CameraMove`` operations.

A shot with one picture layer (or a camera move after other shot operations) is warped as
a flat picture. A shot with several visible layers, where the camera move is its first shot
operation, is composited again here layer by layer under the move, each layer at its depth
in the stack (bottom = far, top = near), so near layers slide past far ones (parallax).
The layers come from the same feeds the renderer composites (``storyloom.render.shot``),
so transforms, fit, blend modes, opacity and layer operations are honoured.

    >>> from storyloom.render.steps import step_for
    >>> step_for(CameraMove(move="pan-left")).__name__
    'camera_step'
"""
from __future__ import annotations

from typing import Iterator, Optional

import numpy as np

from storyloom.engines.base import resolve
from storyloom.engines.camera.base import MOVES, LayerPicture, check_move
from storyloom.imaging.alpha import premultiply
from storyloom.model import AssetSource, CameraMove
from storyloom.model.timing import shot_frame_count
from storyloom.render.compositor import layer_matrix
from storyloom.render.shot import layer_feed
from storyloom.render.steps import Clip, StepContext, register_step


def check_camera_move(op: CameraMove, name=None) -> None:
    """Refuse an unknown move or ease, or an amount over the move's limit.

    >>> check_camera_move(CameraMove(move="pan-left", amount=2), lambda f: "--" + f)
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: --amount 2: must be at most 1 for pan-left
    """
    check_move(op.move, op.amount, op.ease, name)


def _layer_stack(op: CameraMove, clip: Clip, ctx: StepContext) -> Optional[tuple[Iterator, int, int]]:
    """Per-frame layer pictures of the shot, or None when the move must act on the flat clip."""
    shot, project = ctx.shot, ctx.project
    if shot is None or project is None or ctx.layer is not None:
        return None
    ops = list(shot.operations)
    # after another shot operation the layers no longer describe the picture this step gets
    if not ops or ops[0] != op or ops.count(op) != 1:
        return None
    layers = [layer for layer in shot.layers if layer.visible]
    if ctx.library is None and any(isinstance(layer.source, AssetSource) for layer in layers):
        return None   # no library to read the layers' media from: move the picture as it is
    w, h = project.size.width, project.size.height
    n = len(clip)
    if len(layers) < 2 or clip.size != (w, h) or n != shot_frame_count(project, shot) \
            or abs(clip.fps - project.fps) > 1e-6:
        return None
    feeds = [layer_feed(ctx.library, project, shot, layer) for layer in layers]
    feeds = [f for f in feeds if not f.silent_picture]
    if len(feeds) < 2:
        return None
    k = len(feeds)
    iters = [f.frames(list(range(n)), project.fps) for f in feeds]

    def gen():
        for _ in range(n):
            row = []
            for depth, it in enumerate(iters):
                li = next(it)
                if li is None:
                    row.append(None)
                    continue
                img = li.rgba
                if img.shape[2] == 4 and not li.premultiplied:
                    img = premultiply(img)
                m = np.vstack([layer_matrix(li, w, h), [0.0, 0.0, 1.0]])
                row.append(LayerPicture(img, m, depth / (k - 1), li.blend, li.opacity))
            yield row
    return gen(), n, k


@register_step(CameraMove, check=check_camera_move, examples={"move": lambda: list(MOVES)})
def camera_step(op: CameraMove, clip: Clip, ctx: StepContext) -> Clip:
    """Carry out ``op`` on ``clip``: the same number of frames, moved by the camera."""
    check_move(op.move, op.amount, op.ease)
    choice = resolve("camera", op.engine)
    stack = _layer_stack(op, clip, ctx)
    with choice.engine() as eng:
        if stack is not None:
            frames = eng.move_layers(stack[0], stack[1], clip.size, op.move, op.amount, op.ease,
                                     op.seed, ctx.progress, fps=clip.fps)
        else:
            frames = eng.move_frames(np.ascontiguousarray(clip.frames[..., :3]), op.move, op.amount,
                                     op.ease, op.seed, ctx.progress, fps=clip.fps)
    ctx.provenance["engine"] = choice.engine.identity()
    ctx.provenance["parallax_layers"] = 0 if stack is None else stack[2]
    # the operation's own seed, so each shot can shake its own way (and repeat it exactly)
    ctx.provenance["seed"] = op.seed
    return Clip(frames, clip.fps)
