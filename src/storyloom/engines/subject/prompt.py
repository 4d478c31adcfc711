"""The main subject of a frame as a cutout prompt (a point and a box), found with no help
from the user: the biggest person (MediaPipe selfie segmentation, confirmed by a body pose)
when there is one; else, given the frames just before and after, what moves unlike the
camera; else the most salient region (OpenCV fine-grained saliency); else the centre.

    >>> import numpy as np
    >>> auto_prompt(np.zeros((90, 160, 3), np.uint8))["how"]
    'centre'
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from storyloom.engines.native_logs import quiet_native_logs
from storyloom.imaging.motion import motion_residual


def _region(mask: np.ndarray):
    """The largest connected region of ``mask`` as ((x0, y0, x1, y1), (x, y) deepest inside
    it), or None when it is missing, tiny (< 0.5 % of the picture) or nearly everything."""
    h, w = mask.shape[:2]
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return None
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    area = stats[k, cv2.CC_STAT_AREA]
    if not 0.005 * w * h <= area <= 0.8 * w * h:
        return None
    comp = (lab == k).astype(np.uint8)
    dist = cv2.distanceTransform(comp, cv2.DIST_L2, 5)
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    x0, y0, bw, bh = stats[k, :4]
    return (float(x0), float(y0), float(x0 + bw), float(y0 + bh)), (float(x), float(y))


def _person_mask(rgb: np.ndarray) -> Optional[np.ndarray]:
    """MediaPipe's person probability per pixel, or None when MediaPipe is missing or no
    person is there: the selfie model's confident core, confirmed by a body pose spanning
    its largest region (the selfie model alone calls many blobs a person)."""
    try:
        # the people engine's own selfie model and pose check: a person here is a person there
        from storyloom.engines.cutout.people import _person_prob, _pose_fits, _selfie
        with quiet_native_logs():
            seg = _selfie()
    except Exception:  # mediapipe is optional: the other cues still work without it
        return None
    try:
        m = _person_prob(seg, rgb)
    finally:
        with quiet_native_logs():
            seg.close()
    # a picture with no person still gets a faint map: demand a confident core
    if m is None or float(m.max()) < 0.9:
        return None
    n, lab, stats, _ = cv2.connectedComponentsWithStats((m > 0.5).astype(np.uint8), connectivity=8)
    if n <= 1:
        return None
    biggest = lab == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return m if _pose_fits(rgb, biggest) else None


def _salient(rgb: np.ndarray) -> Optional[np.ndarray]:
    """The salient part of a picture (fine-grained saliency, smoothed, Otsu), or None."""
    h, w = rgb.shape[:2]
    if float(rgb.std()) <= 2.0:
        return None
    sal = cv2.saliency.StaticSaliencyFineGrained_create()
    ok, smap = sal.computeSaliency(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
    if not ok:
        return None
    smap = cv2.GaussianBlur(smap.astype(np.float32), (0, 0), max(2.0, min(w, h) / 60))
    smap = cv2.normalize(smap, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    _, mask = cv2.threshold(smap, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0


def auto_prompt(rgb: np.ndarray, before: Optional[np.ndarray] = None, after: Optional[np.ndarray] = None) -> dict:
    """A prompt for a picture's main subject: ``{"box", "point", "how"}`` in pixels of ``rgb``,
    ``how`` one of person, motion, saliency, centre.

    >>> auto_prompt(np.zeros((90, 160, 3), np.uint8))["box"]
    (40.0, 18.0, 120.0, 85.5)
    """
    h, w = rgb.shape[:2]
    person = _person_mask(rgb)
    found = _region(person > 0.5) if person is not None else None
    if found:
        return {"box": found[0], "point": found[1], "how": "person"}
    if before is not None and after is not None:
        # moving both ways from this frame: where the subject is now, not where it was
        res = np.minimum(motion_residual(rgb, after), motion_residual(rgb, before))
        mask = cv2.morphologyEx((res > 1.0).astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        found = _region(mask > 0)
        if found:
            return {"box": found[0], "point": found[1], "how": "motion"}
    salient = _salient(rgb)
    found = _region(salient) if salient is not None else None
    if found:
        return {"box": found[0], "point": found[1], "how": "saliency"}
    return {"box": (w * 0.25, h * 0.2, w * 0.75, h * 0.95), "point": (w / 2, h * 0.55), "how": "centre"}
