"""Tiny textured pictures and a motion meter shared by the camera tests (importable as
``camera_media``; the fixtures in conftest.py hand them out)."""
import math

import cv2
import numpy as np


def make_texture(w=192, h=108, seed=0):
    """Smooth colour blobs plus fine grain, every channel within 50..210 (so a black border shows)."""
    rng = np.random.default_rng(seed)
    small = rng.random((max(2, h // 10), max(2, w // 10), 3)).astype(np.float32)
    tex = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1) * 130 + 60
    tex += rng.normal(0, 6, tex.shape)
    return np.clip(tex, 50, 210).astype(np.uint8)


def ecc_motion(a, b, mask=None):
    """Content motion from RGB frame ``a`` to ``b`` as score.py motion reports it:
    (dx, dy of the frame centre, zoom, rotation degrees), by ECC on an affine model."""
    ga = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gb = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float32)
    warp = np.eye(2, 3, dtype=np.float32)
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-7)
    # the warp maps a's pixel positions to b's: how the content moved
    _, warp = cv2.findTransformECC(ga, gb, warp, cv2.MOTION_AFFINE, crit,
                                   None if mask is None else mask.astype(np.uint8), 5)
    h, w = ga.shape
    c = np.array([(w - 1) / 2, (h - 1) / 2, 1.0])
    centre = warp.astype(np.float64) @ c
    zoom = math.sqrt(abs(np.linalg.det(warp[:, :2].astype(np.float64))))
    rot = math.degrees(math.atan2(warp[1, 0] - warp[0, 1], warp[0, 0] + warp[1, 1]))
    return centre[0] - c[0], centre[1] - c[1], zoom, rot


def median_motion(frames, mask=None):
    """Median of ``ecc_motion`` over neighbouring frames."""
    ms = np.array([ecc_motion(a, b, mask) for a, b in zip(frames, frames[1:])])
    return tuple(float(v) for v in np.median(ms, axis=0))


def salient_still():
    """A textured background with a bright checkered ellipse right of centre, and its true mask."""
    img = make_texture(192, 108, seed=9)
    img = (img.astype(np.float32) * 0.6 + 40).astype(np.uint8)    # a quieter background
    yy, xx = np.mgrid[0:108, 0:192]
    truth = ((xx - 105) / 26) ** 2 + ((yy - 56) / 34) ** 2 < 1
    img[truth] = (255, 0, 255)
    img[truth & ((xx // 5 + yy // 5) % 2 == 0)] = (255, 0, 170)
    return img, truth
