"""Motion helpers of the ``flow`` interpolator: pixel grids, sampling, the flow at the
target time, affine motion models fitted to a flow, matching costs and the spreading of
good motion to neighbours. Plain OpenCV/numpy functions on (H, W, 2) float32 flows.

    >>> f = np.zeros((4, 4, 2), np.float32); f[..., 0] = 2
    >>> float(flow_to_source(f, 0.5, make_grid(4, 4))[1, 1, 0])
    -1.0
"""
from __future__ import annotations

import functools

import cv2
import numpy as np

#: fixed-point iterations for the flow at the target time (gains level off after ~3)
FIXED_POINT_ITERATIONS = 3
#: RANSAC inlier distance (px) when fitting a motion model to the flow
MODEL_TOLERANCE = 0.5


def at(img: np.ndarray, where: np.ndarray, interp: int = cv2.INTER_LINEAR) -> np.ndarray:
    """``img`` sampled at the (H, W, 2) float32 positions ``where`` (edges repeated).

    >>> at(np.arange(4, dtype=np.float32).reshape(1, 4), make_grid(1, 4) + 0.5).round(1).tolist()
    [[0.5, 1.5, 2.5, 3.0]]
    """
    return cv2.remap(img, where, None, interp, borderMode=cv2.BORDER_REPLICATE)


def make_grid(h: int, w: int) -> np.ndarray:
    """(h, w, 2) float32 pixel positions (x, y).

    >>> make_grid(2, 3)[1, 2].tolist()
    [2.0, 1.0]
    """
    return np.dstack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)))


#: grids are reused read-only across calls and threads
cached_grid = functools.lru_cache(maxsize=16)(make_grid)


def resize_flow(f: np.ndarray, h: int, w: int) -> np.ndarray:
    """The flow ``f`` resized to (h, w), its vectors scaled to the new pixel size.

    >>> resize_flow(np.ones((2, 2, 2), np.float32), 4, 4)[3, 3].tolist()
    [2.0, 2.0]
    """
    if f.shape[:2] == (h, w):
        return f
    interp = cv2.INTER_AREA if h < f.shape[0] else cv2.INTER_LINEAR
    # a per-channel scalar product: about twice as fast as numpy's broadcast here
    return cv2.multiply(cv2.resize(f, (w, h), interpolation=interp), (w / f.shape[1], h / f.shape[0], 0.0, 0.0))


def flow_to_source(f: np.ndarray, s: float, grid: np.ndarray, iterations: int = FIXED_POINT_ITERATIONS) -> np.ndarray:
    """Offset from each pixel of the frame at fraction ``s`` along the flow ``f`` back to
    the source: the fixed point of ``v(p) = -s * f(p + v(p))``.

    >>> f = np.zeros((4, 4, 2), np.float32); f[..., 0] = 2
    >>> float(flow_to_source(f, 0.5, make_grid(4, 4))[1, 1, 0])
    -1.0
    """
    v = -s * f
    for _ in range(iterations):
        v = -s * at(f, grid + v)
    return v


def motion_models(f: np.ndarray, grid: np.ndarray, count: int = 2, step: int = 3) -> list[np.ndarray]:
    """Up to ``count`` affine motions fitted to the flow ``f`` (each as a dense (H, W, 2)
    flow): the dominant one by RANSAC, then the next one on what it left out.

    >>> g = make_grid(30, 40)
    >>> f = np.zeros((30, 40, 2), np.float32); f[..., 0] = 1.5; f[5:25, 5:35] = (-3, 2)
    >>> [[round(float(v), 2) + 0 for v in m[15, 20]] for m in motion_models(f, g)]
    [[1.5, 0.0], [-3.0, 2.0]]
    """
    src = grid[::step, ::step].reshape(-1, 2)
    dst = (grid + f)[::step, ::step].reshape(-1, 2)
    out = []
    for _ in range(count):
        if len(src) < 30:   # too few points left to fit a motion worth trying
            break
        m, inliers = cv2.estimateAffine2D(src, dst, ransacReprojThreshold=MODEL_TOLERANCE, maxIters=300)
        if m is None:
            break
        out.append(cv2.transform(grid.reshape(-1, 1, 2), m).reshape(grid.shape) - grid)
        rest = inliers.ravel() == 0
        src, dst = src[rest], dst[rest]
    return out


def window_cost(x: np.ndarray, y: np.ndarray, side: int) -> np.ndarray:
    """Mean over a ``side`` x ``side`` window of the absolute difference of two grey pictures.

    >>> float(window_cost(np.zeros((5, 5), np.uint8), np.full((5, 5), 4, np.uint8), 3)[2, 2])
    4.0
    """
    return cv2.blur(cv2.absdiff(x, y).astype(np.float32), (side, side))


def shifted(img: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``img`` moved by whole pixels (dx, dy), edges repeated: each pixel gets its
    neighbour's value at (x - dx, y - dy).

    >>> shifted(np.arange(3, dtype=np.float32).reshape(1, 3), 1, 0).tolist()
    [[0.0, 0.0, 1.0]]
    """
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), flags=cv2.INTER_NEAREST,
                          borderMode=cv2.BORDER_REPLICATE)
