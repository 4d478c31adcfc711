"""Painting the background in where a still's subject was (``fill_behind``), so that moving
the subject apart from it (parallax) reveals plausible background instead of a copy of it.

    >>> img = np.zeros((64, 64, 3), np.uint8); img[:, 32:] = 200
    >>> a = np.zeros((64, 64), np.float32); a[24:40, 24:40] = 1
    >>> fill_behind(img, a).shape
    (64, 64, 3)
"""
from __future__ import annotations

import cv2
import numpy as np


def _fill_small(bgr: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Fill ``hole`` of a small BGR picture by diffusion (Telea) from its rim, with fine
    grain as strong as the surroundings' so the fill does not look like plastic.

    Patch-shift filling (OpenCV xphoto's shift map) was tried and dropped: it copies whole
    objects of the picture into the hole (a second rocket where the person stood) and
    leaves torn-paper seams, which a parallax move then reveals right beside the subject;
    a move reveals mostly a thin band at the subject's edge, where continuing the
    neighbouring colours is what reads as "behind".
    """
    out = cv2.inpaint(bgr, hole, 5, cv2.INPAINT_TELEA)
    ring = cv2.dilate(hole, np.ones((9, 9), np.uint8)) & (1 - hole)
    if ring.any():
        f = bgr.astype(np.float32)
        detail = f - cv2.GaussianBlur(f, (0, 0), 1.5)
        d = detail[ring > 0]
        # robust spread (MAD): texture counts, a single strong edge through the ring does not
        sigma = float(np.clip(1.4826 * np.median(np.abs(d - np.median(d))), 0.0, 12.0))
        if sigma > 0.5:
            rng = np.random.default_rng(0)   # fixed: the same picture always gets the same plate
            grain = cv2.GaussianBlur(rng.normal(0, 1, bgr.shape[:2]).astype(np.float32), (0, 0), 0.7)
            grain *= sigma / (grain.std() + 1e-6)
            filled = out.astype(np.float32) + (hole > 0)[..., None] * grain[..., None]
            out = np.clip(filled + 0.5, 0, 255).astype(np.uint8)
    return out


def fill_behind(rgb: np.ndarray, alpha: np.ndarray, work_side: int = 256) -> np.ndarray:
    """The picture with the subject (``alpha`` > 0.02, widened a little) painted out.

    The hole is filled on a copy at most ``work_side`` pixels wide (see ``_fill_small``),
    brought back to full size inside the hole only, and its rim blended into the untouched
    surroundings.

    >>> img = np.zeros((64, 64, 3), np.uint8); img[:, 32:] = 200
    >>> a = np.zeros((64, 64), np.float32); a[24:40, 24:40] = 1
    >>> out = fill_behind(img, a)
    >>> int(out[32, 10, 0]), int(out[32, 50, 0]), bool(out[24:40, 24:40].max() <= 205)
    (0, 200, True)
    """
    h, w = alpha.shape
    grow = max(2, round(min(h, w) / 60))
    hole = cv2.dilate((alpha > 0.02).astype(np.uint8), cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    if not hole.any():
        return rgb.copy()
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    k = min(1.0, work_side / max(h, w))
    if k < 1.0:
        size = (max(8, round(w * k)), max(8, round(h * k)))
        small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
        sh = cv2.dilate(cv2.resize(hole, size, interpolation=cv2.INTER_NEAREST), np.ones((3, 3), np.uint8))
        up = cv2.resize(_fill_small(small, sh), (w, h), interpolation=cv2.INTER_CUBIC)
        out = np.where(hole[..., None] > 0, up, bgr)
        # the seam between the upscaled fill and the sharp original: diffuse across a thin rim
        rim = hole & (1 - cv2.erode(hole, np.ones((5, 5), np.uint8)))
        out = cv2.inpaint(np.ascontiguousarray(out), rim, 2, cv2.INPAINT_TELEA)
    else:
        out = _fill_small(bgr, hole)
    return np.ascontiguousarray(out[..., ::-1])
