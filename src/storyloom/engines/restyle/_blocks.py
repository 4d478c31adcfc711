"""Pixel building blocks of the CPU looks: brightness, saturation, soft thresholds, blurs,
colour stops, palette quantisation, ink lines and edge-preserving (Kuwahara) smoothing.
Plain float32 RGB 0..1 arrays in and out.

    >>> import numpy as np
    >>> float(smoothstep(0.0, 1.0, np.float32(0.5)))
    0.5
"""
from __future__ import annotations

import cv2
import numpy as np


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


def mix(a, b, t):
    return a + (b - a) * t


def lut(x: np.ndarray, stops) -> np.ndarray:
    """Map values 0..1 through colour stops [(position, (r, g, b)), ...]."""
    pos = np.array([s[0] for s in stops], np.float32)
    cols = np.array([s[1] for s in stops], np.float32)
    return np.stack([np.interp(x, pos, cols[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def soften_chroma(img: np.ndarray, sigma: float) -> np.ndarray:
    """Blur colour but not brightness (YCrCb), as a 4:2:0 encoder needs."""
    ycc = cv2.cvtColor(np.clip(img, 0, 1).astype(np.float32), cv2.COLOR_RGB2YCrCb)
    ycc[..., 1:] = cv2.GaussianBlur(ycc[..., 1:], (0, 0), sigma)
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


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


def cell_mean(img: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Every pixel replaced by the mean colour of the pixels sharing its cell id."""
    flat = ids.ravel()
    _, inv = np.unique(flat, return_inverse=True)
    cnt = np.bincount(inv).astype(np.float32)
    out = np.empty_like(img)
    for c in range(img.shape[2]):
        out[..., c] = (np.bincount(inv, weights=img[..., c].ravel()) / cnt)[inv].reshape(ids.shape)
    return out
