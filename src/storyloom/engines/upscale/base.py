"""The ``upscale`` capability: ``Upscaler.upscale(frames, scale, ...) -> frames``.

    >>> check_size(1920, 1080, 2)
    (3840, 2160)
"""
from __future__ import annotations

import numpy as np

from storyloom.engines.base import Engine, Progress, no_progress
from storyloom.errors import BadInput

#: the largest output side we write (encoders and memory both give out beyond it)
MAX_SIDE = 8192
SCALES = (2, 4)


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

    def upscale(self, frames: np.ndarray, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                progress: Progress = no_progress) -> np.ndarray:
        """uint8 (N, H, W, 3) -> uint8 (N, H*scale, W*scale, 3)."""
        raise NotImplementedError
