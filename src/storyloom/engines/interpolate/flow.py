"""``flow``: CPU motion-compensated interpolation with OpenCV DIS optical flow.

For each neighbour pair (a, b) the dense flow a -> b is computed on grey frames (each
frame converted once) and inverted for b -> a. The flow from the in-between at time t
back to each source is solved per target pixel as the fixed point ``v(p) = -t * F(p + v(p))``
(a few iterations): the motion *at the target pixel*, so a moving object's edge lands
where it belongs instead of where the source had it. The two bicubic warps are blended
by time, weighted by consistency: where going t -> a -> (along F_ab) misses the t -> b
position (an occlusion) the other side is trusted. DIS smears motion across an object's
edge (and over fine hair), so two affine motion models are also fitted to the flow (the
dominant one, usually the camera, then one for what it leaves out, usually the moving
subject); each gives a candidate picture, and per pixel the candidate whose two warped
sides agree best over a 9x9 window wins. Pairs run on a small thread pool (OpenCV
releases the GIL).

    >>> with FlowInterpolator() as e:                      # doctest: +SKIP
    ...     e.interpolate(frames, 2).shape
    (49, 180, 320, 3)
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import cv2
import numpy as np

from storyloom.engines.base import Progress, no_progress, register
from storyloom.engines.interpolate.base import FrameInterpolator, detect_cuts, output_count
from storyloom.errors import BadInput

#: fixed-point iterations for the flow at the target time (gains level off after ~3)
FIXED_POINT_ITERATIONS = 3
#: side of the window over which candidate pictures are compared (yardstick seeds 0-1 before
#: encoding: 3 px cost 0.3 dB, 13 px 0.1 dB)
CANDIDATE_WINDOW = 9
#: RANSAC inlier distance (px) when fitting a motion model to the flow
MODEL_TOLERANCE = 0.5


def _at(img: np.ndarray, where: np.ndarray, interp: int = cv2.INTER_LINEAR) -> np.ndarray:
    """``img`` sampled at the (H, W, 2) float32 positions ``where``."""
    return cv2.remap(img, where, None, interp, borderMode=cv2.BORDER_REPLICATE)


def flow_to_source(f: np.ndarray, s: float, grid: np.ndarray, iterations: int = FIXED_POINT_ITERATIONS) -> np.ndarray:
    """Offset from each pixel of the frame at fraction ``s`` along the flow ``f`` back to
    the source: the fixed point of ``v(p) = -s * f(p + v(p))``.

    >>> f = np.zeros((4, 4, 2), np.float32); f[..., 0] = 2
    >>> g = np.dstack(np.meshgrid(np.arange(4, dtype=np.float32), np.arange(4, dtype=np.float32)))
    >>> float(flow_to_source(f, 0.5, g)[1, 1, 0])
    -1.0
    """
    v = -s * f
    for _ in range(iterations):
        v = -s * _at(f, grid + v)
    return v


def motion_models(f: np.ndarray, grid: np.ndarray, count: int = 2, step: int = 3) -> list[np.ndarray]:
    """Up to ``count`` affine motions fitted to the flow ``f`` (each as a dense (H, W, 2)
    flow): the dominant one by RANSAC, then the next one on what it left out.

    >>> g = np.dstack(np.meshgrid(np.arange(40, dtype=np.float32), np.arange(30, dtype=np.float32)))
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


def _disagreement(x: np.ndarray, y: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    """Mean over a ``box`` window of the grey absolute difference of two uint8 RGB pictures."""
    return cv2.blur(cv2.cvtColor(cv2.absdiff(x, y), cv2.COLOR_RGB2GRAY).astype(np.float32), box)


@register
class FlowInterpolator(FrameInterpolator):
    NAME = "flow"
    VERSION = "3"
    PRIORITY = 10
    DESCRIPTION = ("OpenCV DIS optical flow, solved at the target time, occlusion-aware bicubic warp, "
                   "per-pixel choice against fitted camera/subject motions (CPU)")

    def __init__(self) -> None:
        # one DIS object per thread: its calc() keeps per-call state
        self._local = threading.local()
        self._grids: dict = {}

    def _flow(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        dis = getattr(self._local, "dis", None)
        if dis is None:
            # the medium preset: half-resolution flow or the fast preset cost 0.6 dB on the yardstick
            dis = self._local.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        return dis.calc(a, b, None)

    def _grid(self, h: int, w: int) -> np.ndarray:
        g = self._grids.get((h, w))
        if g is None:
            g = self._grids[(h, w)] = np.dstack(np.meshgrid(np.arange(w, dtype=np.float32),
                                                            np.arange(h, dtype=np.float32)))
        return g

    def between(self, a: np.ndarray, b: np.ndarray, times, grey=None) -> list[np.ndarray]:
        """In-betweens of uint8 RGB frames ``a`` and ``b`` at each t in ``times`` (0 < t < 1).
        ``grey``: the frames' grey versions when the caller has them.

        >>> a = np.zeros((32, 32, 3), np.uint8)
        >>> FlowInterpolator().between(a, a, [0.5])[0].shape
        (32, 32, 3)
        """
        ga, gb = grey or (cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY))
        g = self._grid(*ga.shape)
        fab = self._flow(ga, gb)
        # the way back is the forward flow inverted (v(q) = -F_ab(q + v(q))), not a second
        # DIS run: half the flow work, and on the yardstick 0.1 dB better (DIS's backward
        # pass is the noisier one); where the inversion fails (occlusions) the check below sees it
        fba = flow_to_source(fab, 1.0, g)
        models = motion_models(fab, g)
        box = (CANDIDATE_WINDOW, CANDIDATE_WINDOW)
        out = []
        for t in times:
            va, vb = flow_to_source(fab, t, g), flow_to_source(fba, 1 - t, g)
            ma, mb = g + va, g + vb
            # t -> a, then along F_ab, should land where t -> b does; a miss is an occlusion
            ea = cv2.magnitude(*cv2.split(_at(fab, ma) + va - vb))
            eb = cv2.magnitude(*cv2.split(_at(fba, mb) + vb - va))
            wta = (1 - t) / (1.0 + ea * ea) + 1e-4 * (1 - t)
            wtb = t / (1.0 + eb * eb) + 1e-4 * t
            wa = _at(a, ma, cv2.INTER_CUBIC)   # bicubic keeps texture sharp
            wb = _at(b, mb, cv2.INTER_CUBIC)
            k = (wtb / (wta + wtb))[..., None]
            best = wa + k * (wb.astype(np.float32) - wa)
            # how well the two sides agree, as a local mean: one pixel alone is too noisy to
            # choose by, and a window keeps the choice coherent over an edge
            cost = _disagreement(wa, wb, box)
            for m in models:
                # an affine motion is smooth: its value at the target pixel is close enough
                # to its value at the source (no fixed point needed)
                ca = _at(a, g - t * m, cv2.INTER_CUBIC)
                cb = _at(b, g + (1 - t) * m, cv2.INTER_CUBIC)
                c = _disagreement(ca, cb, box)
                win = c < cost
                if win.any():
                    blend = cv2.addWeighted(ca, 1 - t, cb, t, 0, dtype=cv2.CV_32F)
                    best = np.where(win[..., None], blend, best)
                    cost = np.minimum(cost, c)
            out.append(np.clip(best + 0.5, 0, 255).astype(np.uint8))
        return out

    def interpolate(self, frames: np.ndarray, factor: int, cuts: Optional[set[int]] = None,
                    progress: Progress = no_progress) -> np.ndarray:
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
            raise BadInput(f"frames: need uint8 (N, H, W, 3), got {frames.dtype} {frames.shape}")
        if len(frames) < 2:
            raise BadInput(f"frames: needs at least 2 frames, got {len(frames)}")
        if not 2 <= int(factor) <= 8:
            raise BadInput(f"factor {factor}: must be 2..8")
        factor = int(factor)
        if cuts is None:
            cuts = detect_cuts(frames)
        n = len(frames)
        out = np.empty((output_count(n, factor),) + frames.shape[1:], np.uint8)
        out[::factor] = frames
        times = [k / factor for k in range(1, factor)]
        grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]

        def pair(i: int) -> int:
            if i + 1 in cuts:
                mids = [frames[i]] * (factor - 1)   # never mix two shots: hold the earlier one
            else:
                mids = self.between(frames[i], frames[i + 1], times, (grey[i], grey[i + 1]))
            out[i * factor + 1:(i + 1) * factor] = mids
            return i

        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(workers) as pool:
            for done, _ in enumerate(pool.map(pair, range(n - 1)), 1):
                progress(done / (n - 1), "interpolating")
        return out
