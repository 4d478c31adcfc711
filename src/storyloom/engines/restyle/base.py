"""The ``restyle`` capability: ``Restyler.restyle(frames, style, strength)``.

A backend turns a clip into the same clip in a named look (see ``catalogue``), keeping
length and size. ``strength`` blends the result with the original (0: the input
unchanged, 1: the full style). Results must not flicker: whatever is random in a look
stays attached to the picture from frame to frame.

    >>> import numpy as np
    >>> blend_strength(np.zeros((1, 2, 2, 3), np.uint8), np.full((1, 2, 2, 3), 200, np.uint8), 0.5)[0, 0, 0]
    array([100, 100, 100], dtype=uint8)
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from storyloom.engines.base import Engine, Progress, no_progress
from storyloom.engines.restyle.catalogue import StyleInfo, get_style, style_names
from storyloom.errors import BadInput


def check_frames(frames) -> np.ndarray:
    """``frames`` as uint8 (N, H, W, 3) RGB (an alpha channel is dropped), or ``BadInput``.

    >>> check_frames(np.zeros((2, 8, 8, 4), np.uint8)).shape
    (2, 8, 8, 3)
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[3] not in (3, 4) or frames.dtype != np.uint8:
        raise BadInput(f"frames: need uint8 (N, H, W, 3), got {frames.dtype} {frames.shape}")
    if len(frames) == 0:
        raise BadInput("frames: the clip has no frames")
    if frames.shape[1] < 8 or frames.shape[2] < 8:
        raise BadInput(f"frames: {frames.shape[2]}x{frames.shape[1]} is too small to restyle (need 8x8 or more)")
    return np.ascontiguousarray(frames[..., :3])


def check_strength(strength: float) -> float:
    """``strength`` as a float in 0..1, or ``BadInput``.

    >>> check_strength(1)
    1.0
    """
    try:
        s = float(strength)
    except (TypeError, ValueError):
        raise BadInput(f"strength {strength!r}: must be a number 0..1") from None
    if not 0.0 <= s <= 1.0:
        raise BadInput(f"strength {s:g}: must be 0..1")
    return s


def sample_indices(n: int, k: int = 8) -> list[int]:
    """The frames (of ``n``) from which a clip's look is decided: ``k`` spread evenly.

    >>> sample_indices(100), sample_indices(3)
    ([0, 14, 28, 42, 57, 71, 85, 99], [0, 1, 2])
    """
    return [int(i) for i in np.unique(np.linspace(0, max(n, 1) - 1, min(max(n, 1), k)).round().astype(int))]


def blend_strength(original: np.ndarray, styled: np.ndarray, strength: float) -> np.ndarray:
    """``strength`` of ``styled`` over ``original`` (uint8 in, uint8 out)."""
    if strength >= 1.0:
        return styled
    if strength <= 0.0:
        return original.copy()
    mix = original.astype(np.float32) * (1 - strength) + styled.astype(np.float32) * strength
    return np.clip(mix + 0.5, 0, 255).astype(np.uint8)


class Restyler(Engine):
    """Changes the look of a whole clip to one of the named styles."""

    CAPABILITY: ClassVar[str] = "restyle"

    def styles(self) -> list[StyleInfo]:
        """The styles this backend can render (all of the catalogue unless it says otherwise)."""
        return [get_style(n) for n in style_names()]

    def restyle(self, frames: np.ndarray, style: str, strength: float = 1.0, seed: int = 0,
                progress: Progress = no_progress) -> np.ndarray:
        """uint8 (N, H, W, 3) frames in ``style``, blended with the input by ``strength``.

        >>> from storyloom.engines import resolve
        >>> with resolve("restyle").engine() as e:                     # doctest: +SKIP
        ...     e.restyle(frames, "ukiyo-e", strength=0.8).shape
        (48, 180, 320, 3)
        """
        info = get_style(style)
        strength = check_strength(strength)
        frames = check_frames(frames)
        if strength == 0.0:   # the input unchanged: no look is decided or drawn
            return frames.copy()
        return self._restyle(frames, info, strength, seed, progress)

    def _restyle(self, frames: np.ndarray, info: StyleInfo, strength: float, seed: int,
                 progress: Progress) -> np.ndarray:
        """The backend's work, on checked ``frames`` and a ``strength`` above 0."""
        raise NotImplementedError

    def restyle_stream(self, frames, style: str, sample: np.ndarray, strength: float = 1.0, seed: int = 0,
                       progress: Progress = no_progress, total: int = 0):
        """Restyle an iterable of uint8 (H, W, 3) frames (a decoder), yielding each result.
        ``sample`` is a few frames spread over the clip (``sample_indices``), from which
        per-clip choices (palettes, thresholds) are made, so the results match
        ``restyle`` on the whole clip. At strength 0 each frame comes back as it went in
        (a copy, RGB), with nothing decided or drawn. The style and strength are checked
        at the call, before any frame is read.

            >>> picks = sample_indices(info.frames)                              # doctest: +SKIP
            >>> sample = np.stack(list(frames_by_index("clip.mp4", picks).values()))  # doctest: +SKIP
            >>> write_video("out.mp4", eng.restyle_stream(iter_frames("clip.mp4"), "sepia", sample), 24)  # doctest: +SKIP
        """
        info = get_style(style)
        strength = check_strength(strength)
        if strength == 0.0:
            return (np.array(np.asarray(f)[..., :3]) for f in frames)
        return self._restyle_stream(frames, info, sample, strength, seed, progress, total)

    def _restyle_stream(self, frames, info: StyleInfo, sample: np.ndarray, strength: float, seed: int,
                        progress: Progress, total: int):
        """The backend's streaming work, for a ``strength`` above 0. This default gathers
        the frames and calls ``_restyle``; engines that work frame by frame override it
        to hold only a few."""
        frames = check_frames(np.stack([np.asarray(f)[..., :3] for f in frames]))
        yield from self._restyle(frames, info, strength, seed, progress)
