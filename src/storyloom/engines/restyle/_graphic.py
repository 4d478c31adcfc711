"""Graphic and print looks: woodblock, cel cartoon, comic halftone, pop art, pixel art,
mosaic, stained glass, blueprint, risograph, low-poly. Each is ``look(v: View) -> float32
RGB 0..1``: flat colours from clip-wide palettes or tilings on the canvas, with ink lines.
"""
from __future__ import annotations

import cv2
import numpy as np

from storyloom.engines.restyle._blocks import (blur, cell_mean, ink_lines, lum, lut, mix, quantize, saturate,
                                               smoothstep)
from storyloom.engines.restyle._canvas import View, paper
from storyloom.engines.restyle._tiles import halftone, triangles, voronoi


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
