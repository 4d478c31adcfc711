"""The Cutout render step: RGBA out with the matte as alpha, source alpha kept, prompt
scaled from source pixels to the clip, provenance recorded."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from storyloom.errors import BadInput
from storyloom.model import Click, Cutout
from storyloom.render.steps import Clip, StepContext, step_for


def _disc_frames(n=6, w=160, h=90):
    import cv2
    out = []
    for t in range(n):
        f = np.full((h, w, 3), (60, 80, 110), np.uint8)
        cv2.circle(f, (int(w * (0.3 + 0.02 * t)), h // 2), h // 5, (235, 140, 30), -1, lineType=cv2.LINE_AA)
        out.append(f)
    return np.stack(out)


def test_step_returns_rgba_with_matte_and_provenance():
    frames = _disc_frames()
    op = Cutout(clicks=[Click(x=48, y=45)])
    ctx = StepContext()
    clip = step_for(op)(op, Clip(frames, 24.0), ctx)
    assert clip.frames.shape == (6, 90, 160, 4) and clip.fps == 24.0
    a = clip.frames[..., 3]
    hard = (a == 0) | (a == 255)
    assert np.array_equal(clip.frames[..., :3][hard], frames[hard])   # picture untouched where alpha is 0 or 1
    # on the disc's soft rim the colour is the disc's own, not mixed with the backdrop
    rim = (a > 20) & (a < 235)
    orange, backdrop = np.array([235, 140, 30]), np.array([60, 80, 110])
    got, given = clip.frames[..., :3][rim].astype(np.float32), frames[rim].astype(np.float32)
    assert rim.sum() > 50 and np.abs(got - orange).mean() < np.abs(given - orange).mean() - 10
    assert np.abs(got - orange).mean() < 0.5 * np.abs(got - backdrop).mean()
    assert a[5, 45, int(160 * 0.4)] > 200 and a[5, 10, 150] < 30
    assert ctx.provenance["engine"] == "matting@3"
    assert ctx.provenance["prompt"]["clicks"] == [[0, 48.0, 45.0, True]]


def test_source_alpha_is_kept_and_prompt_scaled_from_source_pixels():
    frames = _disc_frames()
    rgba = np.concatenate([frames, np.full(frames.shape[:3] + (1,), 255, np.uint8)], axis=3)
    rgba[:, :, :80, 3] = 128                                     # the source's left half is half transparent
    # the source asset is 320x180; the renderer hands over the clip at 160x90
    lib = SimpleNamespace(asset_info=lambda sha: SimpleNamespace(width=320, height=180))
    layer = SimpleNamespace(source=SimpleNamespace(asset=SimpleNamespace(sha256="0" * 64)))
    op = Cutout(box=(2 * 20, 2 * 22, 2 * 68, 2 * 68))            # the disc's box in source pixels
    ctx = StepContext(library=lib, layer=layer)
    clip = step_for(op)(op, Clip(rgba, 24.0), ctx)
    a = clip.frames[0, :, :, 3]
    assert 110 <= a[45, 48] <= 140           # object, inside the half-transparent half
    assert a[45, 150] < 30
    assert ctx.provenance["prompt"]["box"] == [20.0, 22.0, 68.0, 68.0]


def test_still_holds_one_picture_and_bad_prompt_is_bad_input():
    frames = _disc_frames(1)
    op = Cutout(clicks=[Click(frame=5, x=48, y=45)])             # a frame of the video the still came from
    clip = step_for(op)(op, Clip(frames, 24.0), StepContext())
    assert clip.frames.shape == (1, 90, 160, 4) and clip.frames[0, 45, 48, 3] > 200
    with pytest.raises(BadInput, match="outside"):
        bad = Cutout(clicks=[Click(x=500, y=45)])
        step_for(bad)(bad, Clip(frames, 24.0), StepContext())
