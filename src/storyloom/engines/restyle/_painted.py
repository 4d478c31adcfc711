"""Painted and drawn looks: impressionist, watercolour, ink wash, oil painting, pastel,
pencil sketch, charcoal. Each is ``look(v: View) -> float32 RGB 0..1``: the picture
simplified, then laid down as pigment (dabs, washes, impasto, chalk, graphite) with
strokes and paper that follow it.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from storyloom.engines.restyle._blocks import blur, ink_lines, kuwahara, lum, mix, saturate, smoothstep
from storyloom.engines.restyle._canvas import View, paper


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
