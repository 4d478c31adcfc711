"""The ``shots`` capability: ``ShotDetector.detect(path) -> ShotList``.

A ``ShotList`` serialises to DESIGN §3's shots.json: frames counted from 0, a cut is
``start`` -> ``end = start + 1`` (the boundary between those frames), a gradual
transition covers ``start..end`` inclusive.

    >>> sl = ShotList.from_transitions(24.0, 24, [Transition("cut", 11, 12)])
    >>> sl.shots
    [(0, 11), (12, 23)]
    >>> sl.to_json()["transitions"]
    [{'kind': 'cut', 'start': 11, 'end': 12}]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from storyloom.engines.base import Engine, Progress, no_progress

KINDS = ("cut", "dissolve", "fade", "wipe")


@dataclass(frozen=True)
class Transition:
    kind: str   # cut | dissolve | fade | wipe
    start: int
    end: int


@dataclass
class ShotList:
    fps: float
    frames: int
    shots: list[tuple[int, int]] = field(default_factory=list)   # inclusive frame ranges
    transitions: list[Transition] = field(default_factory=list)

    @classmethod
    def from_transitions(cls, fps: float, frames: int, transitions) -> "ShotList":
        """Shots between transitions; a gradual transition's frames belong to no shot
        unless that would leave a shot empty (then the shot keeps one frame)."""
        def valid(t):
            if t.kind == "cut":
                return 0 <= t.start and t.end == t.start + 1 and t.end <= frames - 1
            return 0 <= t.start <= t.end <= frames - 1
        trs = sorted((t for t in transitions if valid(t)), key=lambda t: t.start)
        kept, last = [], -1
        for t in trs:  # drop overlapping ones so that shots stay ordered
            if t.start > last:
                kept.append(t)
                last = t.end
        shots, cursor = [], 0
        for t in kept:
            end = t.start if t.kind == "cut" else t.start - 1
            if end >= cursor:
                shots.append((cursor, end))
            cursor = t.end if t.kind == "cut" else t.end + 1
        if cursor <= frames - 1:
            shots.append((cursor, frames - 1))
        if not shots and frames > 0:
            shots = [(0, frames - 1)]
        return cls(fps=float(fps), frames=int(frames), shots=shots, transitions=kept)

    def to_json(self) -> dict:
        """The shots.json document (DESIGN §3)."""
        return {"fps": self.fps, "frames": self.frames,
                "shots": [{"start": int(s), "end": int(e)} for s, e in self.shots],
                "transitions": [{"kind": t.kind, "start": int(t.start), "end": int(t.end)}
                                for t in self.transitions]}


class ShotDetector(Engine):
    """Finds shot boundaries in a video file."""

    CAPABILITY: ClassVar[str] = "shots"

    def detect(self, path: Path, progress: Progress = no_progress) -> ShotList:
        """Detect shots and transitions in ``path``.

        >>> from storyloom.engines import resolve
        >>> with resolve("shots").engine() as det:               # doctest: +SKIP
        ...     det.detect("film.mp4").to_json()["shots"][:1]
        [{'start': 0, 'end': 40}]
        """
        raise NotImplementedError
