"""Alpha: premultiplying, un-premultiplying, and blending a premultiplied picture into an
opaque one with the four blend modes.

With ``S`` the layer's premultiplied colour, ``a`` its alpha (both already scaled by its
opacity) and ``D`` the opaque colour beneath, all in [0, 1]:

- normal:   ``S + D·(1 − a)``
- multiply: ``S·D + D·(1 − a)``
- screen:   ``D + S·(1 − D)``        (= S + D − S·D)
- add:      ``min(1, S + D)``

    >>> import numpy as np
    >>> unpremultiply(premultiply(np.array([[[255, 0, 0, 128]]], np.uint8))).tolist()
    [[[255, 0, 0, 128]]]
"""
from __future__ import annotations

import cv2
import numpy as np

BLENDS = ("normal", "multiply", "screen", "add")


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """uint8 RGBA straight alpha -> premultiplied (rounded); RGB passes through.

    >>> premultiply(np.array([[[255, 0, 0, 128]]], np.uint8)).tolist()
    [[[128, 0, 0, 128]]]
    """
    if rgba.shape[2] == 3:
        return rgba
    out = rgba.copy()
    a = np.repeat(rgba[:, :, 3:4], 3, axis=2)
    out[:, :, :3] = cv2.multiply(rgba[:, :, :3], a, scale=1 / 255)
    return out


def unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """Premultiplied uint8 RGBA -> straight alpha (rounded).

    >>> unpremultiply(np.array([[[64, 0, 0, 128]]], np.uint8)).tolist()
    [[[128, 0, 0, 128]]]
    """
    a = rgba[..., 3:4].astype(np.float32)
    rgb = np.where(a > 0, rgba[..., :3] * (255.0 / np.maximum(a, 1)), 0)
    return np.concatenate([np.clip(rgb + 0.5, 0, 255).astype(np.uint8), rgba[..., 3:4]], axis=-1)


def blend_into(canvas: np.ndarray, placed: np.ndarray, x0: int, y0: int,
               blend: str = "normal", opacity: float = 1.0) -> None:
    """Blend premultiplied ``placed`` (RGBA or opaque RGB) into RGB uint8 ``canvas`` in place,
    its top-left corner at (``x0``, ``y0``).

    >>> c = np.zeros((2, 2, 3), np.uint8); blend_into(c, np.full((1, 1, 4), 255, np.uint8), 1, 1)
    >>> c[1, 1].tolist(), c[0, 0].tolist()
    ([255, 255, 255], [0, 0, 0])
    """
    h, w = placed.shape[:2]
    dst = canvas[y0:y0 + h, x0:x0 + w]
    if opacity < 1.0:
        placed = cv2.convertScaleAbs(placed, alpha=max(0.0, opacity))
    if placed.shape[2] == 4:
        s = placed[:, :, :3]
        inv = np.repeat(255 - placed[:, :, 3:4], 3, axis=2)
    else:
        s, inv = placed, None
    if blend == "normal":
        if inv is None:
            dst[...] = s
        else:
            dst[...] = cv2.add(s, cv2.multiply(dst, inv, scale=1 / 255))
    elif blend == "multiply":
        sd = cv2.multiply(s, dst, scale=1 / 255)
        dst[...] = sd if inv is None else cv2.add(sd, cv2.multiply(dst, inv, scale=1 / 255))
    elif blend == "screen":
        dst[...] = cv2.add(dst, cv2.multiply(s, 255 - dst, scale=1 / 255))
    elif blend == "add":
        dst[...] = cv2.add(dst, s)
    else:
        raise ValueError(f"unknown blend mode {blend!r}")
