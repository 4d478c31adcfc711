"""Scenes: add at an index, rename / describe / fold, move, delete."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, changed, get_lib, mutate
from storyloom.errors import NotFound
from storyloom.model.document import Project

router = APIRouter(prefix="/api/projects/{pid}/scenes", tags=["scenes"])
Pid = PathParam(..., pattern=ID_PATTERN)
Sid = PathParam(..., pattern=ID_PATTERN)


class SceneCreate(BaseModel):
    base_revision: int
    title: Optional[str] = Field(None, max_length=200)
    description: str = ""
    index: Optional[int] = Field(None, ge=0)


class ScenePatch(BaseModel):
    base_revision: int
    title: Optional[str] = Field(None, max_length=200)
    description: Optional[str] = None
    collapsed: Optional[bool] = None


class SceneMove(BaseModel):
    base_revision: int
    index: int = Field(..., ge=0)


def _by_id(doc: Project, sid: str):
    for s in doc.scenes:
        if s.id == sid:
            return s
    raise NotFound(f"project {doc.title!r}: no scene {sid!r}")


@router.post("")
def add_scene(body: SceneCreate, pid: str = Pid, lib=Depends(get_lib)) -> dict:
    """A new empty scene at ``index`` (the end when absent)."""
    def change(doc: Project):
        index = None if body.index is None else min(body.index, len(doc.scenes))
        scene = doc.add_scene(body.title or "", index, description=body.description)
        where = "" if index is None else f" at position {index + 1}"
        return f"add scene {scene.title!r}{where}", scene.id
    return mutate(lib, pid, body.base_revision, change)


@router.patch("/{sid}")
def patch_scene(body: ScenePatch, pid: str = Pid, sid: str = Sid, lib=Depends(get_lib)) -> dict:
    def change(doc: Project):
        scene = _by_id(doc, sid)
        said = []
        if changed(body, scene, "title"):
            said.append(f"rename scene {scene.title!r} to {body.title!r}")
            scene.title = body.title
        if changed(body, scene, "description"):
            said.append(f"describe scene {scene.title!r}")
            scene.description = body.description
        if changed(body, scene, "collapsed"):
            said.append(f"{'collapse' if body.collapsed else 'expand'} scene {scene.title!r}")
            scene.collapsed = body.collapsed
        return ("; ".join(said) or f"edit scene {scene.title!r}"), None
    return mutate(lib, pid, body.base_revision, change)


@router.post("/{sid}/move")
def move_scene(body: SceneMove, pid: str = Pid, sid: str = Sid, lib=Depends(get_lib)) -> dict:
    """Put the scene at ``index`` among the scenes."""
    def change(doc: Project):
        scene = doc.move_scene(_by_id(doc, sid).id, body.index)
        return f"move scene {scene.title!r} to position {doc.scenes.index(scene) + 1}", None
    return mutate(lib, pid, body.base_revision, change)


@router.delete("/{sid}")
def delete_scene(pid: str = Pid, sid: str = Sid, base_revision: int = Query(...),
                 lib=Depends(get_lib)) -> dict:
    """Remove a scene and its shots (undo brings them back)."""
    def change(doc: Project):
        scene = _by_id(doc, sid)
        doc.scenes.remove(scene)
        n = len(scene.shots)
        return f"delete scene {scene.title!r} ({n} shot{'s' if n != 1 else ''})", None
    return mutate(lib, pid, base_revision, change)
