"""What a CPU look draws with: ``ClipLook`` (decided once per clip: palettes, tone
thresholds, periodic noise and brush-stroke textures) and ``View`` (one frame: the
picture, its canvas coordinates from ``temporal.Follower``, cached smoothing, edge
directions, strokes along them, vignette), plus ``paper``. Textures are sampled at
canvas coordinates, so they stay attached to the picture and do not flicker.

    >>> import numpy as np
    >>> clip = ClipLook(np.zeros((2, 16, 16, 3), np.uint8), seed=1)
    >>> clip.noise("grain", 1.0).shape
    (512, 512)
"""
from __future__ import annotations

import math
import zlib
from typing import Callable

import cv2
import numpy as np

from storyloom.engines.restyle._blocks import lum
from storyloom.engines.restyle.base import sample_indices


TEX = 512   # periodic textures are TEX x TEX and wrap around


class ClipLook:
    """What a look decides once per clip: palettes, tone thresholds, textures."""

    def __init__(self, frames: np.ndarray, seed: int = 0, sampled: bool = False):
        """``frames``: the whole clip, or (``sampled``) just its ``sample_indices`` frames."""
        self.seed = int(seed)
        self._cache: dict = {}
        n = len(frames)
        picks = np.arange(n) if sampled else np.asarray(sample_indices(n))
        h, w = frames.shape[1:3]
        step = max(1, int(math.sqrt(h * w * len(picks) / 40000)))
        self.sample = (frames[picks, ::step, ::step].reshape(-1, 3).astype(np.float32) / 255.0)

    def cached(self, key, build: Callable):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def rng(self, key: str) -> np.random.Generator:
        # crc32, not hash(): str hashes change from process to process
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])

    def palette(self, k: int) -> np.ndarray:
        """(k, 3) RGB colours: k-means (in Lab) of pixels sampled across the whole clip, so the
        same colours serve every frame and nothing flickers from palette changes."""
        def build():
            lab = cv2.cvtColor(self.sample.reshape(-1, 1, 3), cv2.COLOR_RGB2Lab).reshape(-1, 3)
            kk = min(k, max(1, len(np.unique(lab.round(), axis=0))))
            cv2.setRNGSeed(self.seed)
            crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.1)
            _, _, centres = cv2.kmeans(lab.astype(np.float32), kk, None, crit, 2, cv2.KMEANS_PP_CENTERS)
            rgb = cv2.cvtColor(centres.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_Lab2RGB).reshape(-1, 3)
            return np.clip(rgb, 0, 1)
        return self.cached(("palette", k), build)

    def lum_quantiles(self, qs) -> np.ndarray:
        """Luminance quantiles of the clip (thresholds fixed per clip)."""
        y = self.sample @ np.array([0.299, 0.587, 0.114], np.float32)
        return self.cached(("lumq", tuple(qs)), lambda: np.quantile(y, qs).astype(np.float32))

    def noise(self, key: str, feature: float, channels: int = 1, stretch: float = 1.0,
              angle: float = 0.0) -> np.ndarray:
        """A periodic TEX x TEX noise texture, zero mean and unit deviation: white noise
        blurred by a Gaussian of ``feature`` px (``stretch`` times longer along ``angle``)."""
        def build():
            white = self.rng(key).standard_normal((channels, TEX, TEX)).astype(np.float32)
            out = np.real(np.fft.ifft2(np.fft.fft2(white) * _gauss_response(feature, stretch, angle)))
            out -= out.mean(axis=(1, 2), keepdims=True)
            out /= out.std(axis=(1, 2), keepdims=True) + 1e-6
            out = np.moveaxis(out.astype(np.float32), 0, -1)
            return out[..., 0] if channels == 1 else np.ascontiguousarray(out)
        return self.cached(("noise", key, feature, channels, stretch, angle), build)

    def stroke_bank(self, key: str, length: float, width: float, k: int = 8) -> list[np.ndarray]:
        """The same white noise smeared along ``k`` directions: brush-stroke textures."""
        def build():
            white = np.fft.fft2(self.rng(key).standard_normal((TEX, TEX)).astype(np.float32))
            bank = []
            for i in range(k):
                t = np.real(np.fft.ifft2(white * _gauss_response(width, length / width, math.pi * i / k)))
                bank.append(((t - t.mean()) / (t.std() + 1e-6)).astype(np.float32))
            return bank
        return self.cached(("strokes", key, length, width, k), build)


def _gauss_response(sigma: float, stretch: float, angle: float) -> np.ndarray:
    fy = np.fft.fftfreq(TEX)[:, None]
    fx = np.fft.fftfreq(TEX)[None, :]
    u = fx * math.cos(angle) + fy * math.sin(angle)       # along the stroke
    v = -fx * math.sin(angle) + fy * math.cos(angle)
    sl, sw = sigma * stretch, sigma
    return np.exp(-2 * math.pi ** 2 * (sl ** 2 * u ** 2 + sw ** 2 * v ** 2))


class View:
    """One frame as a look sees it: the picture, its canvas coordinates and the clip."""

    def __init__(self, frame: np.ndarray, coords: np.ndarray, clip: ClipLook):
        self.img = frame.astype(np.float32) / 255.0
        self.h, self.w = frame.shape[:2]
        self.coords = coords
        self.clip = clip
        self._cache: dict = {}

    def once(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def gray(self) -> np.ndarray:
        return self.once("gray", lambda: lum(self.img))

    def smooth(self, passes: int = 2, sigma_color: float = 0.12, d: int = 7) -> np.ndarray:
        """Edge-preserving abstraction: repeated bilateral filtering."""
        def build():
            out = self.img
            for _ in range(passes):
                out = cv2.bilateralFilter(out, d, sigma_color, d)
            return out
        return self.once(("smooth", passes, sigma_color, d), build)

    def sample(self, tex: np.ndarray, scale: float = 1.0, offset=(0.0, 0.0)) -> np.ndarray:
        """A periodic texture at this frame's canvas coordinates (``scale`` px per texel)."""
        mx = self.coords[..., 0] / scale + offset[0]
        my = self.coords[..., 1] / scale + offset[1]
        return cv2.remap(tex, mx.astype(np.float32), my.astype(np.float32), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_WRAP)

    def noise(self, key: str, feature: float, channels: int = 1, stretch: float = 1.0, angle: float = 0.0):
        return self.sample(self.clip.noise(key, feature, channels, stretch, angle))

    def tangent(self, sigma: float = 3.0) -> np.ndarray:
        """Angle (radians) of the edge direction at each pixel, from the structure tensor."""
        def build():
            g = cv2.GaussianBlur(self.gray, (0, 0), 1.0)
            gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
            gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
            j11 = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
            j22 = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
            j12 = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
            return 0.5 * np.arctan2(2 * j12, j11 - j22) + math.pi / 2
        return self.once(("tangent", sigma), build)

    def strokes(self, key: str, length: float, width: float, angle: np.ndarray | None = None) -> np.ndarray:
        """Brush-stroke noise following ``angle`` (default: along the picture's edges)."""
        bank = self.clip.stroke_bank(key, length, width)
        k = len(bank)
        ang = self.tangent() if angle is None else angle
        pos = (np.mod(ang, math.pi) / (math.pi / k)).astype(np.float32)
        i0 = np.floor(pos).astype(np.int32) % k
        frac = pos - np.floor(pos)
        sampled = np.stack([self.sample(t) for t in bank])
        a = np.take_along_axis(sampled, i0[None], 0)[0]
        b = np.take_along_axis(sampled, ((i0 + 1) % k)[None], 0)[0]
        return a * (1 - frac) + b * frac

    def vignette(self, amount: float) -> np.ndarray:
        """Screen-space darkening towards the corners: 1 in the centre, 1 - amount far out."""
        def build():
            y, x = np.mgrid[0:self.h, 0:self.w].astype(np.float32)
            r2 = ((x - self.w / 2) / (self.w / 2)) ** 2 + ((y - self.h / 2) / (self.h / 2)) ** 2
            return r2
        return 1 - amount * np.clip(self.once("r2", build) / 2, 0, 1) ** 1.2


def paper(v: View, tint, amount: float = 0.06, feature: float = 1.2, key: str = "paper") -> np.ndarray:
    """Paper: a tint with fine fibres and coarser tooth, attached to the picture."""
    fine = v.noise(key + "-fine", feature, stretch=3.0, angle=0.3)
    coarse = v.noise(key + "-coarse", 6.0)
    tex = 1 + amount * (0.6 * fine + 0.4 * coarse)
    return np.asarray(tint, np.float32)[None, None, :] * tex[..., None]
