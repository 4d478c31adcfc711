"""The ``interpolate`` capability: ``FrameInterpolator.interpolate(frames, factor, cuts)``.

Output length is ``(N - 1) * factor + 1``: every source frame is kept at index
``i * factor`` and ``factor - 1`` in-betweens go between neighbours; the last frame is
not held. Across a cut (``i in cuts``: the cut lies between frames i-1 and i) the
in-betweens duplicate frame i-1, so no picture mixes two shots.

    >>> output_count(5, 2)
    9
"""
from __future__ import annotations

from typing import ClassVar, Optional

import numpy as np

from storyloom.engines.base import Engine, Progress, no_progress


def output_count(n: int, factor: int) -> int:
    """Frames that interpolating ``n`` frames by ``factor`` gives.

    >>> output_count(2, 4)
    5
    """
    return (n - 1) * factor + 1 if n > 0 else 0


def detect_cuts(frames: np.ndarray, ratio: float = 4.0, floor: float = 20.0) -> set[int]:
    """Indices i where a cut lies between frames i-1 and i: the mean absolute difference
    jumps far above the clip's median difference (and above ``floor`` grey levels).

    >>> a = np.zeros((4, 8, 8, 3), np.uint8); a[2:] = 200
    >>> detect_cuts(a)
    {2}
    """
    if len(frames) < 2:
        return set()
    # small grey frames: the check needs only the gross change
    step = max(1, frames.shape[1] // 90)
    g = frames[:, ::step, ::step].astype(np.float32).mean(axis=3)
    d = np.abs(np.diff(g, axis=0)).mean(axis=(1, 2))
    med = float(np.median(d))
    return {i + 1 for i, v in enumerate(d) if v > floor and v > ratio * (med + 1.0)}


class FrameInterpolator(Engine):
    """Makes in-between frames to raise a clip's frame rate."""

    CAPABILITY: ClassVar[str] = "interpolate"

    def interpolate(self, frames: np.ndarray, factor: int, cuts: Optional[set[int]] = None,
                    progress: Progress = no_progress) -> np.ndarray:
        """``(N - 1) * factor + 1`` uint8 frames; ``cuts=None`` detects cuts itself.

        >>> from storyloom.engines import resolve
        >>> with resolve("interpolate").engine() as e:          # doctest: +SKIP
        ...     e.interpolate(frames, 2).shape[0]
        49
        """
        raise NotImplementedError
