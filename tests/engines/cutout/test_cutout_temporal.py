"""Temporal smoothing of a matte along the object's own motion (engines/cutout/_temporal.py):
a textured object moving as a whole, its true matte plus independent per-frame noise; aligned
and averaged, the noise must shrink without smearing the edge, and frames the motion cannot
be followed to must not be mixed in."""
from __future__ import annotations

import cv2
import numpy as np

from storyloom.engines.cutout._temporal import object_motion, smooth_along_motion

N, H, W = 9, 90, 160


def _scene():
    """A textured disc with a soft rim, shifting 2 px and turning 1.5 degrees a frame,
    over a flat ground; returns grey frames, true mattes and hard masks."""
    rng = np.random.default_rng(3)
    tex = cv2.GaussianBlur((rng.random((H, W)) * 255).astype(np.uint8), (0, 0), 1.2)
    tex = cv2.normalize(tex, None, 30, 230, cv2.NORM_MINMAX)
    disc = np.zeros((H, W), np.float32)
    cv2.circle(disc, (50, 45), 22, 1.0, -1, lineType=cv2.LINE_AA)
    disc = cv2.GaussianBlur(disc, (0, 0), 1.0)
    grays, truth, masks = [], [], []
    for t in range(N):
        m = cv2.getRotationMatrix2D((50, 45), 1.5 * t, 1.0)
        m[0, 2] += 2.0 * t
        a = cv2.warpAffine(disc, m, (W, H), flags=cv2.INTER_LINEAR)
        tx = cv2.warpAffine(tex, m, (W, H), flags=cv2.INTER_LINEAR).astype(np.float32)
        grays.append(np.clip(a * tx + (1 - a) * 90, 0, 255).astype(np.uint8))
        truth.append(a)
        masks.append((a > 0.5).astype(np.uint8))
    return grays, truth, masks


def test_motion_found_and_noise_averaged_out():
    grays, truth, masks = _scene()
    steps = object_motion(grays, masks, np.ones((5, 5), np.uint8))
    assert all(s is not None for s in steps)
    # the fitted step is the true one: 2 px right (plus the turn about the centre)
    shift = steps[0] @ np.array([50.0, 45.0, 1.0]) - np.array([50.0, 45.0, 1.0])
    assert abs(shift[0] - 2.0) < 0.3 and abs(shift[1]) < 0.3
    rng = np.random.default_rng(0)
    noisy = [np.clip(a + rng.normal(0, 0.15, a.shape), 0, 1).astype(np.float32) for a in truth]
    ones = [np.ones((H, W), np.float32)] * N
    smooth = smooth_along_motion(noisy, ones, steps, radius=2)
    rim = (truth[4] > 0.02) & (truth[4] < 0.98)
    before = np.abs(noisy[4] - truth[4])[rim].mean()
    after = np.abs(smooth[4] - truth[4])[rim].mean()
    print(f"rim MAE {before:.3f} -> {after:.3f}")
    assert after < 0.6 * before
    # the edge stays where it was: the averaged matte's outline overlaps the truth's
    inter = ((smooth[4] > 0.5) & (truth[4] > 0.5)).sum() / ((smooth[4] > 0.5) | (truth[4] > 0.5)).sum()
    assert inter > 0.97


def test_unfollowed_frames_are_not_mixed_in():
    grays, truth, masks = _scene()
    noisy = [np.full((H, W), v, np.float32) for v in np.linspace(0, 1, N)]
    ones = [np.ones((H, W), np.float32)] * N
    out = smooth_along_motion(noisy, ones, [None] * (N - 1), radius=3)
    assert all(np.allclose(o, a) for o, a in zip(out, noisy))


def test_weak_measurements_reach_farther():
    """Where the frames near by hold little trusted weight, farther ones are taken in."""
    eye = np.eye(3)
    vals = [0.0] * 3 + [1.0] * 5          # frame 0 sees 1.0 only beyond its near frames
    alphas = [np.full((4, 4), v, np.float32) for v in vals]
    weak = [np.full((4, 4), 0.1, np.float32)] * 3 + [np.ones((4, 4), np.float32)] * 5
    near_only = smooth_along_motion(alphas, weak, [eye] * 7, radius=2)
    farther = smooth_along_motion(alphas, weak, [eye] * 7, radius=2, far_radius=6, enough=1.0)
    assert near_only[0][0, 0] < 0.01 and farther[0][0, 0] > 0.8
