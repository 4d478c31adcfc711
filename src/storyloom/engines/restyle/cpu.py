"""``cpu-styles``: every named style with classic image processing, no weights.

Per clip, once: palettes (k-means), tone thresholds and textures. Per frame: the look is
drawn with its textures at canvas coordinates that follow the picture (DIS optical
flow), then blended with the previous output warped onto this frame where the flow is
reliable. Both keep the result from flickering on moving footage.

    >>> import numpy as np
    >>> clip = np.random.default_rng(0).integers(0, 255, (2, 32, 48, 3), dtype=np.uint8)
    >>> with CpuStyles() as e:
    ...     e.restyle(clip, "sepia").shape
    (2, 32, 48, 3)
"""
from __future__ import annotations

import cv2
import numpy as np

from storyloom.engines.base import Progress, register
from storyloom.engines.restyle._looks import LOOKS, ClipLook, View, soften_chroma
from storyloom.engines.restyle.base import Restyler, blend_strength
from storyloom.engines.restyle.catalogue import StyleInfo, style_names

_absent = sorted(set(style_names()) - set(LOOKS))
if _absent:   # every catalogue style must have a look here
    raise ImportError(f"cpu-styles has no look for: {', '.join(_absent)}")


@register
class CpuStyles(Restyler):
    NAME = "cpu-styles"
    VERSION = "2"   # 2: stained-glass panes follow the picture, impressionist warm/cool dabs (cached restyles re-derived)
    PRIORITY = 10
    DESCRIPTION = "23 named looks with image processing, flow-attached textures, no flicker (CPU)"

    def __init__(self, temporal: bool = True):
        #: ``temporal=False`` restyles each frame on its own (for comparison only)
        self.temporal = temporal

    def _restyle(self, frames: np.ndarray, info: StyleInfo, strength: float, seed: int,
                 progress: Progress) -> np.ndarray:
        from storyloom.engines.restyle.temporal import Follower
        look, keep, chroma = LOOKS[info.name]
        clip = ClipLook(frames, seed)
        n, h, w = frames.shape[:3]
        follow = Follower(h, w)
        out = np.empty_like(frames)
        prev = None
        for i, frame in enumerate(frames):
            follow.advance(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY))
            if self.temporal:
                coords = follow.coords()
            else:
                gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
                coords = np.stack([gx, gy], -1)
            styled = np.clip(look(View(frame, coords, clip)), 0, 1).astype(np.float32)
            if chroma:
                styled = np.clip(soften_chroma(styled, chroma), 0, 1)
            warped = follow.warp_previous(prev) if (prev is not None and self.temporal) else None
            if warped is not None:
                k = (keep * follow.confidence)[..., None]
                styled = styled * (1 - k) + warped * k
            prev = styled
            out[i] = np.clip(styled * 255 + 0.5, 0, 255).astype(np.uint8)
            progress((i + 1) / n, f"restyling ({info.name})")
        return blend_strength(frames, out, strength)
