"""Layers of a shot's selected take: add (asset, colour, text), edit, restack, delete."""
from __future__ import annotations

from pathlib import Path as FilePath
from typing import Literal, Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, changed, get_lib, mutate, shot_name
from storyloom.errors import BadInput
from storyloom.model.animation import Param
from storyloom.model.document import AssetRef, AssetSource, Layer, Project

router = APIRouter(prefix="/api/projects/{pid}/shots/{shot_id}/layers", tags=["layers"])
Pid = PathParam(..., pattern=ID_PATTERN)
ShotId = PathParam(..., pattern=ID_PATTERN)
LayerId = PathParam(..., pattern=ID_PATTERN)

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


def _source(lib, data: dict):
    """The layer source; an asset must be in the library and have a picture."""
    if data.get("kind") == "asset":
        asset = data.get("asset") or {}
        sha = str(asset.get("sha256", ""))
        ref = AssetRef(sha256=sha, name=str(asset.get("name", "")), kind="video")  # validates the hash
        info = lib.asset_info(ref.sha256)  # NotFound → 404
        if info.kind == "audio":
            raise BadInput(f"asset {ref.name or sha[:12]}: has no picture to use as a layer")
        data = {**data, "asset": {"sha256": sha, "name": ref.name, "kind": info.kind}}
    return data


@router.post("")
def add_layer(body: LayerCreate, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib)) -> dict:
    """A layer at ``index`` (the top when absent) of the shot's selected take."""
    source = _source(lib, body.source)

    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        n = len(shot.layers)
        index = n if body.index is None else min(body.index, n)
        role = body.role
        if role is None:  # the bottom picture is the shot's background (the background tool replaces it)
            role = "background" if index == 0 and source.get("kind") == "asset" else "other"
        layer = Layer(name=body.name or "", role=role, source=source, fit=body.fit)
        if not layer.name:
            src = layer.source
            layer.name = (FilePath(src.asset.name).stem or src.asset.sha256[:8] if isinstance(src, AssetSource)
                          else getattr(src, "text", None) or getattr(src, "color", "layer"))[:60]
        shot.add_layer(layer, index)
        return f"add layer {layer.name!r} to {shot_name(shot, doc)}", layer.id
    return mutate(lib, pid, body.base_revision, change)


@router.patch("/{lid}")
def patch_layer(body: LayerPatch, pid: str = Pid, shot_id: str = ShotId, lid: str = LayerId,
                lib=Depends(get_lib)) -> dict:
    """Rename, show/hide, set opacity (constant; clears its keyframes), blend, fit, volume."""
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        layer = shot.layer(lid)
        label = f"layer {layer.name!r} of {shot_name(shot, doc)}"
        said = []
        if changed(body, layer, "name"):
            said.append(f"rename {label} to {body.name!r}")
            layer.name = body.name
        if changed(body, layer, "visible"):
            said.append(f"{'show' if body.visible else 'hide'} {label}")
            layer.visible = body.visible
        if body.opacity is not None:
            said.append(f"set opacity of {label} to {body.opacity:g}")
            layer.transform.opacity = Param(value=body.opacity)
        for key in ("role", "blend", "fit", "volume"):
            if changed(body, layer, key):
                value = getattr(body, key)
                said.append(f"set {key} of {label} to {value}")
                setattr(layer, key, value)
        return ("; ".join(said) or f"edit {label}"), None
    return mutate(lib, pid, body.base_revision, change)


@router.post("/{lid}/move")
def move_layer(body: LayerMove, pid: str = Pid, shot_id: str = ShotId, lid: str = LayerId,
               lib=Depends(get_lib)) -> dict:
    """Put the layer at ``index`` of the stack (0 = bottom)."""
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        layer = shot.layer(lid)
        layers = shot.layers
        layers.remove(layer)
        index = min(body.index, len(layers))
        layers.insert(index, layer)
        where = "bottom" if index == 0 else "top" if index == len(layers) - 1 else f"position {index + 1}"
        return f"move layer {layer.name!r} of {shot_name(shot, doc)} to the {where}".replace("the position", "position"), None
    return mutate(lib, pid, body.base_revision, change)


@router.delete("/{lid}")
def delete_layer(pid: str = Pid, shot_id: str = ShotId, lid: str = LayerId, base_revision: int = Query(...),
                 lib=Depends(get_lib)) -> dict:
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        layer = shot.layer(lid)
        shot.layers.remove(layer)
        return f"delete layer {layer.name!r} from {shot_name(shot, doc)}", None
    return mutate(lib, pid, base_revision, change)
