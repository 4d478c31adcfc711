"""Takes: alternative versions of a shot; one is selected and shown."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, get_lib, mutate, shot_name
from storyloom.errors import BadInput, NotFound
from storyloom.model.document import Project, Take, new_id

router = APIRouter(prefix="/api/projects/{pid}/shots/{shot_id}/takes", tags=["takes"])
Pid = PathParam(..., pattern=ID_PATTERN)
ShotId = PathParam(..., pattern=ID_PATTERN)
TakeId = PathParam(..., pattern=ID_PATTERN)


class TakeCreate(BaseModel):
    base_revision: int
    name: Optional[str] = Field(None, max_length=200)
    copy_from: Optional[str] = Field(None, pattern=ID_PATTERN, description="take id whose layers to copy")


class BaseRevision(BaseModel):
    base_revision: int


def _take(shot, take_id: str) -> Take:
    for t in shot.takes:
        if t.id == take_id:
            return t
    raise NotFound(f"{shot_name(shot)}: no take {take_id!r}")


@router.post("")
def add_take(body: TakeCreate, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib)) -> dict:
    """A new take (empty, or a copy of ``copy_from``); it becomes the selected one."""
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        name = body.name or f"Take {len(shot.takes) + 1}"
        if body.copy_from:
            src = _take(shot, body.copy_from)
            take = src.model_copy(deep=True)
            take.id, take.name = new_id(), name
            for layer in take.layers:
                layer.id = new_id()
        else:
            take = Take(name=name)
        shot.takes.append(take)
        shot.selected_take = take.id
        how = f" from {src.name!r}" if body.copy_from else ""
        return f"add take {name!r}{how} to {shot_name(shot, doc)}", take.id
    return mutate(lib, pid, body.base_revision, change)


@router.post("/{take_id}/select")
def select_take(body: BaseRevision, pid: str = Pid, shot_id: str = ShotId, take_id: str = TakeId,
                lib=Depends(get_lib)) -> dict:
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        take = _take(shot, take_id)
        shot.selected_take = take.id
        return f"select take {take.name!r} of {shot_name(shot, doc)}", None
    return mutate(lib, pid, body.base_revision, change)


@router.delete("/{take_id}")
def delete_take(pid: str = Pid, shot_id: str = ShotId, take_id: str = TakeId, base_revision: int = Query(...),
                lib=Depends(get_lib)) -> dict:
    """Remove a take (not the last one); the first remaining is selected if it was."""
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        take = _take(shot, take_id)
        if len(shot.takes) == 1:
            raise BadInput(f"{shot_name(shot, doc)}: cannot delete its only take")
        was_selected = shot.take.id == take.id
        shot.takes.remove(take)
        if was_selected:
            shot.selected_take = shot.takes[0].id
        return f"delete take {take.name!r} of {shot_name(shot, doc)}", None
    return mutate(lib, pid, base_revision, change)
