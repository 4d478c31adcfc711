"""Cut an object out of a clip: track it from a click or a box and matte it.

``cut_out`` is the one call the rest of Storyloom uses (extract a layer, replace a
background); engines implement ``Segmenter.track`` (capability ``segment``).

    >>> from storyloom.engines.cutout import cut_out
    >>> alpha = cut_out(frames, clicks=[(135, 92)])          # doctest: +SKIP
    >>> alpha.shape, alpha.dtype                              # doctest: +SKIP
    ((61, 180, 320), dtype('uint8'))
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from storyloom.engines.base import Choice, Progress, no_progress, resolve
from storyloom.engines.cutout.base import Point, Prompt, Segmenter, check_coverage, check_frames

__all__ = ["Point", "Prompt", "Segmenter", "check_coverage", "check_frames", "choose", "cut_out", "track"]


def choose(frames: np.ndarray, prompt: Prompt, engine: Optional[str] = None) -> Choice:
    """The segment engine for this prompt: ``engine`` if named, else the best available
    one that suits it (the ``people`` engine only when the prompt lands on a person)."""
    return resolve("segment", engine, inputs=(frames, prompt))


def track(frames: np.ndarray, prompt: Prompt, engine: Optional[str] = None,
          progress: Progress = no_progress) -> tuple[np.ndarray, Choice]:
    """uint8 alpha (N, H, W) and the engine choice; checks the prompt and the result.

    >>> alpha, choice = track(frames, Prompt.make(box=(96, 53, 177, 118)))   # doctest: +SKIP
    """
    frames = check_frames(frames)
    prompt.check(*frames.shape[:3])
    choice = choose(frames, prompt, engine)
    with choice.engine() as eng:
        alpha = eng.track(frames, prompt, progress)
    check_coverage(alpha, prompt)
    return alpha, choice


def cut_out(frames: np.ndarray, clicks: Iterable[Any] = (), box: Optional[Iterable[float]] = None,
            frame: int = 0, engine: Optional[str] = None, progress: Progress = no_progress) -> np.ndarray:
    """Alpha (N, H, W) uint8 of the object the clicks and/or box point at, tracked through
    ``frames`` (uint8 (N, H, W, 3|4), or one (H, W, 3|4) image → N = 1).

    ``clicks``: ``storyloom.model.Click``, ``(frame, x, y[, positive])`` or ``(x, y)`` (on
    ``frame``); ``box``: ``(x0, y0, x1, y1)`` on ``frame``. Raises ``BadInput`` for a prompt
    outside the picture or a result covering ~nothing or ~everything.

    >>> alpha = cut_out(frames, box=(96, 53, 177, 118))       # doctest: +SKIP
    >>> rgba = np.concatenate([frames, alpha[..., None]], axis=3)   # doctest: +SKIP
    """
    return track(frames, Prompt.make(clicks, box, frame), engine, progress)[0]
