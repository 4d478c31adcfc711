"""Global motion: what the camera did between two pictures, and what moved otherwise.

    >>> import numpy as np
    >>> m = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    >>> affine_field(m, 2, 3)[1, 2].tolist()
    [2.0, -1.0]
"""
from __future__ import annotations

import cv2
import numpy as np


def affine_field(m: np.ndarray, h: int, w: int) -> np.ndarray:
    """(h, w, 2) float32 displacement of every pixel under the 2x3 matrix ``m``: where
    ``m`` moves pixel (x, y), minus (x, y)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.dstack([m[0, 0] * xx + m[0, 1] * yy + m[0, 2] - xx,
                      m[1, 0] * xx + m[1, 1] * yy + m[1, 2] - yy]).astype(np.float32)


def motion_residual(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel flow from RGB ``a`` to ``b`` left after removing the camera's motion (a
    similarity transform fitted with RANSAC to Farneback flow), in pixels.

    >>> still = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    >>> float(motion_residual(still, still).max()) < 0.5
    True
    """
    ga, gb = (cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_RGB2GRAY) for x in (a, b))
    flow = cv2.calcOpticalFlowFarneback(ga, gb, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    h, w = ga.shape
    ys, xs = np.mgrid[0:h:4, 0:w:4]
    src = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(src, src + flow[ys.ravel(), xs.ravel()], method=cv2.RANSAC,
                                       ransacReprojThreshold=1.0)
    if m is None:
        return np.zeros((h, w), np.float32)
    return np.linalg.norm(flow - affine_field(m, h, w), axis=2)
