"""Shot detection: split a video into shots and name the transitions between them.

    >>> from storyloom.engines import resolve
    >>> resolve("shots").engine.NAME          # doctest: +SKIP
    'histogram'
"""
from storyloom.engines.shots.base import ShotDetector, ShotList, Transition

__all__ = ["ShotDetector", "ShotList", "Transition"]
