"""Layers of a shot's selected take: add (asset, colour, text), edit, restack, delete."""
from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import LayerId, LibraryDep, Pid, ShotId, mutate
from storyloom.studio import layers

router = APIRouter(prefix="/api/projects/{pid}/shots/{shot_id}/layers", tags=["layers"])

Role = Literal["background", "foreground", "character", "prop", "title", "other"]


class LayerCreate(BaseModel):
    base_revision: int
    name: Optional[str] = Field(None, max_length=200)
    role: Optional[Role] = Field(None, description='default: "background" for a picture put at the bottom '
                                                   'of the stack (as import does), else "other"')
    source: dict = Field(..., description='{"kind": "asset", "asset": {"sha256", "name", "kind"}, "in_point"?, '
                                          '"out_point"?, "loop"?} | {"kind": "color", "color"} | '
                                          '{"kind": "text", "text", "size"?, "color"?, "box"?, "align"?}')
    fit: Literal["fit", "fill", "stretch", "none"] = "fill"
    index: Optional[int] = Field(None, ge=0, description="0 = bottom; the top when absent")


class LayerPatch(BaseModel):
    base_revision: int
    name: Optional[str] = Field(None, max_length=200)
    role: Optional[Role] = None
    visible: Optional[bool] = None
    opacity: Optional[float] = Field(None, ge=0, le=1)
    blend: Optional[Literal["normal", "multiply", "screen", "add"]] = None
    fit: Optional[Literal["fit", "fill", "stretch", "none"]] = None
    volume: Optional[float] = Field(None, ge=0, le=4)


class LayerMove(BaseModel):
    base_revision: int
    index: int = Field(..., ge=0)


@router.post("")
def add_layer(body: LayerCreate, pid: Pid, shot_id: ShotId, lib: LibraryDep) -> dict:
    """A layer at ``index`` (the top when absent) of the shot's selected take."""
    source = layers.layer_source(lib, body.source)   # an unknown asset is a 404 before anything else
    return mutate(lib, pid, body.base_revision, lambda doc: layers.add_layer(
        lib, doc, shot_id, source, name=body.name or "", role=body.role, index=body.index, fit=body.fit))


@router.patch("/{lid}")
def patch_layer(body: LayerPatch, pid: Pid, shot_id: ShotId, lid: LayerId, lib: LibraryDep) -> dict:
    """Rename, show/hide, set opacity (constant; clears its keyframes), blend, fit, volume."""
    return mutate(lib, pid, body.base_revision, lambda doc: layers.set_layer(
        doc, shot_id, lid, **body.model_dump(exclude={"base_revision"})))


@router.post("/{lid}/move")
def move_layer(body: LayerMove, pid: Pid, shot_id: ShotId, lid: LayerId, lib: LibraryDep) -> dict:
    """Put the layer at ``index`` of the stack (0 = bottom)."""
    return mutate(lib, pid, body.base_revision, lambda doc: layers.move_layer(doc, shot_id, lid, body.index))


@router.delete("/{lid}")
def delete_layer(pid: Pid, shot_id: ShotId, lid: LayerId, lib: LibraryDep, base_revision: int = Query(...)) -> dict:
    return mutate(lib, pid, base_revision, lambda doc: layers.delete_layer(doc, shot_id, lid))
