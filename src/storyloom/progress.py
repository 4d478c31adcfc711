"""Progress callbacks: long work reports ``progress(fraction in [0, 1], message)`` as it goes.

    >>> no_progress(0.5, "half way")
"""
from __future__ import annotations

from typing import Callable

#: progress(fraction in [0, 1], message): engines, renders and imports call it as they work
Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str = "") -> None:
    """A progress callback that ignores everything."""
