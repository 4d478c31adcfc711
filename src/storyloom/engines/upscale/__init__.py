"""Upscaling: make frames larger (x2 or x4) and sharper, optionally denoised.

    >>> from storyloom.engines import resolve
    >>> resolve("upscale").engine.NAME          # doctest: +SKIP
    'edge'
"""
from storyloom.engines.upscale.base import MAX_SIDE, Upscaler, check_size

__all__ = ["MAX_SIDE", "Upscaler", "check_size"]
