"""Frame-rate up-conversion: in-between frames for a clip.

    >>> from storyloom.engines import resolve
    >>> resolve("interpolate").engine.NAME          # doctest: +SKIP
    'flow'
"""
from storyloom.engines.interpolate.base import FrameInterpolator, detect_cuts, output_count, plan

__all__ = ["FrameInterpolator", "detect_cuts", "output_count", "plan"]
