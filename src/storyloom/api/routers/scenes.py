"""Scenes: add at an index, rename / describe / fold, move, delete."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import LibraryDep, Pid, SceneId, mutate
from storyloom.studio import board

router = APIRouter(prefix="/api/projects/{pid}/scenes", tags=["scenes"])


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


@router.post("")
def add_scene(body: SceneCreate, pid: Pid, lib: LibraryDep) -> dict:
    """A new empty scene at ``index`` (the end when absent)."""
    return mutate(lib, pid, body.base_revision,
                  lambda doc: board.add_scene(doc, body.title or "", body.description, body.index))


@router.patch("/{sid}")
def patch_scene(body: ScenePatch, pid: Pid, sid: SceneId, lib: LibraryDep) -> dict:
    return mutate(lib, pid, body.base_revision, lambda doc: board.set_scene(
        doc, sid, **body.model_dump(exclude={"base_revision"})))


@router.post("/{sid}/move")
def move_scene(body: SceneMove, pid: Pid, sid: SceneId, lib: LibraryDep) -> dict:
    """Put the scene at ``index`` among the scenes."""
    return mutate(lib, pid, body.base_revision, lambda doc: board.move_scene(doc, sid, body.index))


@router.delete("/{sid}")
def delete_scene(pid: Pid, sid: SceneId, lib: LibraryDep, base_revision: int = Query(...)) -> dict:
    """Remove a scene and its shots (undo brings them back)."""
    return mutate(lib, pid, base_revision, lambda doc: board.delete_scene(doc, sid))
