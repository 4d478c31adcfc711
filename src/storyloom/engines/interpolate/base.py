"""The ``interpolate`` capability: ``FrameInterpolator.interpolate(frames, factor, cuts)``.

Output length is ``(N - 1) * factor + 1``: every source frame is kept at index
``i * factor`` and ``factor - 1`` in-betweens go between neighbours; the last frame is
not held. Across a cut (``i in cuts``: the cut lies between frames i-1 and i) the
in-betweens duplicate frame i-1, so no picture mixes two shots. Rates that are not whole
multiples use ``plan(n, ratio)``: the source positions k / ratio of the output frames
(engines that offer ``resample`` take them; across a cut they hold the nearer frame).

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


def plan(n: int, ratio: float) -> list[float]:
    """Source positions (frame i at i, i + f between frames i and i + 1) of the frames that
    raising ``n`` frames' rate by ``ratio`` gives: times k / ratio up to the last frame.

    >>> plan(3, 2)
    [0.0, 0.5, 1.0, 1.5, 2.0]
    >>> [round(p, 2) for p in plan(3, 2.5)]
    [0.0, 0.4, 0.8, 1.2, 1.6, 2.0]
    """
    if n <= 0:
        return []
    # the tolerance keeps the last frame when (n - 1) * ratio is whole up to rounding
    count = int(np.floor((n - 1) * ratio + 1e-6)) + 1
    return [k / ratio for k in range(count)]


def detect_cuts(frames: np.ndarray, ratio: float = 4.0, floor: float = 20.0) -> set[int]:
    """Indices i where a cut lies between frames i-1 and i: the mean absolute difference
    jumps far above the clip's median difference (and above ``floor`` grey levels).
    ``frames``: (N, H, W, 3) RGB or (N, H, W) luma.

    >>> a = np.zeros((4, 8, 8, 3), np.uint8); a[2:] = 200
    >>> detect_cuts(a)
    {2}
    """
    if len(frames) < 2:
        return set()
    # small grey frames: the check needs only the gross change
    step = max(1, frames.shape[1] // 90)
    g = frames[:, ::step, ::step].astype(np.float32)
    if g.ndim == 4:   # RGB; (N, H, W) luma is used as it is
        g = g.mean(axis=3)
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
