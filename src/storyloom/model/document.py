"""The document: a project is scenes of shots, each shot a stack of layers.

Plain data (pydantic v2), no I/O. Every object serialises with a ``"schema": "Type.N"``
tag (see ``storyloom.model.schema``).

    >>> p = Project(title="Demo")
    >>> s = p.add_scene("Opening")
    >>> shot = s.add_shot(title="Wide", duration=2.0)
    >>> _ = shot.add_layer(Layer(name="sky", source=ColorSource(color="#3366ff")))
    >>> Project.model_validate(p.model_dump()).scenes[0].shots[0].layers[0].name
    'sky'
"""
from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field, SerializeAsAny, field_validator

from storyloom.errors import BadInput, NotFound
from storyloom.model.animation import Transform
from storyloom.model.operations import Operation, load_operation
from storyloom.model.schema import Schema, register_upgrade


def new_id() -> str:
    return uuid.uuid4().hex[:10]


Role = Literal["background", "foreground", "character", "prop", "title", "other"]
Blend = Literal["normal", "multiply", "screen", "add"]
Fit = Literal["fit", "fill", "stretch", "none"]


class AssetRef(Schema):
    """A media file in the library's content-addressed store (by SHA-256)."""

    schema_name = "AssetRef"
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    name: str = ""
    kind: Literal["video", "image", "audio"] = "video"


class Size(Schema):
    schema_name = "Size"
    width: int = Field(1280, ge=16, le=8192)
    height: int = Field(720, ge=16, le=8192)

    @field_validator("width", "height")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError("must be even (H.264 needs even sizes)")
        return v

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @classmethod
    def parse(cls, text: str) -> "Size":
        m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(text))
        if not m:
            raise BadInput(f"size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720")
        try:
            return cls(width=int(m.group(1)), height=int(m.group(2)))
        except ValueError as e:
            raise BadInput(f"size {text!r}: {e.errors()[0]['msg']}") from None


# ---------------------------------------------------------------- layer sources
class AssetSource(Schema):
    """Picture (and sound) from a stored asset, from ``in_point`` to ``out_point`` seconds."""

    schema_name = "AssetSource"
    kind: Literal["asset"] = "asset"
    asset: AssetRef
    in_point: float = Field(0.0, ge=0)
    out_point: Optional[float] = None
    loop: bool = False


class ColorSource(Schema):
    """A solid colour, ``#rrggbb`` or ``#rrggbbaa``."""

    schema_name = "ColorSource"
    kind: Literal["color"] = "color"
    color: str = Field("#000000", pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")


class TextSource(Schema):
    """A line or block of text (titles, captions)."""

    schema_name = "TextSource"
    kind: Literal["text"] = "text"
    text: str
    size: int = Field(64, ge=4, le=1000)
    color: str = Field("#ffffff", pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")
    box: Optional[str] = Field(None, pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")
    align: Literal["left", "center", "right"] = "center"


class ShotSource(Schema):
    """Another shot's rendered picture (e.g. a shared background); cycles are refused at render."""

    schema_name = "ShotSource"
    kind: Literal["shot"] = "shot"
    shot_id: str = Field(min_length=1)


LayerSource = Annotated[Union[AssetSource, ColorSource, TextSource, ShotSource], Field(discriminator="kind")]


def _operations(v: Any) -> list[Operation]:
    return [load_operation(o) for o in (v or [])]


class Layer(Schema):
    """One picture in a shot's stack: its source, where and when it shows, how it blends."""

    schema_name = "Layer"
    id: str = Field(default_factory=new_id)
    name: str = ""
    role: Role = "other"
    source: LayerSource
    fit: Fit = "fill"
    start: float = Field(0.0, ge=0, description="seconds into the shot where the layer begins")
    duration: Optional[float] = Field(None, gt=0, description="None: to the end of the shot")
    transform: Transform = Field(default_factory=Transform)
    blend: Blend = "normal"
    visible: bool = True
    volume: float = Field(1.0, ge=0, le=4)
    operations: list[SerializeAsAny[Operation]] = Field(default_factory=list)

    _ops = field_validator("operations", mode="before")(classmethod(lambda cls, v: _operations(v)))


class Take(Schema):
    """One alternative version of a shot's content: its layers and operations."""

    schema_name = "Take"
    id: str = Field(default_factory=new_id)
    name: str = "Take 1"
    layers: list[Layer] = Field(default_factory=list)
    operations: list[SerializeAsAny[Operation]] = Field(default_factory=list)

    _ops = field_validator("operations", mode="before")(classmethod(lambda cls, v: _operations(v)))


class DialogueLine(Schema):
    schema_name = "DialogueLine"
    character: str
    text: str
    parenthetical: str = ""


class Transition(Schema):
    """How a shot begins after the previous one: a cut or a crossfade of ``duration`` s."""

    schema_name = "Transition"
    kind: Literal["cut", "crossfade"] = "cut"
    duration: float = Field(0.0, ge=0, le=10)


class Shot(Schema):
    """A shot: what the camera sees between two cuts. Its content is the selected take."""

    schema_name = "Shot"
    id: str = Field(default_factory=new_id)
    title: str = ""
    description: str = ""
    duration: float = Field(3.0, gt=0, le=3600)
    takes: list[Take] = Field(default_factory=lambda: [Take()])
    selected_take: Optional[str] = None
    dialogue: list[DialogueLine] = Field(default_factory=list)
    characters: list[str] = Field(default_factory=list)
    transition: Transition = Field(default_factory=Transition)
    thumbnails: list[str] = Field(default_factory=list, description="asset sha256 of stills")

    @property
    def take(self) -> Take:
        """The selected take (the first when none is selected)."""
        if not self.takes:
            self.takes = [Take()]
        for t in self.takes:
            if t.id == self.selected_take:
                return t
        return self.takes[0]

    @property
    def layers(self) -> list[Layer]:
        return self.take.layers

    @property
    def operations(self) -> list[Operation]:
        return self.take.operations

    def add_layer(self, layer: Layer, index: Optional[int] = None) -> Layer:
        """Add a layer on top (or at ``index``, 0 = bottom)."""
        layers = self.take.layers
        layers.insert(len(layers) if index is None else index, layer)
        return layer

    def layer(self, layer_id: str) -> Layer:
        for layer in self.layers:
            if layer.id == layer_id or layer.name == layer_id:
                return layer
        raise NotFound(f"shot {self.title or self.id}: no layer {layer_id!r}")

    def add_operation(self, op: Operation) -> Operation:
        self.take.operations.append(op)
        return op


class Scene(Schema):
    schema_name = "Scene"
    id: str = Field(default_factory=new_id)
    title: str = ""
    description: str = ""
    collapsed: bool = False
    shots: list[Shot] = Field(default_factory=list)

    def add_shot(self, shot: Optional[Shot] = None, index: Optional[int] = None, **fields: Any) -> Shot:
        """Add a shot at the end (or at ``index``); keyword fields build a new one."""
        shot = shot or Shot(**fields)
        self.shots.insert(len(self.shots) if index is None else index, shot)
        return shot

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)


class Voice(Schema):
    schema_name = "Voice"
    engine: str = "espeak-ng"
    voice: str = "en"
    rate: float = 1.0
    pitch: float = 0.0


class Character(Schema):
    schema_name = "Character"
    id: str = Field(default_factory=new_id)
    name: str
    description: str = ""
    reference_images: list[AssetRef] = Field(default_factory=list)
    voice: Voice = Field(default_factory=Voice)


class Project(Schema):
    """A film: its format and its scenes. Version 2 replaced v1's ``resolution`` string."""

    schema_name = "Project"
    schema_version = 2
    id: str = Field(default_factory=new_id)
    title: str = "Untitled"
    size: Size = Field(default_factory=Size)
    fps: float = Field(24.0, gt=0, le=240)
    sample_rate: int = Field(48000, ge=8000, le=192000)
    scenes: list[Scene] = Field(default_factory=list)
    cast: list[Character] = Field(default_factory=list)

    # ---- lookups
    def add_scene(self, title: str = "", index: Optional[int] = None, **fields: Any) -> Scene:
        scene = Scene(title=title or f"Scene {len(self.scenes) + 1}", **fields)
        self.scenes.insert(len(self.scenes) if index is None else index, scene)
        return scene

    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id or s.title == scene_id:
                return s
        raise NotFound(f"project {self.title!r}: no scene {scene_id!r}")

    def shots(self) -> list[Shot]:
        return [shot for scene in self.scenes for shot in scene.shots]

    def find_shot(self, shot_id: str) -> tuple[Scene, Shot]:
        for scene in self.scenes:
            for shot in scene.shots:
                if shot.id == shot_id:
                    return scene, shot
        raise NotFound(f"project {self.title!r}: no shot {shot_id!r}")

    def character(self, name_or_id: str) -> Character:
        for c in self.cast:
            if c.id == name_or_id or c.name.lower() == name_or_id.lower():
                return c
        raise NotFound(f"project {self.title!r}: no character {name_or_id!r}")

    def move_shot(self, shot_id: str, scene_id: str, index: int) -> Shot:
        """Move a shot to position ``index`` of a scene (the same scene or another)."""
        src, shot = self.find_shot(shot_id)
        dst = self.scene(scene_id)
        src.shots.remove(shot)
        dst.shots.insert(max(0, min(index, len(dst.shots))), shot)
        return shot

    def move_scene(self, scene_id: str, index: int) -> Scene:
        scene = self.scene(scene_id)
        self.scenes.remove(scene)
        self.scenes.insert(max(0, min(index, len(self.scenes))), scene)
        return scene

    def asset_hashes(self) -> set[str]:
        """Every asset this document refers to (for garbage collection)."""
        out: set[str] = set()
        for shot in self.shots():
            out.update(shot.thumbnails)
            for take in shot.takes:
                for layer in take.layers:
                    if isinstance(layer.source, AssetSource):
                        out.add(layer.source.asset.sha256)
        for c in self.cast:
            out.update(r.sha256 for r in c.reference_images)
        return out

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots())


@register_upgrade("Project", 1)
def _project_1_to_2(data: dict) -> dict:
    """Project.1 kept the frame size as a ``"resolution": "1280x720"`` string."""
    data = dict(data)
    res = data.pop("resolution", "1280x720")
    w, h = (int(v) for v in str(res).lower().split("x"))
    data["size"] = {"width": w, "height": h}
    return data
