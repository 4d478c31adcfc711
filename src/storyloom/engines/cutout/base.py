"""The ``segment`` capability: ``Segmenter.track(frames, prompt, progress) -> alpha``.

A prompt is clicks (frame, x, y, positive) and/or a box on one frame, in pixels of the
frames given. ``track`` returns one uint8 matte per frame (0 = background, 255 = object),
soft where the object's edge is (hair, motion blur, anti-aliasing).

    >>> p = Prompt.make(clicks=[(0, 10, 12)], box=None)
    >>> p.clicks[0].positive, p.frames()
    (True, [0])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterable, NamedTuple, Optional

import numpy as np

from storyloom.engines.base import Engine, Progress, no_progress
from storyloom.errors import BadInput


class Point(NamedTuple):
    """One click: ``positive`` marks the object, negative marks what is not the object."""

    frame: int
    x: float
    y: float
    positive: bool = True


def _point(c: Any, frame: int) -> Point:
    """A Point from a storyloom.model.Click, a Point, a dict or a tuple (frame, x, y[, positive])
    — or (x, y) meaning a positive click on ``frame``."""
    if isinstance(c, Point):
        return c
    if isinstance(c, dict):
        return Point(int(c.get("frame", frame)), float(c["x"]), float(c["y"]), bool(c.get("positive", True)))
    if hasattr(c, "x") and hasattr(c, "y"):
        return Point(int(getattr(c, "frame", frame)), float(c.x), float(c.y), bool(getattr(c, "positive", True)))
    t = tuple(c)
    if len(t) == 2:
        return Point(int(frame), float(t[0]), float(t[1]), True)
    if len(t) in (3, 4):
        return Point(int(t[0]), float(t[1]), float(t[2]), bool(t[3]) if len(t) == 4 else True)
    raise BadInput(f"click {c!r}: need (frame, x, y[, positive]) or (x, y)")


@dataclass(frozen=True)
class Prompt:
    """What to cut out: clicks and/or a box ``(x0, y0, x1, y1)`` on ``frame``.

    >>> Prompt.make(box=(1, 2, 30, 40), frame=3).box_frame
    3
    """

    clicks: tuple[Point, ...] = ()
    box: Optional[tuple[float, float, float, float]] = None
    box_frame: int = 0

    @classmethod
    def make(cls, clicks: Iterable[Any] = (), box: Optional[Iterable[float]] = None, frame: int = 0) -> "Prompt":
        """Normalise clicks (model ``Click``, tuples, dicts) and a box into a Prompt."""
        pts = tuple(_point(c, frame) for c in (clicks or ()))
        b = None
        if box is not None:
            b = tuple(float(v) for v in box)
            if len(b) != 4:
                raise BadInput(f"box {box!r}: need x0, y0, x1, y1")
        return cls(pts, b, int(frame))

    def frames(self) -> list[int]:
        """Frames the prompt says something about, in order."""
        found = {c.frame for c in self.clicks}
        if self.box is not None:
            found.add(self.box_frame)
        return sorted(found)

    def anchor(self) -> int:
        """The frame to start from: the box's, else the first positive click's."""
        if self.box is not None:
            return self.box_frame
        pos = [c.frame for c in self.clicks if c.positive]
        return pos[0] if pos else (self.clicks[0].frame if self.clicks else 0)

    def check(self, n: int, height: int, width: int) -> None:
        """Raise BadInput when the prompt does not fit ``n`` frames of ``width`` x ``height``.

        >>> Prompt.make(clicks=[(0, 400, 10)]).check(5, 180, 320)
        Traceback (most recent call last):
        ...
        storyloom.errors.BadInput: point (400, 10): outside the 320x180 frame
        """
        if not self.clicks and self.box is None:
            raise BadInput("cutout: give at least one point or a box")
        if self.clicks and not any(c.positive for c in self.clicks) and self.box is None:
            raise BadInput("cutout: needs a positive point or a box (only negative points given)")
        for c in self.clicks:
            if not 0 <= c.frame < n:
                raise BadInput(f"frame {c.frame}: the video has frames 0..{n - 1}")
            if not (0 <= c.x < width and 0 <= c.y < height):
                raise BadInput(f"point ({c.x:g}, {c.y:g}): outside the {width}x{height} frame")
        if self.box is not None:
            if not 0 <= self.box_frame < n:
                raise BadInput(f"frame {self.box_frame}: the video has frames 0..{n - 1}")
            x0, y0, x1, y1 = self.box
            if x1 - x0 < 1 or y1 - y0 < 1:
                raise BadInput(f"box {x0:g},{y0:g},{x1:g},{y1:g}: has no area (need x0 < x1 and y0 < y1)")
            if x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height:
                raise BadInput(f"box {x0:g},{y0:g},{x1:g},{y1:g}: outside the {width}x{height} frame")

    def scaled(self, s: float) -> "Prompt":
        """The same prompt in a frame scaled by ``s`` (for analysis at reduced size)."""
        return Prompt(tuple(Point(c.frame, c.x * s, c.y * s, c.positive) for c in self.clicks),
                      None if self.box is None else tuple(v * s for v in self.box), self.box_frame)

    def to_dict(self) -> dict:
        """Plain data, for provenance."""
        return {"clicks": [list(c) for c in self.clicks], "box": list(self.box) if self.box else None,
                "frame": self.box_frame}


def check_frames(frames: np.ndarray) -> np.ndarray:
    """``frames`` as uint8 (N, H, W, 3), RGBA reduced to RGB; BadInput otherwise."""
    frames = np.asarray(frames)
    if frames.ndim == 3 and frames.shape[2] in (3, 4):
        frames = frames[None]
    if frames.ndim != 4 or frames.shape[3] not in (3, 4) or frames.dtype != np.uint8 or len(frames) == 0:
        raise BadInput(f"frames: need uint8 (N, H, W, 3), got {frames.dtype} {frames.shape}")
    return np.ascontiguousarray(frames[..., :3])


def check_coverage(alpha: np.ndarray, prompt: Prompt, low: float = 0.002, high: float = 0.9) -> None:
    """BadInput when the matte on the prompt's frame covers ~nothing or ~everything:
    the prompt most likely landed on empty background.

    >>> check_coverage(np.zeros((1, 10, 10), np.uint8), Prompt.make(clicks=[(0, 1, 1)]))
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: cutout at point (1, 1) on frame 0: the object found covers 0.0% of the frame - nothing stands out there (a point on empty background?)
    """
    f = prompt.anchor()
    cover = float((alpha[f] >= 128).mean())
    where = (f"box {','.join(f'{v:g}' for v in prompt.box)}" if prompt.box is not None else
             "point " + "; ".join(f"({c.x:g}, {c.y:g})" for c in prompt.clicks if c.positive))
    if cover < low:
        raise BadInput(f"cutout at {where} on frame {f}: the object found covers {100 * cover:.1f}% of "
                       f"the frame - nothing stands out there (a point on empty background?)")
    if cover > high:
        raise BadInput(f"cutout at {where} on frame {f}: the object found covers {100 * cover:.0f}% of "
                       f"the frame - no object stands out from the background there")


class Segmenter(Engine):
    """Tracks one object through a clip and mattes it."""

    CAPABILITY: ClassVar[str] = "segment"

    def track(self, frames: np.ndarray, prompt: Prompt, progress: Progress = no_progress) -> np.ndarray:
        """uint8 alpha (N, H, W) for uint8 RGB ``frames`` (N, H, W, 3).

        >>> from storyloom.engines import resolve
        >>> with resolve("segment").engine() as e:              # doctest: +SKIP
        ...     e.track(frames, Prompt.make(clicks=[(0, 135, 92)])).shape
        (61, 180, 320)
        """
        raise NotImplementedError
