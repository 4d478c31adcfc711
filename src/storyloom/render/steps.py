"""Operation steps: how each ``Operation`` kind turns a clip into a new clip.

Engines register a step for the operation they carry out::

    @register_step(Restyle)
    def restyle_step(op: Restyle, clip: Clip, ctx: StepContext) -> Clip:
        ...

Shot operations (``op.target == "shot"``) receive the composited shot (RGB); layer
operations (``"layer"``, e.g. ``Cutout``) receive that layer's source frames and may
return RGBA. The renderer caches every step's output under a content hash of its input,
the operation and the engine identity (see ``storyloom.render.cache``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from storyloom.engines.base import Progress, no_progress
from storyloom.errors import StoryloomError


@dataclass
class Clip:
    """Frames in memory: uint8 (N, H, W, 3) RGB or (N, H, W, 4) RGBA, at ``fps``."""

    frames: np.ndarray
    fps: float

    def __post_init__(self) -> None:
        if self.frames.ndim != 4 or self.frames.shape[3] not in (3, 4) or self.frames.dtype != np.uint8:
            raise ValueError(f"Clip frames must be uint8 (N, H, W, 3|4), got {self.frames.dtype} {self.frames.shape}")

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)"""
        return self.frames.shape[2], self.frames.shape[1]

    def __len__(self) -> int:
        return self.frames.shape[0]


@dataclass
class StepContext:
    """What a step may know besides its input: where it runs and for whom."""

    library: Any = None            # storyloom.store.Library (None in file-in/file-out tools)
    project: Any = None            # storyloom.model.Project
    shot: Any = None               # storyloom.model.Shot
    layer: Any = None              # storyloom.model.Layer for layer operations
    progress: Progress = no_progress
    seed: int = 0
    #: filled by the step: the engine that ran and anything worth recording
    provenance: dict = field(default_factory=dict)


StepFn = Callable[[Any, Clip, StepContext], Clip]
_STEPS: dict[str, StepFn] = {}


def register_step(op_cls):
    """Decorator: ``fn(op, clip, ctx) -> Clip`` carries out operations of ``op_cls``."""
    def deco(fn: StepFn) -> StepFn:
        _STEPS[op_cls.schema_name] = fn
        return fn
    return deco


def step_for(op) -> StepFn:
    """The registered step for an operation. Its capability's engine package is imported
    first (importing it registers the step); an operation no package serves loads them all.

    >>> from storyloom.model import Interpolate
    >>> step_for(Interpolate(factor=2)).__name__          # doctest: +SKIP
    'interpolate_step'
    """
    from storyloom.engines.base import load_capability
    load_capability(getattr(op, "capability", "") or None, steps=True)
    try:
        return _STEPS[op.schema_name]
    except KeyError:
        raise StoryloomError(f"no step can carry out {op.schema_name} operations yet") from None


def registered_steps() -> dict[str, StepFn]:
    from storyloom.engines.base import engines
    engines()
    return dict(_STEPS)
