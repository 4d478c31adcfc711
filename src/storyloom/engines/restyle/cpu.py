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
from storyloom.engines.restyle._blocks import soften_chroma
from storyloom.engines.restyle._canvas import ClipLook, View
from storyloom.engines.restyle._looks import LOOKS
from storyloom.engines.restyle.base import Restyler, blend_strength, check_frames
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
        out = np.empty_like(frames)
        for i, f in enumerate(self._frames(frames, info, ClipLook(frames, seed), progress, len(frames))):
            out[i] = f
        return blend_strength(frames, out, strength)

    def _restyle_stream(self, frames, info: StyleInfo, sample: np.ndarray, strength: float, seed: int,
                        progress: Progress, total: int):
        """Frame by frame from an iterable (a decoder), one frame in memory at a time; the
        same pixels as ``restyle`` on the whole clip when ``sample`` holds its
        ``sample_indices`` frames."""
        clip = ClipLook(check_frames(sample), seed, sampled=True)

        def originals():
            for f in frames:
                f = np.ascontiguousarray(np.asarray(f)[..., :3])
                keep.append(f)
                yield f
        keep: list = []
        for styled in self._frames(originals(), info, clip, progress, total):
            original = keep.pop(0)
            yield blend_strength(original, styled, strength)

    def _frames(self, frames, info: StyleInfo, clip: ClipLook, progress: Progress, total: int):
        """Each frame of ``frames`` (any iterable) in the look, uint8, without flicker."""
        from storyloom.engines.restyle.temporal import Follower
        look, keep, chroma = LOOKS[info.name]
        follow = None
        prev = None
        for i, frame in enumerate(frames):
            h, w = frame.shape[:2]
            if follow is None:
                follow = Follower(h, w)
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
            if total:
                progress(min(1.0, (i + 1) / total), f"restyling ({info.name})")
            yield np.clip(styled * 255 + 0.5, 0, 255).astype(np.uint8)
