"""The ``upscale`` capability: ``Upscaler.upscale(frames, scale, ...) -> frames``.

    >>> check_size(1920, 1080, 2)
    (3840, 2160)
"""
from __future__ import annotations

from typing import Iterator, Optional

import numpy as np

from storyloom.engines.base import Engine, Progress, no_progress
from storyloom.errors import BadInput

#: the largest output side we write (encoders and memory both give out beyond it)
MAX_SIDE = 8192
SCALES = (2, 4)
#: frames upscaled together by the default ``upscale_stream``
STREAM_BATCH = 8


def check_size(width: int, height: int, scale: int, what: str = "scale") -> tuple[int, int]:
    """The output (width, height), or BadInput when the scale or the result is not allowed.

    >>> check_size(2560, 1440, 4)
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: scale 4 would make 10240x5760, larger than 8192x8192
    """
    if scale not in SCALES:
        raise BadInput(f"{what} {scale}: must be 2 or 4")
    ow, oh = width * scale, height * scale
    if ow > MAX_SIDE or oh > MAX_SIDE:
        raise BadInput(f"{what} {scale} would make {ow}x{oh}, larger than {MAX_SIDE}x{MAX_SIDE}")
    return ow, oh


class Upscaler(Engine):
    """Base of upscale engines."""

    CAPABILITY = "upscale"

    @classmethod
    def check_output(cls, width: int, height: int, scale: int, what: str = "scale") -> tuple[int, int]:
        """The output (width, height) this engine would make, or BadInput when it is not
        allowed (``check_size``, plus any limit of the engine's own).

        >>> Upscaler.check_output(320, 180, 2)
        (640, 360)
        """
        return check_size(width, height, scale, what)

    def upscale(self, frames: np.ndarray, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                progress: Progress = no_progress) -> np.ndarray:
        """uint8 (N, H, W, 3) -> uint8 (N, H*scale, W*scale, 3)."""
        raise NotImplementedError

    def upscale_stream(self, frames, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                       progress: Progress = no_progress, total: Optional[int] = None) -> Iterator[np.ndarray]:
        """Upscale an iterable of uint8 (H, W, 3) frames (a decoder), yielding each result,
        with only a batch of frames in memory at a time (engines with a window of their
        own override this). ``total`` is the frame count, for progress.

            >>> from storyloom.media import iter_frames, write_video       # doctest: +SKIP
            >>> write_video("big.mp4", eng.upscale_stream(iter_frames("clip.mp4"), 2), 24)  # doctest: +SKIP
        """
        batch, done = [], 0

        def run(batch):
            nonlocal done
            out = self.upscale(np.stack(batch), scale, denoise, sharpen)
            done += len(batch)
            if total:
                progress(min(1.0, done / total), f"frame {done}/{total}")
            return out
        for f in frames:
            batch.append(np.ascontiguousarray(f[..., :3]))
            if len(batch) == STREAM_BATCH:
                yield from run(batch)
                batch = []
        if batch:
            yield from run(batch)
