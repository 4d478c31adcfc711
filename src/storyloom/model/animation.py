"""Keyframed values: a number that may change over a shot's time.

    >>> p = Param(value=0, keys=[Key(t=0, v=0), Key(t=2, v=100, ease="linear")])
    >>> p.at(1.0)
    50.0
"""
from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, model_validator

from storyloom.model.schema import Schema

Ease = Literal["linear", "ease-in", "ease-out", "ease-in-out", "hold"]


def ease(kind: str, u: float) -> float:
    """Map linear progress ``u`` in [0, 1] through an easing curve."""
    u = min(1.0, max(0.0, u))
    if kind == "ease-in":
        return u * u
    if kind == "ease-out":
        return 1 - (1 - u) * (1 - u)
    if kind == "ease-in-out":
        return 0.5 - 0.5 * math.cos(math.pi * u)
    if kind == "hold":
        return 0.0
    return u


class Key(Schema):
    """One keyframe: value ``v`` at ``t`` seconds; ``ease`` shapes the way *into* it."""

    schema_name = "Key"
    t: float
    v: float
    ease: Ease = "linear"


class Param(Schema):
    """A number with optional keyframes; ``value`` holds when there are none."""

    schema_name = "Param"
    value: float = 0.0
    keys: list[Key] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)):
            return {"value": float(data)}
        return data

    @property
    def animated(self) -> bool:
        return len(self.keys) > 1

    def at(self, t: float) -> float:
        """The value at ``t`` seconds (clamped to the first and last key)."""
        keys = sorted(self.keys, key=lambda k: k.t)
        if not keys:
            return self.value
        if t <= keys[0].t:
            return keys[0].v
        for a, b in zip(keys, keys[1:]):
            if t <= b.t:
                span = b.t - a.t
                u = 0.0 if span <= 0 else (t - a.t) / span
                return a.v + (b.v - a.v) * ease(b.ease, u)
        return keys[-1].v


class Transform(Schema):
    """Where a layer sits: offset of its centre from the frame centre (project pixels),
    uniform scale, rotation in degrees (counter-clockwise) and opacity 0..1."""

    schema_name = "Transform"
    x: Param = Field(default_factory=lambda: Param(value=0))
    y: Param = Field(default_factory=lambda: Param(value=0))
    scale: Param = Field(default_factory=lambda: Param(value=1))
    rotation: Param = Field(default_factory=lambda: Param(value=0))
    opacity: Param = Field(default_factory=lambda: Param(value=1))

    def at(self, t: float) -> dict[str, float]:
        return {name: getattr(self, name).at(t) for name in ("x", "y", "scale", "rotation", "opacity")}

    @property
    def animated(self) -> bool:
        return any(getattr(self, n).animated for n in ("x", "y", "scale", "rotation", "opacity"))
