"""Compositing: a shot's visible layers blended bottom to top at project size.

Colour is premultiplied by alpha throughout; the blend modes are ``storyloom.imaging.alpha``'s.

Each layer is placed by one affine matrix: ``fit`` scales the source into the frame about
its centre, then the keyframed transform scales uniformly, rotates counter-clockwise (as
seen on screen) and moves the centre by (x, y) project pixels from the frame centre (y grows
downwards). Only the layer's bounding box is warped and blended, in uint8 OpenCV arithmetic,
so small layers cost little.

    >>> import numpy as np
    >>> red = np.zeros((4, 4, 4), np.uint8); red[..., 0] = 255; red[..., 3] = 255
    >>> out = composite_frame(4, 4, [LayerImage(red, opacity=0.5)])
    >>> out[0, 0].tolist()
    [128, 0, 0]
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import cv2
import numpy as np

from storyloom.imaging.alpha import blend_into, premultiply


@dataclass
class LayerImage:
    """One layer's picture at one moment and how to place it.

    ``rgba`` is uint8 RGBA (straight alpha, or premultiplied when ``premultiplied``) or RGB
    (opaque). ``offset`` is where ``rgba`` sits inside the full source picture of size
    ``source_size`` (a still cropped to its visible part keeps its placement).
    """

    rgba: np.ndarray
    fit: str = "fill"
    x: float = 0.0
    y: float = 0.0
    scale: float = 1.0
    rotation: float = 0.0
    opacity: float = 1.0
    blend: str = "normal"
    premultiplied: bool = False
    offset: tuple[int, int] = (0, 0)
    source_size: Optional[tuple[int, int]] = None   # (w, h) of the uncropped source


def fit_scale(fit: str, sw: int, sh: int, w: int, h: int) -> tuple[float, float]:
    """(sx, sy) that ``fit`` applies to a ``sw``x``sh`` source in a ``w``x``h`` frame."""
    if fit == "fill":
        s = max(w / sw, h / sh)
        return s, s
    if fit == "fit":
        s = min(w / sw, h / sh)
        return s, s
    if fit == "stretch":
        return w / sw, h / sh
    return 1.0, 1.0


def layer_matrix(layer: LayerImage, width: int, height: int) -> np.ndarray:
    """2x3 matrix from source pixels (of the cropped ``rgba``) to frame pixels."""
    sw, sh = layer.source_size or (layer.rgba.shape[1], layer.rgba.shape[0])
    fx, fy = fit_scale(layer.fit, sw, sh, width, height)
    s = layer.scale
    th = math.radians(layer.rotation)
    c, si = math.cos(th), math.sin(th)
    # counter-clockwise on screen (y down): [c  s; -s c]
    a = np.array([[c * s * fx, si * s * fy], [-si * s * fx, c * s * fy]], np.float64)
    ox, oy = layer.offset
    # source centre (in cropped pixel coordinates) goes to the frame centre + (x, y);
    # OpenCV puts pixel centres on integers, so a w-pixel row spans [-0.5, w - 0.5]
    src_c = np.array([(sw - 1) / 2 - ox, (sh - 1) / 2 - oy])
    dst_c = np.array([(width - 1) / 2 + layer.x, (height - 1) / 2 + layer.y])
    t = dst_c - a @ src_c
    return np.hstack([a, t[:, None]])


def _bbox(m: np.ndarray, w: int, h: int, width: int, height: int, exact: bool):
    pts = np.array([[-.5, -.5, 1], [w - .5, -.5, 1], [-.5, h - .5, 1], [w - .5, h - .5, 1]]) @ m.T
    if exact:  # axis-aligned: the pixels whose centres fall inside the layer
        lo, hi = np.floor(pts.min(0) + 0.5 + 1e-6), np.floor(pts.max(0) + 0.5 - 1e-6) + 1
    else:      # rotated: anything touched (edges fade through the transparent border)
        lo, hi = np.floor(pts.min(0)), np.ceil(pts.max(0)) + 1
    x0, y0 = max(0, int(lo[0])), max(0, int(lo[1]))
    x1, y1 = min(width, int(hi[0])), min(height, int(hi[1]))
    return x0, y0, x1, y1


def place(layer: LayerImage, width: int, height: int):
    """The layer warped into its bounding box: (premultiplied RGBA or RGB uint8, x0, y0) or None."""
    src = layer.rgba
    if not layer.premultiplied and src.shape[2] == 4:
        src = premultiply(src)
    m = layer_matrix(layer, width, height)
    h, w = src.shape[:2]
    # axis-aligned layers cover whole pixels: sample edges by replicating, not fading to clear
    aligned = abs(m[0, 1]) < 1e-9 and abs(m[1, 0]) < 1e-9 or abs(m[0, 0]) < 1e-9 and abs(m[1, 1]) < 1e-9
    x0, y0, x1, y1 = _bbox(m, w, h, width, height, aligned)
    if x1 <= x0 or y1 <= y0:
        return None
    if np.allclose(m[:, :2], np.eye(2)) and np.allclose(m[:, 2], np.round(m[:, 2])):
        # whole-pixel move: a crop, no resampling
        tx, ty = int(round(m[0, 2])), int(round(m[1, 2]))
        out = src[y0 - ty:y1 - ty, x0 - tx:x1 - tx]
    else:
        m = m.copy()
        m[0, 2] -= x0
        m[1, 2] -= y0
        if src.shape[2] == 3:  # opaque source: give it an alpha so edges outside stay clear
            src = np.dstack([src, np.full((h, w), 255, np.uint8)])
        border = cv2.BORDER_REPLICATE if aligned else cv2.BORDER_CONSTANT
        out = cv2.warpAffine(src, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                             borderMode=border, borderValue=(0, 0, 0, 0))
    return out, x0, y0


def composite_frame(width: int, height: int, layers: Sequence[LayerImage],
                    background: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """Blend ``layers`` (bottom first) over an opaque ``background``: uint8 (height, width, 3).

    >>> blue = np.zeros((2, 2, 4), np.uint8); blue[..., 2] = blue[..., 3] = 255
    >>> composite_frame(2, 2, [LayerImage(blue)], background=(9, 9, 9))[0, 0].tolist()
    [0, 0, 255]
    """
    if any(background):
        canvas = np.empty((height, width, 3), np.uint8)
        canvas[...] = background
    else:
        canvas = np.zeros((height, width, 3), np.uint8)   # calloc: far cheaper than a fill
    for layer in layers:
        if layer.opacity <= 0:
            continue
        p = place(layer, width, height)
        if p is not None:
            blend_into(canvas, p[0], p[1], p[2], layer.blend, layer.opacity)
    return canvas
