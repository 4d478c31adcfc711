"""The CPU looks: one function per named style, ``look(v: View) -> float32 RGB 0..1``.

Building blocks: edge-preserving smoothing (bilateral, Kuwahara, mean shift), palette
quantisation with k-means palettes fixed per clip, difference-of-Gaussians ink lines,
and textures (paper, grain, strokes, dots, tiles) that are drawn in *canvas
coordinates* (see ``temporal.Follower``) so they move with the picture.
"""
from __future__ import annotations

import math
import zlib
from typing import Callable

import cv2
import numpy as np
from storyloom.engines.restyle.base import sample_indices

TEX = 512   # periodic textures are TEX x TEX and wrap around


# ---------------------------------------------------------------- per-clip state
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


# ---------------------------------------------------------------- per-frame view
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


# ---------------------------------------------------------------- building blocks
W_LUM = np.array([0.299, 0.587, 0.114], np.float32)


def lum(img: np.ndarray) -> np.ndarray:
    return img @ W_LUM


def saturate(img: np.ndarray, amount: float) -> np.ndarray:
    y = lum(img)[..., None]
    return y + (img - y) * amount


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def ink_lines(g: np.ndarray, sigma: float = 1.2, lo: float = 0.006, hi: float = 0.03) -> np.ndarray:
    """Soft ink lines (1 = ink) on the dark side of edges: a difference of Gaussians,
    ramped rather than thresholded so a line does not blink on and off between frames."""
    d = blur(g, sigma) - blur(g, sigma * 1.6)
    return smoothstep(lo, hi, -d)


def quantize(img: np.ndarray, palette: np.ndarray, softness: float = 0.0) -> np.ndarray:
    """Each pixel replaced by its nearest palette colour (in Lab). ``softness`` > 0 (Lab units)
    blends neighbouring colours at boundaries, which keeps boundaries from jittering."""
    lab = cv2.cvtColor(np.ascontiguousarray(img, np.float32), cv2.COLOR_RGB2Lab).reshape(-1, 3)
    plab = cv2.cvtColor(palette.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab).reshape(-1, 3)
    d2 = ((lab[:, None, :] - plab[None]) ** 2).sum(-1)
    if softness <= 0:
        out = palette[np.argmin(d2, axis=1)]
    else:
        d = np.sqrt(d2)
        wts = np.exp(-(d - d.min(axis=1, keepdims=True)) / softness)
        out = (wts @ palette) / wts.sum(axis=1, keepdims=True)
    return out.reshape(img.shape).astype(np.float32)


def cell_mean(img: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Every pixel replaced by the mean colour of the pixels sharing its cell id."""
    flat = ids.ravel()
    _, inv = np.unique(flat, return_inverse=True)
    cnt = np.bincount(inv).astype(np.float32)
    out = np.empty_like(img)
    for c in range(img.shape[2]):
        out[..., c] = (np.bincount(inv, weights=img[..., c].ravel()) / cnt)[inv].reshape(ids.shape)
    return out


def _hash(i: np.ndarray, j: np.ndarray, seed: int, salt: int) -> np.ndarray:
    """A deterministic value in [0, 1) per integer cell (i, j)."""
    mixin = (seed * 83492791 + salt * 2654435761) & 0x7FFFFFFF
    h = (i.astype(np.int64) * 73856093) ^ (j.astype(np.int64) * 19349663) ^ mixin
    h = (h ^ (h >> 13)) * 1274126177
    h = h ^ (h >> 16)
    return ((h & 0xFFFF).astype(np.float32)) / 65536.0


def voronoi(coords: np.ndarray, size: float, seed: int, jitter: float = 0.8):
    """Cells of a jittered grid in canvas coordinates: (cell id, distance to the cell border)."""
    q = coords / size
    ci, cj = np.floor(q[..., 0]), np.floor(q[..., 1])
    best = np.full(q.shape[:2], np.inf, np.float32)
    second = np.full(q.shape[:2], np.inf, np.float32)
    ident = np.zeros(q.shape[:2], np.int64)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            i, j = ci + di, cj + dj
            sx = i + 0.5 + (_hash(i, j, seed, 1) - 0.5) * jitter
            sy = j + 0.5 + (_hash(i, j, seed, 2) - 0.5) * jitter
            d = np.sqrt((q[..., 0] - sx) ** 2 + (q[..., 1] - sy) ** 2)
            closer = d < best
            second = np.where(closer, best, np.minimum(second, d))
            ident = np.where(closer, (i.astype(np.int64) + 100000) * 200003 + (j.astype(np.int64) + 100000), ident)
            best = np.where(closer, d, best)
    return ident, (second - best) * size * 0.5


def triangles(coords: np.ndarray, size: float, seed: int, jitter: float = 0.6) -> np.ndarray:
    """Triangle id of every pixel in a jittered triangulated grid on the canvas."""
    q = coords / size
    ci, cj = np.floor(q[..., 0]), np.floor(q[..., 1])

    def vert(i, j):
        return (i + (_hash(i, j, seed, 3) - 0.5) * jitter, j + (_hash(i, j, seed, 4) - 0.5) * jitter)

    def inside(p, a, b, c):
        def cross(o, u, v):
            return (u[0] - o[0]) * (v[1] - o[1]) - (u[1] - o[1]) * (v[0] - o[0])
        d1, d2, d3 = cross(p, a, b), cross(p, b, c), cross(p, c, a)
        neg = (d1 < -1e-6) | (d2 < -1e-6) | (d3 < -1e-6)
        pos = (d1 > 1e-6) | (d2 > 1e-6) | (d3 > 1e-6)
        return ~(neg & pos)

    p = (q[..., 0], q[..., 1])
    ident = np.full(q.shape[:2], -1, np.int64)
    for di in (0, -1, 1):
        for dj in (0, -1, 1):
            i, j = ci + di, cj + dj
            v00, v10, v01, v11 = vert(i, j), vert(i + 1, j), vert(i, j + 1), vert(i + 1, j + 1)
            flip = _hash(i, j, seed, 5) < 0.5
            base = ((i.astype(np.int64) + 100000) * 200003 + (j.astype(np.int64) + 100000)) * 2
            # the quad splits along one diagonal or the other, chosen per cell
            t1a = inside(p, v00, v10, v11) & ~flip | inside(p, v00, v10, v01) & flip
            t2a = inside(p, v00, v11, v01) & ~flip | inside(p, v10, v11, v01) & flip
            ident = np.where((ident < 0) & t1a, base, ident)
            ident = np.where((ident < 0) & t2a, base + 1, ident)
    fallback = ((ci.astype(np.int64) + 100000) * 200003 + (cj.astype(np.int64) + 100000)) * 2
    return np.where(ident < 0, fallback, ident)


def halftone(coverage: np.ndarray, coords: np.ndarray, cell: float, angle_deg: float,
             soft: float = 1.6) -> np.ndarray:
    """Ink (1) / paper (0) of a dot screen on the canvas: dot area follows ``coverage``."""
    a = math.radians(angle_deg)
    x, y = coords[..., 0], coords[..., 1]
    u = (x * math.cos(a) + y * math.sin(a)) / cell
    w = (-x * math.sin(a) + y * math.cos(a)) / cell
    r = np.sqrt((u - np.round(u)) ** 2 + (w - np.round(w)) ** 2)
    radius = np.sqrt(np.clip(coverage, 0, 1) / math.pi) * 1.05
    aa = soft / cell    # soft dot edges: sharp ones alias and shimmer as the picture moves
    return smoothstep(radius + aa, radius - aa, r) * (coverage > 0.02)


def kuwahara(img: np.ndarray, r: int = 4, q: float = 8.0) -> np.ndarray:
    """Generalised Kuwahara filter: the mean of the calmest of four quadrants around each
    pixel (softly weighted, which keeps it from switching abruptly between frames)."""
    g = lum(img)
    k = (r + 1, r + 1)
    means, wts = [], []
    for anchor in ((r, r), (0, r), (r, 0), (0, 0)):
        m = cv2.boxFilter(img, -1, k, anchor=anchor, borderType=cv2.BORDER_REFLECT)
        mg = cv2.boxFilter(g, -1, k, anchor=anchor, borderType=cv2.BORDER_REFLECT)
        mg2 = cv2.boxFilter(g * g, -1, k, anchor=anchor, borderType=cv2.BORDER_REFLECT)
        var = np.maximum(mg2 - mg * mg, 0)
        means.append(m)
        wts.append(1.0 / (1e-4 + var) ** (q / 2))
    wsum = sum(wts)
    return sum(m * (wt / wsum)[..., None] for m, wt in zip(means, wts))


def soften_chroma(img: np.ndarray, sigma: float) -> np.ndarray:
    """Blur colour but not brightness (YCrCb), as a 4:2:0 encoder needs."""
    ycc = cv2.cvtColor(np.clip(img, 0, 1).astype(np.float32), cv2.COLOR_RGB2YCrCb)
    ycc[..., 1:] = cv2.GaussianBlur(ycc[..., 1:], (0, 0), sigma)
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


def lut(x: np.ndarray, stops) -> np.ndarray:
    """Map values 0..1 through colour stops [(position, (r, g, b)), ...]."""
    pos = np.array([s[0] for s in stops], np.float32)
    cols = np.array([s[1] for s in stops], np.float32)
    return np.stack([np.interp(x, pos, cols[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def mix(a, b, t):
    return a + (b - a) * t


def paper(v: View, tint, amount: float = 0.06, feature: float = 1.2, key: str = "paper") -> np.ndarray:
    """Paper: a tint with fine fibres and coarser tooth, attached to the picture."""
    fine = v.noise(key + "-fine", feature, stretch=3.0, angle=0.3)
    coarse = v.noise(key + "-coarse", 6.0)
    tex = 1 + amount * (0.6 * fine + 0.4 * coarse)
    return np.asarray(tint, np.float32)[None, None, :] * tex[..., None]


# ---------------------------------------------------------------- the looks
def impressionist(v: View) -> np.ndarray:
    """Monet-like: the picture simplified into patches, repainted in short dabs that follow
    its forms, each dab carrying paint from a little way along it and leaning warm or cool
    (broken colour), in light, airy values on canvas."""
    base = kuwahara(v.smooth(1, 0.15), 4)
    s1 = v.strokes("dabs", length=11.0, width=3.2)
    s2 = v.strokes("smear", length=11.0, width=3.2)
    t = v.tangent()
    # smear colour along the stroke direction so dabs carry paint from their neighbours
    amt = 4.0 * s2
    mx = (np.arange(v.w, dtype=np.float32)[None, :] + amt * np.cos(t)).astype(np.float32)
    my = (np.arange(v.h, dtype=np.float32)[:, None] + amt * np.sin(t)).astype(np.float32)
    paint = cv2.remap(base, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    # broken colour: each dab pushed warm (orange) or cool (blue-violet), not random speckle
    temp = v.strokes("temperature", 11.0, 3.2)
    warm_cool = np.float32([0.06, 0.012, -0.05])[None, None, :] * np.clip(temp, -2, 2)[..., None]
    out = paint * (1 + 0.14 * s1[..., None]) + warm_cool
    out = saturate(out, 1.45)
    out = 0.08 + 0.92 * np.clip(out, 0, 1) ** 0.85       # Monet's light, airy values
    canvas = 1 + 0.04 * v.noise("weave", 0.8, stretch=2.0)
    return out * canvas[..., None]


PIGMENTS = np.array([[0.13, 0.20, 0.36], [0.80, 0.30, 0.20], [0.86, 0.70, 0.42], [0.42, 0.55, 0.40],
                     [0.93, 0.89, 0.78], [0.20, 0.18, 0.17], [0.55, 0.66, 0.72], [0.72, 0.50, 0.38],
                     [0.60, 0.22, 0.22], [0.30, 0.40, 0.55], [0.95, 0.82, 0.68], [0.45, 0.30, 0.20]], np.float32)


def ukiyo_e(v: View) -> np.ndarray:
    def inks():
        pal = v.clip.palette(8)
        # each colour of the clip moved towards the nearest traditional woodblock pigment
        d = ((pal[:, None] - PIGMENTS[None]) ** 2).sum(-1)
        return np.clip(mix(pal, PIGMENTS[d.argmin(1)], 0.55), 0, 1)
    pal = v.clip.cached("ukiyo-inks", inks)
    flat = quantize(v.smooth(3, 0.2, 9), pal, softness=1.5)
    # bokashi: a gentle gradient on top of the flat inks
    flat = flat * (1 + 0.06 * v.noise("bokashi", 20.0))[..., None]
    lines = ink_lines(lum(v.smooth(1, 0.15)), 1.3, 0.004, 0.02)
    grain = v.noise("woodgrain", 1.5, stretch=8.0, angle=0.0)
    ink = np.array([0.12, 0.11, 0.16], np.float32)
    out = flat * paper(v, (1.0, 0.96, 0.88), 0.07)
    out = out * (1 - 0.05 * np.clip(grain, 0, None))[..., None]
    return mix(out, ink, (lines * 0.95)[..., None])


def watercolour(v: View) -> np.ndarray:
    base = v.smooth(3, 0.18, 9)
    # wet bleeding: colour carried along a slow random flow so region borders wander
    disp = v.noise("bleed", 10.0, channels=2)
    mx = (np.arange(v.w, dtype=np.float32)[None, :] + 2.0 * disp[..., 0]).astype(np.float32)
    my = (np.arange(v.h, dtype=np.float32)[:, None] + 2.0 * disp[..., 1]).astype(np.float32)
    wet = cv2.remap(base, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    wet = blur(wet, 1.2)
    wet = saturate(wet, 1.15)
    # diluted pigment: lighter, transparent
    c = 1 - (1 - np.clip(wet, 0, 1)) * 0.75
    # pigment pools at the edges of washes and granulates in the paper's tooth
    edge = np.abs(lum(wet) - blur(lum(wet), 4.0))
    turb = v.noise("turbulence", 16.0)
    gran = v.noise("granulation", 1.0)
    density = 1 + 2.0 * edge + 0.15 * turb + 0.08 * gran
    c = np.clip(c, 1e-3, 1) ** density[..., None]
    return c * paper(v, (1.0, 0.99, 0.95), 0.05, key="wc-paper")


def ink_wash(v: View) -> np.ndarray:
    g = lum(v.smooth(3, 0.2, 9))
    lo, hi = v.clip.lum_quantiles((0.03, 0.97))
    g = np.clip((g - lo) / max(hi - lo, 1e-3), 0, 1)
    d = (1 - g) ** 1.3
    # graded washes: ink settles into a few tones with soft transitions
    levels = 4
    x = d * levels
    d = (np.floor(x) + smoothstep(0.35, 0.65, x - np.floor(x))) / levels
    d = np.maximum(d, 0.85 * blur(d, 2.5))             # ink bleeding into wet paper
    d = d * (1 + 0.15 * v.noise("wash", 8.0))
    lines = ink_lines(g, 1.4, 0.01, 0.05)
    dry = smoothstep(-0.6, 0.4, v.strokes("brush", length=10.0, width=1.0))
    d = np.clip(np.maximum(d, lines * (0.6 + 0.4 * dry)), 0, 1)
    ink = np.array([0.07, 0.07, 0.09], np.float32)
    return mix(paper(v, (0.95, 0.93, 0.86), 0.06, key="rice"), ink, d[..., None])


def cartoon(v: View) -> np.ndarray:
    s = v.smooth(4, 0.15, 9)
    lab = cv2.cvtColor(np.clip(s, 0, 1), cv2.COLOR_RGB2Lab)
    L = lab[..., 0] / 100.0
    levels = 5
    x = L * levels
    Lq = (np.floor(x) + smoothstep(0.42, 0.58, x - np.floor(x))) / levels
    lab[..., 0] = np.clip(Lq * 100 + 8, 0, 100)
    lab[..., 1:] *= 1.35
    out = np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 0, 1)
    lines = ink_lines(lum(v.smooth(2, 0.15)), 1.4, 0.005, 0.022)
    return out * (1 - 0.95 * lines)[..., None]


def oil_painting(v: View) -> np.ndarray:
    paint = kuwahara(v.smooth(1, 0.1), 4)
    paint = saturate(paint, 1.3)
    # impasto: a height field of strokes along the picture's edges, lit from the top left
    height = v.strokes("impasto", length=10.0, width=2.2)
    height = blur(height, 0.8)
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3)
    light = 1 + 0.06 * (-(gx + gy) / 2)
    canvas = 1 + 0.04 * v.noise("canvas", 0.7, stretch=1.0)
    warm = np.array([1.03, 1.0, 0.92], np.float32)
    return paint * (light * canvas)[..., None] * warm


def pencil_sketch(v: View) -> np.ndarray:
    g = lum(v.smooth(2, 0.1))
    # colour dodge of the picture by its blurred negative: the classic pencil-line trick
    inv = blur(1 - g, 6.0)
    dodge = np.clip(g / np.maximum(1 - inv, 1e-3), 0, 1)
    sketch = dodge ** 2.2
    dark = np.clip(1 - blur(g, 2.0), 0, 1)
    hatch1 = v.strokes("hatch1", length=14.0, width=0.9, angle=np.full_like(g, math.radians(35)))
    hatch2 = v.strokes("hatch2", length=14.0, width=0.9, angle=np.full_like(g, math.radians(-55)))
    shade = (smoothstep(0.3, 1.2, hatch1) * smoothstep(0.35, 0.75, dark)
             + smoothstep(0.3, 1.2, hatch2) * smoothstep(0.6, 0.9, dark))
    tone = sketch * (1 - 0.35 * np.clip(shade, 0, 1))
    tone = tone * (1 - 0.06 * np.clip(v.noise("tooth", 0.8), -2, 2))
    graphite = np.array([0.96, 0.96, 0.97], np.float32)
    return np.clip(tone, 0, 1)[..., None] * graphite + 0.02


def comic_halftone(v: View) -> np.ndarray:
    s = v.smooth(3, 0.15, 9)
    pal = v.clip.cached("comic-pal", lambda: np.clip(saturate(v.clip.palette(6), 1.6) * 1.1, 0, 1))
    flat = quantize(saturate(s, 1.5), pal, softness=2.0)
    flat = 0.12 + 0.88 * flat                      # printed inks never reach full black
    g = lum(s)
    # shading printed as dark dots (screen at 45 degrees), colours as flat inks
    cell = max(5.0, min(v.h, v.w) / 24)
    shade = halftone(smoothstep(0.8, 0.15, g) * 0.7, v.coords, cell, 45)
    out = flat * (1 - 0.7 * shade)[..., None] * paper(v, (1.0, 0.97, 0.88), 0.03)
    lines = ink_lines(lum(v.smooth(2, 0.15)), 1.4, 0.006, 0.025)
    return out * (1 - lines)[..., None]


def pop_art(v: View) -> np.ndarray:
    g = lum(v.smooth(3, 0.2, 9))
    q1, q2, q3 = v.clip.lum_quantiles((0.25, 0.5, 0.75))
    band = 0.06          # soft band edges: hard ones alias as the picture moves
    w1, w2, w3 = (smoothstep(q - band, q + band, g) for q in (q1, q2, q3))
    navy, pink, cyan, yellow = (np.array(c, np.float32) for c in
                                ([0.08, 0.05, 0.2], [1.0, 0.18, 0.55], [0.0, 0.78, 0.85], [1.0, 0.92, 0.1]))
    out = mix(mix(mix(navy, pink, w1[..., None]), cyan, w2[..., None]), yellow, w3[..., None])
    # Ben-Day dots in the pink and cyan bands
    dots = halftone(np.full_like(g, 0.28), v.coords, max(6.0, min(v.h, v.w) / 22), 45, soft=2.0) * (w1 * (1 - w3))
    out = mix(out, np.array([0.95, 0.95, 1.0], np.float32), (0.55 * dots)[..., None])
    lines = ink_lines(g, 1.5, 0.008, 0.04)
    return out * (1 - lines)[..., None]


def pixel_art(v: View) -> np.ndarray:
    block = max(3.0, round(min(v.h, v.w) / 45))
    ij = np.floor(v.coords / block).astype(np.int64)
    ids = (ij[..., 1] + 100000) * 200003 + ij[..., 0]
    cells = cell_mean(v.img, ids)
    pal = v.clip.cached("pixel-pal", lambda: np.clip(saturate(v.clip.palette(16), 1.3), 0, 1))
    return quantize(saturate(cells, 1.3), pal)


def film_noir(v: View) -> np.ndarray:
    g = lum(v.img)
    q = v.clip.lum_quantiles((0.05, 0.5, 0.95))
    x = (g - q[1]) / max(q[2] - q[0], 1e-3)
    tone = 1 / (1 + np.exp(-7.0 * x))               # hard S-curve: crushed blacks, bright highlights
    tone = (tone - 1 / (1 + math.exp(3.5))) / (1 / (1 + math.exp(-3.5)) - 1 / (1 + math.exp(3.5)))
    glow = blur(np.clip(tone - 0.7, 0, 1), 4.0)     # halation around the highlights
    tone = np.clip(tone + 0.4 * glow, 0, 1) * v.vignette(0.55)
    tone = tone + 0.02 * v.noise("grain", 0.8)
    return np.repeat(np.clip(tone, 0, 1)[..., None], 3, axis=2)


def vintage_film(v: View) -> np.ndarray:
    x = blur(v.img, 0.6)
    x = saturate(x, 0.6)
    x = 0.09 + 0.82 * x                              # faded: lifted blacks, dull whites
    x = x * np.array([1.08, 1.0, 0.80], np.float32) + np.array([0.0, 0.02, 0.03], np.float32)
    x = x * v.vignette(0.35)[..., None]
    grain = v.noise("grain", 0.8, channels=3) * 0.5 + v.noise("grain-mono", 0.9)[..., None]
    return x + 0.025 * grain


def cyberpunk_neon(v: View) -> np.ndarray:
    s = v.smooth(2, 0.15)
    g = lum(s)
    shadow = np.array([0.04, 0.02, 0.12], np.float32)
    mid = np.array([0.10, 0.35, 0.50], np.float32)
    high = np.array([0.80, 0.32, 0.85], np.float32)
    base = mix(mix(shadow, mid, smoothstep(0.0, 0.6, g)[..., None]), high, smoothstep(0.6, 1.0, g)[..., None])
    base = base * 0.75 + 0.15 * saturate(s, 1.5) * 0.6
    edges = ink_lines(g, 1.0, 0.008, 0.04) + ink_lines(1 - g, 1.0, 0.008, 0.04)
    warm = np.clip((s[..., 0] - s[..., 2]) * 3 + 0.5, 0, 1)[..., None]
    neon = mix(np.array([0.1, 0.95, 1.0], np.float32), np.array([1.0, 0.15, 0.75], np.float32), warm)
    e = np.clip(edges, 0, 1)[..., None] * neon
    glow = 0.6 * e + 0.6 * blur(e, 2.5) + 0.5 * blur(e, 8.0)
    return base + glow


def pastel(v: View) -> np.ndarray:
    s = v.smooth(3, 0.2, 9)
    lab = cv2.cvtColor(np.clip(s, 0, 1), cv2.COLOR_RGB2Lab)
    lab[..., 0] = 55 + 0.45 * lab[..., 0]
    lab[..., 1:] *= 0.9
    col = np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 0, 1)
    # chalk catches on the paper's tooth: strokes plus grain decide how much pigment sticks
    strokes = v.strokes("chalk", length=8.0, width=1.2)
    tooth = v.noise("tooth", 0.9)
    cover = smoothstep(-1.5, 0.5, 0.4 * strokes + 0.4 * tooth + 0.5)
    paper_c = paper(v, (0.97, 0.95, 0.92), 0.04)
    return mix(paper_c, col, (0.55 + 0.45 * cover)[..., None])


def mosaic(v: View) -> np.ndarray:
    size = max(5.0, min(v.h, v.w) / 22)
    ids, border = voronoi(v.coords, size, v.clip.seed)
    tiles = saturate(cell_mean(v.img, ids), 1.2)
    shade = 1 + 0.06 * ((ids * 2654435761) % 1000 / 1000.0 - 0.5).astype(np.float32)
    tiles = blur(tiles * shade[..., None], 0.7)
    grout = smoothstep(2.2, 0.0, border)
    return mix(tiles, np.array([0.72, 0.70, 0.66], np.float32), (0.6 * grout)[..., None])


def stained_glass(v: View) -> np.ndarray:
    """Panes cut along the picture's own colour regions (so the subject's silhouette is
    drawn in lead) and split by an irregular grid; each pane glows in its region's colour,
    made vivid (greyish panes become cathedral blue or amber by brightness), with the
    picture's dark details painted on in grisaille so a face stays a face."""
    size = max(10.0, min(v.h, v.w) / 9)
    ids, border = voronoi(v.coords, size, v.clip.seed + 7, jitter=0.9)
    s = v.smooth(3, 0.15, 9)
    # colour regions: nearest of a few clip-wide colours (fixed per clip: no flicker)
    pal = v.clip.palette(7)
    # (on a blurred copy: region boundaries then sit still instead of crawling pixel by pixel)
    lab = cv2.cvtColor(np.ascontiguousarray(blur(s, 2.0), np.float32), cv2.COLOR_RGB2Lab).reshape(-1, 3)
    plab = cv2.cvtColor(pal.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab).reshape(-1, 3)
    label = np.argmin(((lab[:, None, :] - plab[None]) ** 2).sum(-1), axis=1).reshape(v.h, v.w)
    label = cv2.medianBlur(cv2.medianBlur(label.astype(np.uint8), 5), 5)
    edge = np.zeros((v.h, v.w), np.uint8)
    edge[:, 1:] |= (label[:, 1:] != label[:, :-1]).astype(np.uint8)
    edge[1:, :] |= (label[1:, :] != label[:-1, :]).astype(np.uint8)
    region_border = cv2.distanceTransform(1 - edge, cv2.DIST_L2, 3)
    panes = ids * 16 + label
    mean = cell_mean(s, panes)
    hsv = cv2.cvtColor(np.clip(mean, 0, 1), cv2.COLOR_RGB2HSV)
    sat = hsv[..., 1]
    vivid = np.clip(saturate(mean, 1.9) * 1.1, 0, 1)
    grey = lut(lum(mean), [(0.0, (0.04, 0.07, 0.30)), (0.4, (0.12, 0.32, 0.72)), (0.75, (0.90, 0.78, 0.45)),
                           (1.0, (1.0, 0.96, 0.80))])
    glass = mix(grey, vivid, smoothstep(0.08, 0.3, sat)[..., None])
    # glass is never even: a faint streaky texture, brighter towards each pane's middle
    glass = glass * (1 + 0.07 * v.noise("glass", 2.5, stretch=2.0))[..., None]
    glass = glass * (0.85 + 0.15 * smoothstep(0.0, size * 0.4, np.minimum(border, region_border + 2)))[..., None]
    # grisaille: the picture's dark details (eyes, mouth, folds) painted on the glass
    detail = ink_lines(lum(v.smooth(1, 0.12)), 1.3, 0.01, 0.05)
    glass = glass * (1 - 0.6 * detail)[..., None]
    glass = glass + 0.18 * blur(glass, 5.0)           # light bleeding through the panes
    lead = np.maximum(smoothstep(2.8, 0.3, border), smoothstep(2.4, 0.0, region_border))
    return np.clip(glass, 0, 1) * (1 - 0.9 * lead)[..., None]


def charcoal(v: View) -> np.ndarray:
    g = lum(blur(v.smooth(1, 0.15), 1.0))
    lo, hi = v.clip.lum_quantiles((0.05, 0.95))
    g = np.clip((g - lo) / max(hi - lo, 1e-3), 0, 1)
    d = (1 - g) ** 0.9
    strokes = v.strokes("charcoal", length=12.0, width=1.5, angle=np.full_like(g, math.radians(60)))
    tooth = v.noise("tooth", 1.0)
    cover = smoothstep(0.1, 0.95, d + 0.1 * strokes + 0.08 * tooth)
    lines = ink_lines(g, 1.5, 0.01, 0.05)
    cover = np.clip(np.maximum(cover, 0.9 * lines), 0, 1)
    return mix(paper(v, (0.93, 0.91, 0.87), 0.05), np.array([0.10, 0.10, 0.11], np.float32), (0.92 * cover)[..., None])


def blueprint(v: View) -> np.ndarray:
    g = lum(v.smooth(2, 0.15))
    blue = np.array([0.06, 0.22, 0.52], np.float32)
    base = blue * (0.85 + 0.3 * g)[..., None]
    # drafting grid, printed on the drawing (so it moves with it)
    cell = 20.0
    gx = np.abs(v.coords[..., 0] / cell - np.round(v.coords[..., 0] / cell)) * cell
    gy = np.abs(v.coords[..., 1] / cell - np.round(v.coords[..., 1] / cell)) * cell
    grid = np.maximum(smoothstep(1.0, 0.2, gx), smoothstep(1.0, 0.2, gy))
    lines = np.clip(ink_lines(g, 1.0, 0.004, 0.02) + ink_lines(1 - g, 1.0, 0.004, 0.02), 0, 1)
    white = np.array([0.92, 0.96, 1.0], np.float32)
    out = mix(base, white, (0.18 * grid)[..., None])
    return mix(out, white, (0.95 * lines)[..., None]) * (1 + 0.03 * v.noise("paper", 2.0))[..., None]


IRON = [(0.0, (0.0, 0.0, 0.05)), (0.2, (0.2, 0.0, 0.45)), (0.4, (0.6, 0.0, 0.55)), (0.55, (0.85, 0.2, 0.25)),
        (0.7, (0.98, 0.5, 0.0)), (0.85, (1.0, 0.82, 0.1)), (1.0, (1.0, 1.0, 0.85))]


def thermal(v: View) -> np.ndarray:
    g = lum(blur(v.img, 2.0))
    lo, hi = v.clip.lum_quantiles((0.02, 0.98))
    heat = np.clip((g - lo) / max(hi - lo, 1e-3), 0, 1)
    return lut(heat, IRON)


def sepia(v: View) -> np.ndarray:
    g = lum(v.img)
    g = 0.06 + 0.88 * smoothstep(-0.1, 1.1, g)
    tone = lut(g, [(0.0, (0.10, 0.06, 0.03)), (0.5, (0.55, 0.40, 0.25)), (1.0, (1.0, 0.94, 0.80))])
    tone = tone * v.vignette(0.45)[..., None]
    return tone + 0.02 * v.noise("grain", 0.8)[..., None]


def technicolor(v: View) -> np.ndarray:
    x = v.img
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    # three-strip look: each dye record separated from the others, then recombined
    out = np.stack([r + 0.45 * (r - (g + b) / 2), g + 0.30 * (g - (r + b) / 2), b + 0.35 * (b - (r + g) / 2)], -1)
    out = saturate(out, 1.25)
    out = smoothstep(-0.05, 1.05, out)                  # rich contrast
    return out * np.array([1.04, 1.0, 0.94], np.float32)


def risograph(v: View) -> np.ndarray:
    x = blur(v.img, 0.8)
    pink, blue = np.array([1.0, 0.28, 0.55], np.float32), np.array([0.0, 0.47, 0.75], np.float32)
    # the blue ink takes the reds' absence, the pink the greens'
    d_blue = np.clip(1 - x[..., 0], 0, 1) ** 1.1
    d_pink = np.clip(1 - x[..., 1], 0, 1) ** 1.1 * 0.9
    # coverage with a dead zone (light tones stay clean paper), grain mostly in the mid-tones
    grain = v.noise("riso-grain", 1.4)
    cover_b = np.clip(1.3 * (d_blue - 0.15) + 0.10 * grain * smoothstep(0.1, 0.4, d_blue), 0, 1)
    # the pink drum is misregistered by a couple of pixels
    d_pink = cv2.warpAffine(d_pink, np.float32([[1, 0, 2.0], [0, 1, 1.0]]), (v.w, v.h), borderMode=cv2.BORDER_REFLECT)
    cover_p = np.clip(1.3 * (d_pink - 0.12) + 0.10 * v.noise("riso-grain2", 1.4) * smoothstep(0.1, 0.4, d_pink), 0, 1)
    out = paper(v, (0.97, 0.95, 0.90), 0.03)
    out = out * (1 - cover_b[..., None] * (1 - blue))
    out = out * (1 - cover_p[..., None] * (1 - pink))
    return out


def low_poly(v: View) -> np.ndarray:
    size = max(8.0, min(v.h, v.w) / 12)
    ids = triangles(v.coords, size, v.clip.seed)
    facets = cell_mean(v.img, ids)
    shade = 1 + 0.08 * (((ids * 2654435761) % 1000) / 1000.0 - 0.5).astype(np.float32)
    return saturate(facets, 1.15) * shade[..., None]


#: name -> (look, how much of the warped previous output to keep where the flow is sure,
#: chroma pre-filter sigma in px). Videos are stored 4:2:0 (colour at half resolution on a grid
#: fixed to the screen): sharp edges between saturated colours then crawl as the picture moves,
#: so the looks made of them get their colour (not their brightness) softened first.
LOOKS: dict[str, tuple[Callable[[View], np.ndarray], float, float]] = {
    "impressionist": (impressionist, 0.75, 0.0),
    "ukiyo-e": (ukiyo_e, 0.75, 0.0),
    "watercolour": (watercolour, 0.85, 0.0),
    "ink-wash": (ink_wash, 0.75, 0.0),
    "cartoon": (cartoon, 0.75, 0.0),
    "oil-painting": (oil_painting, 0.75, 0.0),
    "pencil-sketch": (pencil_sketch, 0.85, 0.0),
    "comic-halftone": (comic_halftone, 0.85, 1.5),
    "pop-art": (pop_art, 0.9, 2.5),
    "pixel-art": (pixel_art, 0.6, 0.0),
    "film-noir": (film_noir, 0.75, 0.0),
    "vintage-film": (vintage_film, 0.6, 0.0),
    "cyberpunk-neon": (cyberpunk_neon, 0.75, 0.0),
    "pastel": (pastel, 0.75, 0.0),
    "mosaic": (mosaic, 0.9, 1.5),
    "stained-glass": (stained_glass, 0.95, 2.5),
    "charcoal": (charcoal, 0.85, 0.0),
    "blueprint": (blueprint, 0.85, 0.0),
    "thermal": (thermal, 0.6, 0.0),
    "sepia": (sepia, 0.6, 0.0),
    "technicolor": (technicolor, 0.6, 0.0),
    "risograph": (risograph, 0.85, 0.0),
    "low-poly": (low_poly, 0.6, 0.0),
}
