"""A clip in memory: the frames a render step takes and gives back.

    >>> import numpy as np
    >>> Clip(np.zeros((2, 4, 6, 3), np.uint8), 24.0).size
    (6, 4)
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Clip:
    """Frames in memory: uint8 (N, H, W, 3) RGB or (N, H, W, 4) RGBA, at ``fps``."""

    frames: np.ndarray
    fps: float

    def __post_init__(self) -> None:
        if self.frames.ndim != 4 or self.frames.shape[3] not in (3, 4) or self.frames.dtype != np.uint8:
            raise ValueError(f"Clip frames must be uint8 (N, H, W, 3|4), got {self.frames.dtype} {self.frames.shape}")

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)"""
        return self.frames.shape[2], self.frames.shape[1]

    def __len__(self) -> int:
        return self.frames.shape[0]


def conform(clip: Clip, n: int, fps: float, width: int, height: int) -> Clip:
    """``n`` frames of ``clip`` at ``fps`` and ``width``×``height``, each the one shown at its
    time: a step that changed the rate (interpolation) must not make the shot play slower or
    cut it short, and one that changed the size (upscaling) must fit the film's frame
    (area-averaged down, so the engine's detail is kept as sharpness, not aliasing).

    >>> conform(Clip(np.zeros((9, 4, 4, 3), np.uint8), 48.0), 5, 24.0, 2, 2).frames.shape
    (5, 2, 2, 3)
    """
    if len(clip) != n or abs(clip.fps - fps) > 1e-9:
        pick = [min(len(clip) - 1, int(round(i * clip.fps / fps))) for i in range(n)]
        clip = Clip(np.ascontiguousarray(clip.frames[pick]), fps)
    if clip.size != (width, height):
        smaller = clip.size[0] > width
        how = cv2.INTER_AREA if smaller else cv2.INTER_CUBIC
        clip = Clip(np.stack([cv2.resize(f, (width, height), interpolation=how) for f in clip.frames]), fps)
    return clip
