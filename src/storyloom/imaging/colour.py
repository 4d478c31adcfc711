"""Colour statistics and transfer in CIE Lab (Reinhard): measure a picture's look, move
another picture's colours toward it.

    >>> import numpy as np
    >>> m, s = lab_stats(np.full((2, 2, 3), 255, np.uint8))
    >>> round(m[0]), round(s[0])
    (100, 0)
"""
from __future__ import annotations

import cv2
import numpy as np

from storyloom.errors import BadInput

Vec3 = tuple[float, float, float]


def lab_stats(rgb, weight=None) -> tuple[Vec3, Vec3]:
    """Mean and standard deviation of uint8 RGB pixels (any leading shape) in CIE Lab
    (L 0–100), weighted by ``weight`` in [0, 1] (alpha) when given.

    >>> m, s = lab_stats(np.zeros((4, 4, 3), np.uint8))
    >>> m[0], s[0]
    (0.0, 0.0)
    """
    px = np.asarray(rgb, np.uint8).reshape(-1, 1, 3)
    wt = None if weight is None else np.asarray(weight, np.float64).reshape(-1)
    step = max(1, px.shape[0] // 400_000)  # a subsample is enough for two moments
    px = px[::step]
    lab = cv2.cvtColor(px.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float64)
    if wt is None:
        wt = np.ones(len(lab))
    else:
        wt = wt[::step]
    total = wt.sum()
    if total <= 1e-6:
        raise BadInput("colour statistics: the picture has no opaque pixels")
    mean = (lab * wt[:, None]).sum(0) / total
    std = np.sqrt(((lab - mean) ** 2 * wt[:, None]).sum(0) / total)
    return tuple(round(float(v), 3) for v in mean), tuple(round(float(v), 3) for v in std)


def lab_transfer(frames, mean: Vec3, std: Vec3, strength: float = 1.0):
    """Reinhard colour transfer in Lab of RGBA (or RGB) uint8 frames toward ``mean``/``std``,
    with the source statistics taken over the opaque pixels of all frames. Alpha is kept.

    >>> f = np.zeros((1, 2, 2, 4), np.uint8); f[..., 3] = 255; f[0, 0, 0, :3] = 40
    >>> out = lab_transfer(f, (60.0, 0.0, 0.0), (5.0, 1.0, 1.0))
    >>> abs(lab_stats(out[..., :3])[0][0] - 60) < 1
    True
    """
    frames = np.asarray(frames)
    rgb = frames[..., :3]
    alpha = frames[..., 3].astype(np.float32) / 255.0 if frames.shape[-1] == 4 else None
    m_src, s_src = lab_stats(rgb, None if alpha is None else alpha)
    m_src, s_src = np.array(m_src), np.array(s_src)
    # spreads are matched within limits: a flat object must not be blown up into noise
    gain = np.clip(np.array(std) / np.maximum(s_src, 1e-3), 0.5, 2.0)
    out = np.empty_like(frames)
    for i, f in enumerate(rgb):
        lab = cv2.cvtColor(f.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
        moved = (lab - m_src) * gain + np.array(mean)
        lab = lab + strength * (moved - lab)
        back = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
        out[i, ..., :3] = np.clip(back * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if frames.shape[-1] == 4:
        out[..., 3] = frames[..., 3]
    return out
