"""``flow``: CPU motion-compensated interpolation with OpenCV DIS optical flow.

For each neighbour pair (a, b) the dense flow a -> b is computed on the grey (luma)
frames at half size and inverted for b -> a. The flow from the in-between at time t back
to each source is solved per target pixel as the fixed point ``v(p) = -t * F(p + v(p))``:
the motion *at the target pixel*, so a moving object's edge lands where it belongs. The two
warps are blended by time, weighted by consistency: where going t -> a -> (along F_ab)
misses the t -> b position (an occlusion) the other side is trusted.

DIS smears motion across an object's edge, so other motions are tried per pixel and the
one whose two warped sides agree best over a small window wins: two affine models fitted
to the flow (the dominant one, usually the camera, then the subject) and, where the motion
is long, the motion of neighbours 2-8 pixels away (DIS's patches lose a fast object's
edge while its inside is right). All of this (flow, fixed points, choice) is worked out
on luma at half size; it yields per-pixel sampling maps and weights, so each picture plane
is warped once, bicubic, at its own size.

Pictures are lists of planes, so the same code serves RGB frames (one full-size plane)
and YUV 4:2:0 frames (luma plus a half-size two-channel chroma plane): working in the
decoder's own YUV avoids two lossy colour conversions.

    >>> with FlowInterpolator() as e:                      # doctest: +SKIP
    ...     e.interpolate(frames, 2).shape
    (49, 180, 320, 3)
"""
from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, Sequence

import cv2
import numpy as np

from storyloom.engines.base import Progress, no_progress, register
from storyloom.engines.interpolate.base import FrameInterpolator, detect_cuts, output_count, plan
from storyloom.engines.interpolate.motion import (at, cached_grid, flow_to_source, make_grid,  # noqa: F401
                                                   motion_models, resize_flow, shifted, window_cost)
from storyloom.errors import BadInput

#: ... inverting the flow (b -> a from a -> b): on the yardstick one iteration does as well
#: as three (-0.02 dB) and two do worse (-0.1 dB), the iteration overshooting at motion edges
INVERSION_ITERATIONS = 1
#: motion is worked out at 1/WORK_SCALE of the picture's size
WORK_SCALE = 2
#: side of the window (work pixels) over which candidate motions are compared (yardstick
#: seeds 0-1 before encoding: 4 and 7 px cost 0.1 and 0.25 dB)
CANDIDATE_WINDOW = 5
#: neighbours' motion is tried where a motion is at least this long (work pixels, about a
#: DIS patch), from these distances: on small motion it only fits the noise (-0.1 dB on
#: the yardstick), on fast objects it mends their edges (real footage: +0.3 dB)
SPREAD_FROM = 8.0
SPREAD_STEPS = (2, 4, 8)

#: a picture: (plane, subsampling) pairs; plane (H/s, W/s) or (H/s, W/s, C) uint8, the first
#: one full-size luma or RGB
Planes = Sequence[tuple[np.ndarray, int]]


def _choose(cost: np.ndarray, c: np.ndarray, maps: tuple, candidate: tuple) -> np.ndarray:
    """Where the candidate's cost ``c`` is lower, copy its arrays into ``maps`` (in place);
    the lower cost per pixel."""
    win = cv2.compare(c, cost, cv2.CMP_LT)
    if cv2.countNonZero(win):
        for dst, src in zip(maps, candidate):
            cv2.copyTo(src, win, dst)
        return cv2.min(cost, c)
    return cost


def _spread(ha, hb, g, maps, cost, side: int) -> np.ndarray:
    """One pass trying, where the motion is long, each pixel's neighbours' maps (at
    SPREAD_STEPS in four directions); ``maps`` (ma, mb, k) updated in place; the cost."""
    ma, mb, k = maps
    for d in SPREAD_STEPS:
        for dx, dy in ((d, 0), (-d, 0), (0, d), (0, -d)):
            da, db = shifted(ma - g, dx, dy), shifted(mb - g, dx, dy)
            xa, xb = g + da, g + db
            c = window_cost(at(ha, xa), at(hb, xb), side)
            # only where the motion tried is long: a cost that does not win keeps its pixel
            c[cv2.magnitude(*cv2.split(db - da)) < SPREAD_FROM] = np.inf
            cost = _choose(cost, c, maps, (xa, xb, shifted(k, dx, dy)))
    return cost


def _warp_blend(pa: Planes, pb: Planes, ma: np.ndarray, mb: np.ndarray, k: np.ndarray,
                grid: np.ndarray) -> list[np.ndarray]:
    """Each plane pair sampled at the work-size maps ``ma``/``mb`` (scaled to the plane's
    size) and blended ``(1 - k) * a + k * b``, rounded to uint8."""
    h, w = grid.shape[:2]
    out = []
    for (a, _), (b, _) in zip(pa, pb):
        ph, pw = a.shape[:2]
        if (ph, pw) == (h, w):   # e.g. 4:2:0 chroma at the work size: the maps as they are
            xa, xb, kk = ma, mb, k
        else:
            xa, xb = _moved(ma - grid, ph, pw), _moved(mb - grid, ph, pw)
            kk = cv2.resize(k, (pw, ph))
        # bicubic keeps texture sharp (bilinear: -0.5 dB on the yardstick; Lanczos +0.05 dB
        # for twice the time)
        wa, wb = at(a, xa, cv2.INTER_CUBIC), at(b, xb, cv2.INTER_CUBIC)
        out.append(cv2.blendLinear(wa, wb, 1 - kk, kk))   # weights sum to 1: rounds, no bias
    return out


def _moved(d: np.ndarray, h: int, w: int) -> np.ndarray:
    """Sampling positions on an (h, w) picture for the displacements ``d`` of a smaller one."""
    if w * d.shape[0] == h * d.shape[1]:   # one scale for x and y: a single fused op
        return cv2.scaleAdd(cv2.resize(d, (w, h)), w / d.shape[1], cached_grid(h, w))
    return resize_flow(d, h, w) + cached_grid(h, w)


_cv_threads_lock = threading.Lock()
_cv_threads_users = [0, 0]   # callers inside, OpenCV's thread count before the first


@contextlib.contextmanager
def _single_cv_thread():
    """One OpenCV thread while the block runs (the pairs already run on our own threads),
    counted so that overlapping callers (studio jobs run on threads) restore the count
    the first one found, once the last one leaves."""
    with _cv_threads_lock:
        if _cv_threads_users[0] == 0:
            _cv_threads_users[1] = cv2.getNumThreads()
            cv2.setNumThreads(1)
        _cv_threads_users[0] += 1
    try:
        yield
    finally:
        with _cv_threads_lock:
            _cv_threads_users[0] -= 1
            if _cv_threads_users[0] == 0:
                cv2.setNumThreads(_cv_threads_users[1])


@register
class FlowInterpolator(FrameInterpolator):
    NAME = "flow"
    VERSION = "5"
    PRIORITY = 10
    DESCRIPTION = ("OpenCV DIS optical flow, solved at the target time, occlusion-aware warp, per-pixel "
                   "choice against fitted camera/subject motions and neighbours' motion (CPU)")

    def __init__(self) -> None:
        # one DIS object per thread: its calc() keeps per-call state
        self._local = threading.local()

    def _flow(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        dis = getattr(self._local, "dis", None)
        if dis is None:
            # the fast preset run down to the (half-size) work picture, with 2 variational
            # refinement passes instead of 5: on the yardstick seeds 0-1 -0.02 dB and seeds 2-3
            # +0.05 dB against the medium preset, at 40% of its time; stopping one level
            # coarser (the preset's own finest scale) costs 1 dB, no refinement 0.1-0.2 dB
            dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
            dis.setFinestScale(0)
            dis.setVariationalRefinementIterations(2)
            self._local.dis = dis
        return dis.calc(a, b, None)

    def _grid(self, h: int, w: int) -> np.ndarray:
        return cached_grid(h, w)

    def between_planes(self, pa: Planes, pb: Planes, times, ga: np.ndarray, gb: np.ndarray) -> list[list[np.ndarray]]:
        """In-betweens of two pictures given as planes (see ``Planes``) at each t in
        ``times`` (0 < t < 1), each as a list of planes; ``ga``/``gb``: the grey (luma)
        planes motion is measured on.

        >>> y = np.zeros((32, 32), np.uint8); uv = np.zeros((16, 16, 2), np.uint8)
        >>> [p.shape for p in FlowInterpolator().between_planes([(y, 1), (uv, 2)], [(y, 1), (uv, 2)], [0.5], y, y)[0]]
        [(32, 32), (16, 16, 2)]
        """
        # motion is measured and chosen at half size (DIS's finest level is half size anyway):
        # a quarter of the work, 0.03 dB less on the yardstick; only the pictures are warped
        # at their own size (4:2:0 chroma is at the work size already)
        h, w = max(1, ga.shape[0] // WORK_SCALE), max(1, ga.shape[1] // WORK_SCALE)
        ha = cv2.resize(ga, (w, h), interpolation=cv2.INTER_AREA)
        hb = cv2.resize(gb, (w, h), interpolation=cv2.INTER_AREA)
        g = self._grid(h, w)
        fab = self._flow(ha, hb)
        # the way back is the forward flow inverted (v(q) = -F_ab(q + v(q))), not a second
        # DIS run: half the flow work, and on the yardstick 0.1 dB better (DIS's backward
        # pass is the noisier one); where the inversion fails (occlusions) the check below sees it
        fba = flow_to_source(fab, 1.0, g, INVERSION_ITERATIONS)
        models = motion_models(fab, g)
        long_motion = float(np.abs(fab).max()) >= SPREAD_FROM
        px = float(ga.shape[1]) / w   # one work pixel in picture pixels
        out = []
        for t in times:
            va, vb = flow_to_source(fab, t, g), flow_to_source(fba, 1 - t, g)
            ma, mb = g + va, g + vb
            # t -> a, then along F_ab, should land where t -> b does; a miss is an occlusion
            ea = cv2.magnitude(*cv2.split(at(fab, ma) + va - vb)) * px
            eb = cv2.magnitude(*cv2.split(at(fba, mb) + vb - va)) * px
            wta = (1 - t) / (1.0 + ea * ea) + 1e-4 * (1 - t)
            wtb = t / (1.0 + eb * eb) + 1e-4 * t
            k = wtb / (wta + wtb)
            # how well the two sides agree, as a local mean: one pixel alone is too noisy to
            # choose by, and a window keeps the choice coherent over an edge
            cost = window_cost(at(ha, ma), at(hb, mb), CANDIDATE_WINDOW)
            for m in models:
                # an affine motion is smooth: its value at the target pixel is close enough
                # to its value at the source (no fixed point needed); plain time weights
                xa, xb = cv2.scaleAdd(m, -t, g), cv2.scaleAdd(m, 1 - t, g)
                c = window_cost(at(ha, xa), at(hb, xb), CANDIDATE_WINDOW)
                cost = _choose(cost, c, (ma, mb, k), (xa, xb, np.full_like(k, t)))
            if long_motion:
                _spread(ha, hb, g, (ma, mb, k), cost, CANDIDATE_WINDOW)
            out.append(_warp_blend(pa, pb, ma, mb, k, g))
        return out

    def between(self, a: np.ndarray, b: np.ndarray, times, grey=None) -> list[np.ndarray]:
        """In-betweens of uint8 RGB frames ``a`` and ``b`` at each t in ``times`` (0 < t < 1).
        ``grey``: the frames' grey versions when the caller has them.

        >>> a = np.zeros((32, 32, 3), np.uint8)
        >>> FlowInterpolator().between(a, a, [0.5])[0].shape
        (32, 32, 3)
        """
        ga, gb = grey or (cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY))
        return [p[0] for p in self.between_planes([(a, 1)], [(b, 1)], times, ga, gb)]

    def resample_planes(self, pictures: Sequence[Planes], positions: Sequence[float], cuts: set[int],
                        hold: str = "nearer", progress: Progress = no_progress,
                        emit: Optional[Callable[[int, list[np.ndarray]], None]] = None) -> list[list[np.ndarray]]:
        """Pictures at fractional source ``positions`` (frame i at i; i + f between frames i
        and i + 1): a source picture is reused as-is where a position lands on it, in-betweens
        of one pair share its flow, and across a cut (``i + 1 in cuts``) the ``hold`` frame
        ("nearer" or "earlier") is repeated instead. ``emit(index, planes)``, when given,
        gets the results in order as soon as they are ready (to encode while computing).

        >>> y = np.zeros((32, 32), np.uint8)
        >>> len(FlowInterpolator().resample_planes([[(y, 1)], [(y, 1)]], [0, 0.4, 0.8], set()))
        3
        """
        n = len(pictures)
        if n < 2:
            raise BadInput(f"frames: needs at least 2 frames, got {n}")
        groups: dict[int, list[tuple[int, float]]] = {}   # pair -> (output index, fraction)
        steps: list[tuple[int, object]] = []   # per output: ("src", i) or ("pair", i)
        for j, p in enumerate(positions):
            i = min(int(np.floor(p + 1e-6)), n - 1)
            f = float(p - i)
            if f < 1e-6 or i == n - 1:
                steps.append((j, ("src", i)))
            elif f > 1 - 1e-6:
                steps.append((j, ("src", i + 1)))
            elif i + 1 in cuts:
                keep = i if (hold == "earlier" or f < 0.5) else i + 1   # never mix two shots
                steps.append((j, ("src", keep)))
            else:
                groups.setdefault(i, []).append((j, f))
                steps.append((j, ("pair", i)))
        grey = [pic[0][0] if pic[0][0].ndim == 2 else cv2.cvtColor(pic[0][0], cv2.COLOR_RGB2GRAY)
                for pic in pictures]
        results: dict[int, list[np.ndarray]] = {}

        def pair(i: int) -> dict[int, list[np.ndarray]]:
            js, ts = zip(*groups[i])
            return dict(zip(js, self.between_planes(pictures[i], pictures[i + 1], ts, grey[i], grey[i + 1])))

        out: list[list[np.ndarray]] = []
        # outer threads for the pairs, one OpenCV thread inside each: nested pools
        # oversubscribe the cores (the machine may have only two)
        workers = max(1, min(4, os.cpu_count() or 1))
        with _single_cv_thread():
            with ThreadPoolExecutor(workers) as pool:
                pending = iter(pool.map(pair, sorted(groups)))
                done = 0
                for j, (kind, i) in steps:
                    if kind == "src":
                        planes = [p for p, _ in pictures[i]]
                    else:
                        while j not in results:
                            results.update(next(pending))
                            done += 1
                            progress(done / max(1, len(groups)), "interpolating")
                        planes = results.pop(j)
                    if emit is not None:
                        emit(j, planes)
                    else:
                        out.append(planes)
        progress(1.0, "interpolating")
        return out

    def resample(self, frames: np.ndarray, positions: Sequence[float], cuts: Optional[set[int]] = None,
                 hold: str = "nearer", progress: Progress = no_progress) -> np.ndarray:
        """uint8 RGB frames at fractional source ``positions`` (see ``resample_planes``);
        ``cuts=None`` detects cuts itself.

        >>> f = np.zeros((2, 32, 32, 3), np.uint8)
        >>> FlowInterpolator().resample(f, [0, 0.4, 0.8, 1]).shape
        (4, 32, 32, 3)
        """
        frames = self._check(frames)
        if cuts is None:
            cuts = detect_cuts(frames)
        pics = [[(f, 1)] for f in frames]
        return np.stack([p[0] for p in self.resample_planes(pics, positions, cuts, hold, progress)])

    @staticmethod
    def _check(frames) -> np.ndarray:
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
            raise BadInput(f"frames: need uint8 (N, H, W, 3), got {frames.dtype} {frames.shape}")
        if len(frames) < 2:
            raise BadInput(f"frames: needs at least 2 frames, got {len(frames)}")
        return frames

    def interpolate(self, frames: np.ndarray, factor: int, cuts: Optional[set[int]] = None,
                    progress: Progress = no_progress) -> np.ndarray:
        frames = self._check(frames)
        if not 2 <= int(factor) <= 8:
            raise BadInput(f"factor {factor}: must be 2..8")
        factor = int(factor)
        positions = plan(len(frames), factor)
        assert len(positions) == output_count(len(frames), factor)
        # across a cut the earlier frame is held (the documented rule for whole factors)
        return self.resample(frames, positions, cuts, hold="earlier", progress=progress)
