"""Temporal smoothing of a matte along the object's own motion.

A matte measured frame by frame is noisy in the fringe: each frame's estimate of a hair
strand's alpha depends on the background just behind it (and on how well the clean plate
matched there), which changes as the object moves. Where the object moves as a whole
(a similarity: shift, turn, zoom, found from corners inside its mask), the same strand
is seen in the neighbouring frames, so their mattes, aligned onto this frame, are
independent measurements of the same alpha; their weighted mean has less noise.

    >>> steps = object_motion(grays, masks, inner)            # doctest: +SKIP
    >>> smooth = smooth_along_motion(alphas, weights, steps, radius=2)   # doctest: +SKIP
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np


def object_motion(grays: list, masks: list, inner: np.ndarray) -> list:
    """Per neighbour pair, the 3x3 similarity taking frame t's object to frame t+1's (None
    where it does not move as a whole): corners inside the mask's interior (``inner``:
    the kernel it is eroded by, so background at the rim is not tracked), Lucas-Kanade
    both ways, RANSAC; most corners must agree within a pixel.

    >>> steps = object_motion(grays, masks, np.ones((5, 5), np.uint8))   # doctest: +SKIP
    >>> steps[0] @ [x, y, 1]       # where the object's point (x, y) of frame 0 is in frame 1   # doctest: +SKIP
    """
    out = []
    for t in range(len(grays) - 1):
        inside = (cv2.erode(masks[t], inner) > 0).astype(np.uint8) * 255
        m = None
        p0 = cv2.goodFeaturesToTrack(grays[t], maxCorners=200, qualityLevel=0.01, minDistance=4, mask=inside)
        if p0 is not None and len(p0) >= 8:
            p1, ok, _ = cv2.calcOpticalFlowPyrLK(grays[t], grays[t + 1], p0, None, winSize=(15, 15), maxLevel=2)
            pb, okb, _ = cv2.calcOpticalFlowPyrLK(grays[t + 1], grays[t], p1, None, winSize=(15, 15), maxLevel=2)
            ok = (ok.ravel() == 1) & (okb.ravel() == 1) & (np.linalg.norm((pb - p0).reshape(-1, 2), axis=1) < 0.5)
            if ok.sum() >= 8:
                a, inl = cv2.estimateAffinePartial2D(p0[ok], p1[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0)
                if a is not None and inl is not None and inl.sum() >= max(8, 0.6 * ok.sum()):
                    m = np.vstack([a, [0, 0, 1]])
        out.append(m)
    return out


def chain_motion(steps: list, t: int, s: int) -> Optional[np.ndarray]:
    """3x3 map from frame t's coordinates to frame s's, chained through the per-frame
    ``steps`` (None where a step is unknown, which breaks the chain)."""
    m = np.eye(3)
    for i in range(min(t, s), max(t, s)):
        if steps[i] is None:
            return None
        m = steps[i] @ m
    return m if s > t else np.linalg.inv(m)


def smooth_along_motion(alphas: list, weights: list, steps: list, radius: int,
                        far_radius: int = 0, enough: float = 1.0) -> list:
    """Each frame's matte replaced by the weighted mean of the mattes of frames within
    ``radius``, aligned onto it by the object's motion (``steps``); ``weights``: per frame,
    how much each pixel's estimate is trusted. Where those frames hold less than
    ``enough`` weight in all (the object's colour is the background's there, so alpha was
    barely measurable), frames out to ``far_radius`` are taken in as well. Frames the
    motion cannot be chained to are left out, so with no motion found every matte stays
    as it was.

    >>> a = [np.full((4, 4), v, np.float32) for v in (0.2, 0.4, 0.6)]
    >>> eye = np.eye(3)
    >>> out = smooth_along_motion(a, [np.ones((4, 4), np.float32)] * 3, [eye, eye], 1)
    >>> [round(float(o[0, 0]), 2) for o in out]
    [0.3, 0.4, 0.5]
    """
    n = len(alphas)
    h, w = alphas[0].shape
    far_radius = max(far_radius, radius)
    out = []
    for t in range(n):
        num = alphas[t] * weights[t]
        den = weights[t].copy()
        num_far, den_far = num.copy(), den.copy()
        for d in range(1, far_radius + 1):
            for s in (t - d, t + d):
                if not 0 <= s < n:
                    continue
                m = chain_motion(steps, t, s)
                if m is None:
                    continue
                a = m[:2]
                # cubic: bilinear resampling would smear one-pixel strands over their neighbours
                wa = cv2.warpAffine(alphas[s], a, (w, h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)
                ww = cv2.warpAffine(weights[s], a, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)
                if d <= radius:
                    num += wa * ww
                    den += ww
                num_far += wa * ww
                den_far += ww
        near = np.where(den > 1e-6, num / np.maximum(den, 1e-6), alphas[t])
        far = np.where(den_far > 1e-6, num_far / np.maximum(den_far, 1e-6), alphas[t])
        use_far = den < enough
        out.append(np.clip(np.where(use_far, far, near), 0, 1).astype(np.float32))
    return out
