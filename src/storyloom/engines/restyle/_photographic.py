"""Photographic looks, graded from the picture itself: film noir, vintage film,
cyberpunk neon, thermal camera, sepia, Technicolor. Each is ``look(v: View) -> float32 RGB
0..1``; grain is sampled on the canvas so it moves with the picture.
"""
from __future__ import annotations

import math

import numpy as np

from storyloom.engines.restyle._blocks import blur, ink_lines, lum, lut, mix, saturate, smoothstep
from storyloom.engines.restyle._canvas import View


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
