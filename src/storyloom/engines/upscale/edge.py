"""``edge``: CPU upscaler without weights — multi-frame iterative back-projection.

Back-projection assumes the low-resolution picture was made by area-averaging (what
cameras' binning and ``cv2.INTER_AREA`` do): each pass shrinks the estimate that way,
compares it with the input and spreads the difference back. One frame alone restores a
little detail Lanczos blurs away; neighbouring frames of a moving picture saw the same
scene at other sub-pixel offsets, so each frame is also back-projected against up to
``RADIUS`` neighbours on either side, registered by DIS optical flow (computed once per
pair on the small frames). Where the flow fails its forward-backward check (occlusions,
things appearing) a neighbour gets no say. The previous frame's result, warped onto the
current one, is the starting point, so detail keeps building up over a shot.

    >>> import numpy as np
    >>> EdgeUpscaler().upscale(np.zeros((1, 8, 8, 3), np.uint8), 2).shape
    (1, 16, 16, 3)
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from storyloom.engines.base import Progress, no_progress, register
from storyloom.engines.upscale.base import Upscaler, check_size
from storyloom.errors import BadInput

ITERATIONS = 4  # single-frame passes; gains level off after 3 on compressed input
RADIUS = 2      # neighbours each side used for multi-frame back-projection
MULTI_ITERATIONS = 3  # multi-frame passes per frame (the warped previous result carries the rest)
FLOW_TOLERANCE = 1.0  # high-res px of forward-backward flow disagreement before a neighbour is ignored
#: the largest output (in pixels) made: each output pixel needs ~450 bytes of working
#: memory (flows, warps and estimates for 4 neighbours), so 4096x2304 peaks near 4 GB,
#: while 7680x4320 would need ~15 GB
MAX_PIXELS = 4096 * 2304


def _back_project(lr: np.ndarray, scale: int, iterations: int) -> np.ndarray:
    """Lanczos, then ``iterations`` single-frame back-projection passes (float32)."""
    h, w = lr.shape[:2]
    size = (w * scale, h * scale)
    est = cv2.resize(lr, size, interpolation=cv2.INTER_LANCZOS4)
    for _ in range(iterations):
        residual = lr - cv2.resize(est, (w, h), interpolation=cv2.INTER_AREA)
        est += cv2.resize(residual, size, interpolation=cv2.INTER_CUBIC)
    return est


def _denoise(frame: np.ndarray, denoise: float) -> np.ndarray:
    # before upscaling: noise enlarged is noise harder to remove
    strength = 3 + 12 * denoise
    return cv2.fastNlMeansDenoisingColored(frame, None, strength, strength, 5, 15)


def _finish(est: np.ndarray, scale: int, sharpen: float) -> np.ndarray:
    if sharpen > 0:  # unsharp mask
        blur = cv2.GaussianBlur(est, (0, 0), 1.0 * scale / 2)
        est = est + sharpen * 1.5 * (est - blur)
    return np.clip(est + 0.5, 0, 255).astype(np.uint8)


def upscale_frame(frame: np.ndarray, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                  iterations: int = ITERATIONS) -> np.ndarray:
    """One uint8 (H, W, 3) frame, ``scale`` times larger, from that frame alone.

    >>> upscale_frame(np.zeros((4, 6, 3), np.uint8), 4).shape
    (16, 24, 3)
    """
    if denoise > 0:
        frame = _denoise(frame, denoise)
    return _finish(_back_project(frame.astype(np.float32), scale, iterations), scale, sharpen)


class _Flows:
    """DIS flows between small grey frames, computed once per ordered pair and dropped
    once the window has moved past them."""

    def __init__(self, greys: list[np.ndarray]):
        self.greys = greys
        self.local = threading.local()   # DIS objects keep per-call state: one per thread
        self.cache: dict = {}

    def dis_for_thread(self):
        dis = getattr(self.local, "dis", None)
        if dis is None:
            dis = self.local.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        return dis

    def __call__(self, i: int, j: int) -> np.ndarray:
        f = self.cache.get((i, j))
        if f is None:
            f = self.cache[(i, j)] = self.dis_for_thread().calc(self.greys[i], self.greys[j], None)
        return f

    def fill(self, pairs, pool) -> None:
        """Compute the missing flows of ``pairs`` on ``pool``'s threads."""
        todo = [p for p in pairs if p not in self.cache]
        for p, f in zip(todo, pool.map(lambda p: self.dis_for_thread().calc(self.greys[p[0]], self.greys[p[1]], None),
                                       todo)):
            self.cache[p] = f

    def forget_before(self, k: int) -> None:
        for key in [key for key in self.cache if min(key) < k]:
            del self.cache[key]


class _Window:
    """Frames pulled from an iterable as the window reaches them and dropped once it has
    passed: float copies for back-projection, greys for the flow. Memory stays a few
    frames whatever the length of the video."""

    def __init__(self, frames, denoise: float):
        self.it = iter(frames)
        self.denoise = denoise
        self.low: dict[int, np.ndarray] = {}
        self.grey: dict[int, np.ndarray] = {}
        self.loaded = 0
        self.done = False
        self.size = None

    def has(self, k: int) -> bool:
        while not self.done and self.loaded <= k:
            f = next(self.it, None)
            if f is None:
                self.done = True
                break
            f = np.ascontiguousarray(f[..., :3])
            if self.size is None:
                self.size = f.shape[:2]
            elif f.shape[:2] != self.size:
                raise ValueError(f"frame {self.loaded} is {f.shape[1]}x{f.shape[0]}, the first was "
                                 f"{self.size[1]}x{self.size[0]}")
            if self.denoise > 0:
                f = _denoise(f, self.denoise)
            self.low[self.loaded] = f.astype(np.float32)
            self.grey[self.loaded] = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
            self.loaded += 1
        return 0 <= k < self.loaded

    def forget_before(self, k: int) -> None:
        for j in [j for j in self.low if j < k]:
            del self.low[j], self.grey[j]


def upscale_frames(frames, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                   radius: int = RADIUS, iterations: int = MULTI_ITERATIONS,
                   progress: Progress = no_progress, total: int | None = None):
    """Yield each uint8 (H, W, 3) frame of ``frames`` ``scale`` times larger, using its
    neighbours (see the module docstring). ``frames`` is an array or any iterable of
    frames (a decoder): only ``2 * radius + 1`` of them are held at a time, so a long
    or large video streams through in bounded memory. ``total``: the frame count for
    progress when ``frames`` has no length.

    >>> frames = np.random.default_rng(0).integers(0, 255, (3, 8, 8, 3), dtype=np.uint8)
    >>> [f.shape for f in upscale_frames(frames, 2)]
    [(16, 16, 3), (16, 16, 3), (16, 16, 3)]
    >>> [f.shape for f in upscale_frames(iter(frames), 2)]
    [(16, 16, 3), (16, 16, 3), (16, 16, 3)]
    """
    if total is None and hasattr(frames, "__len__"):
        total = len(frames)
    win = _Window(frames, denoise)
    if not win.has(0):
        return
    h, w = win.size
    if max(h, w) < 12:   # too small for DIS flow: each frame on its own
        radius = 0
    W, H = w * scale, h * scale
    lows = win.low
    flows = _Flows(win.grey)
    grid = np.dstack(np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32)))

    def big(flow: np.ndarray) -> np.ndarray:   # a small frame's flow in high-res pixels
        return cv2.resize(flow, (W, H), interpolation=cv2.INTER_LINEAR) * scale

    prev = None
    pool = ThreadPoolExecutor(2)   # OpenCV releases the GIL: neighbours run side by side
    try:
        i = 0
        while win.has(i):
            obs = {}   # neighbour j -> (where i's estimate lands in j, where j lands in i, weights)
            near = [j for j in range(max(0, i - radius), i + radius + 1) if j != i and win.has(j)]
            flows.fill([p for j in near for p in ((i, j), (j, i))], pool)
            for j in near:
                fij, fji = big(flows(i, j)), big(flows(j, i))
                # forward-backward check in j's frame: j -> i -> j should come home
                miss = cv2.magnitude(*cv2.split(fji + cv2.remap(fij, grid + fji, None, cv2.INTER_LINEAR,
                                                                borderMode=cv2.BORDER_REPLICATE)))
                trust_big = np.exp(-(miss / FLOW_TOLERANCE) ** 2).astype(np.float32)
                trust = cv2.resize(trust_big, (w, h), interpolation=cv2.INTER_AREA)[..., None]
                # the same trust seen from frame i (0 outside j's view)
                trust_i = cv2.remap(trust_big, grid + fij, None, cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)[..., None]
                obs[j] = (grid + fji, grid + fij, trust, trust_i)
            flows.forget_before(i - radius)
            win.forget_before(i - radius)
            est = _back_project(lows[i], scale, ITERATIONS)
            if prev is not None and i - 1 in obs:   # carry the detail built up so far, where the flow can be trusted
                _, to_prev, _, trust_i = obs[i - 1]
                warped = cv2.remap(prev, to_prev, None, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
                est = trust_i * warped + (1 - trust_i) * est
            if obs:
                weight = 1.0 + sum(o[3] for o in obs.values())
                for _ in range(iterations):
                    acc = cv2.resize(lows[i] - cv2.resize(est, (w, h), interpolation=cv2.INTER_AREA), (W, H),
                                     interpolation=cv2.INTER_CUBIC)

                    def back(j, est=est):
                        in_j, from_j, trust, _ = obs[j]
                        seen = cv2.resize(cv2.remap(est, in_j, None, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE),
                                          (w, h), interpolation=cv2.INTER_AREA)
                        r = cv2.resize((lows[j] - seen) * trust, (W, H), interpolation=cv2.INTER_CUBIC)
                        return cv2.remap(r, from_j, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
                    for r in pool.map(back, list(obs)):
                        acc += r
                    est += acc / weight
            prev = est
            if total:
                progress(min(1.0, (i + 1) / total), f"frame {i + 1}/{total}")
            i += 1
            yield _finish(est, scale, sharpen)
    finally:
        pool.shutdown()


@register
class EdgeUpscaler(Upscaler):
    NAME = "edge"
    VERSION = "2"
    PRIORITY = 10
    DESCRIPTION = "multi-frame back-projection with optical flow, no weights (CPU)"

    @classmethod
    def check_output(cls, width: int, height: int, scale: int, what: str = "scale") -> tuple[int, int]:
        """``check_size``, and at most ``MAX_PIXELS`` out (the memory this method needs).

        >>> EdgeUpscaler.check_output(3840, 2160, 2)
        Traceback (most recent call last):
        ...
        storyloom.errors.BadInput: scale 2 would make 7680x4320; the edge upscaler makes at most 9.4 megapixels (e.g. 4096x2304), which a 2048x1152 input reaches at x2
        """
        ow, oh = check_size(width, height, scale, what)
        if ow * oh > MAX_PIXELS:
            side = int((MAX_PIXELS / (16 / 9)) ** 0.5)
            raise BadInput(f"{what} {scale} would make {ow}x{oh}; the edge upscaler makes at most "
                           f"{MAX_PIXELS / 1e6:.1f} megapixels (e.g. 4096x2304), which a "
                           f"{int(side * 16 / 9) // scale}x{side // scale} input reaches at x{scale}")
        return ow, oh

    def upscale(self, frames: np.ndarray, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                progress: Progress = no_progress) -> np.ndarray:
        """Every frame ``scale`` times larger; see ``upscale_frames``."""
        n, h, w = frames.shape[:3]
        ow, oh = self.check_output(w, h, scale)
        out = np.empty((n, oh, ow, 3), np.uint8)
        for i, f in enumerate(upscale_frames(np.ascontiguousarray(frames[..., :3]), scale, denoise, sharpen,
                                             progress=progress)):
            out[i] = f
        return out

    def upscale_stream(self, frames, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                       progress: Progress = no_progress, total: int | None = None):
        """Frames in, frames out, a few held at a time; see ``upscale_frames``."""
        return upscale_frames(frames, scale, denoise, sharpen, progress=progress, total=total)
