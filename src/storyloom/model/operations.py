"""Typed operations: the edits a user applies to a shot or a layer.

An operation is a small immutable value (like MoviePy v2's effects): it names what to do,
never holds pixels. Every kind is defined here (documents load them through the tag); its
render step, the check of its values and its form's examples live in
``storyloom.render.steps.<operation>``.

    >>> Restyle(style="ukiyo-e").label()
    'restyle ukiyo-e'
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal, Optional

from pydantic import ConfigDict, Field

from storyloom.errors import BadInput
from storyloom.model.schema import Schema, parse_tag, schema_type

_OPERATIONS: dict[str, type["Operation"]] = {}
#: a colour in CIE Lab (L 0-100, a, b)
Vec3 = tuple[float, float, float]


class Operation(Schema):
    """Base of every operation. ``engine`` pins a backend (None: the best available)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: "shot" operations act on the composited shot, "layer" ones on one layer's picture
    target: ClassVar[str] = "shot"
    #: the engine capability that carries it out (see storyloom.engines)
    capability: ClassVar[str] = ""
    engine: Optional[str] = None

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.__dict__.get("schema_name"):
            _OPERATIONS[cls.schema_name] = cls

    def label(self) -> str:
        """A short human summary, used in history and the studio's operation list."""
        fields = {k: v for k, v in self.model_dump(exclude={"schema", "engine"}).items()
                  if k != "schema" and v not in (None, [], {})}
        first = next(iter(fields.values()), "")
        return f"{self.schema_name.lower()} {first}".strip()


def operation_types() -> dict[str, type[Operation]]:
    """Every registered operation class by name (``{"Restyle": Restyle, ...}``)."""
    return dict(_OPERATIONS)


def load_operation(data: Any) -> Operation:
    """Build the right ``Operation`` subclass from its tagged dict."""
    if isinstance(data, Operation):
        return data
    name, _ = parse_tag(data["schema"])
    cls = schema_type(name)
    if not issubclass(cls, Operation):
        raise BadInput(f"{name} is not an operation")
    return cls.model_validate(data)


class Restyle(Operation):
    """Change the look of the whole picture to a named style (see ``storyloom styles``)."""

    schema_name = "Restyle"
    capability: ClassVar[str] = "restyle"
    style: str
    strength: float = Field(1.0, ge=0.0, le=1.0)


class CameraMove(Operation):
    """Move the virtual camera: pan-left, tilt-up, push-in, orbit-left, roll, shake, …"""

    schema_name = "CameraMove"
    capability: ClassVar[str] = "camera"
    move: str
    amount: float = Field(0.2, ge=0.0, le=5.0)
    ease: Literal["linear", "ease-in", "ease-out", "ease-in-out"] = "ease-in-out"
    #: shapes the shake (the same seed, the same shake); give shots different seeds to vary it
    seed: int = Field(0, ge=0, le=2**31 - 1)


class Interpolate(Operation):
    """Motion-compensated in-between frames. In a project, footage slower than the project's
    rate moves smoothly (each picture the project would show again becomes an in-between);
    `storyloom interpolate` raises a file's rate by `factor` or to `fps`."""

    schema_name = "Interpolate"
    capability: ClassVar[str] = "interpolate"
    factor: Optional[int] = Field(2, ge=2, le=8)
    fps: Optional[float] = Field(None, gt=0, le=240)


class Upscale(Operation):
    """Make the picture larger and sharper (×2 or ×4), optionally denoised. In a project the
    shot keeps the film's frame size: the engine's detail comes out as sharpness at that size;
    `storyloom upscale` writes the larger file."""

    schema_name = "Upscale"
    capability: ClassVar[str] = "upscale"
    scale: int = Field(2, ge=2, le=4)
    denoise: float = Field(0.0, ge=0.0, le=1.0)
    sharpen: float = Field(0.0, ge=0.0, le=1.0)


class Click(Schema):
    """A positive (object) or negative (not object) click on a frame, in source pixels."""

    schema_name = "Click"
    model_config = ConfigDict(extra="forbid", frozen=True)
    frame: int = Field(0, ge=0)
    x: float
    y: float
    positive: bool = True


class Cutout(Operation):
    """Cut one object out of a layer's video as alpha, tracked through the clip.

    The prompt is one or more clicks, or a box (x0, y0, x1, y1) on ``frame``.
    """

    schema_name = "Cutout"
    target: ClassVar[str] = "layer"
    capability: ClassVar[str] = "segment"
    clicks: list[Click] = Field(default_factory=list)
    box: Optional[tuple[float, float, float, float]] = None
    frame: int = Field(0, ge=0)

    def label(self) -> str:
        """What was asked for, with the corrections made on other frames.

        >>> Cutout(clicks=[Click(x=10, y=20), Click(x=5, y=5, positive=False, frame=8)]).label()
        'cutout point (10,20) - 1 correction (frame 8)'
        """
        first = next((c for c in self.clicks if c.positive and c.frame == self.frame), None)
        if self.box:
            said = f"cutout box {tuple(round(v) for v in self.box)}"
        elif first is not None:
            said = f"cutout point ({first.x:.0f},{first.y:.0f})"
        else:
            said = "cutout"
        rest = [c for c in self.clicks if c is not first]
        if rest:
            frames = ", ".join(str(f) for f in sorted({c.frame for c in rest}))
            said += f" - {len(rest)} correction{'s' if len(rest) > 1 else ''} (frame{'s' if ',' in frames else ''} {frames})"
        return said


class Remove(Operation):
    """Remove an object (given by a cutout prompt) and fill in what was behind it."""

    schema_name = "Remove"
    capability: ClassVar[str] = "remove"
    clicks: list[Click] = Field(default_factory=list)
    box: Optional[tuple[float, float, float, float]] = None
    frame: int = Field(0, ge=0)


class Harmonize(Operation):
    """Shift a layer's colours toward a background's: its Lab mean and spread become
    ``mean``/``std`` (the background's, measured when the background was set), blended by
    ``strength``. Measured over the layer's opaque pixels of the whole clip, so it does
    not flicker.
    """

    schema_name = "Harmonize"
    target: ClassVar[str] = "layer"
    mean: Vec3
    std: Vec3
    strength: float = Field(0.6, ge=0.0, le=1.0)

    def label(self) -> str:
        return f"harmonize {self.strength:g}"
