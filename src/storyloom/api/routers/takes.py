"""Takes: alternative versions of a shot; one is selected and shown."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, LibraryDep, Pid, ShotId, TakeId, mutate
from storyloom.studio import board

router = APIRouter(prefix="/api/projects/{pid}/shots/{shot_id}/takes", tags=["takes"])


class TakeCreate(BaseModel):
    base_revision: int
    name: Optional[str] = Field(None, max_length=200)
    copy_from: Optional[str] = Field(None, pattern=ID_PATTERN, description="take id whose layers to copy")


class BaseRevision(BaseModel):
    base_revision: int


@router.post("")
def add_take(body: TakeCreate, pid: Pid, shot_id: ShotId, lib: LibraryDep) -> dict:
    """A new take (empty, or a copy of ``copy_from``); it becomes the selected one."""
    return mutate(lib, pid, body.base_revision, lambda doc: board.add_take(doc, shot_id, body.name, body.copy_from))


@router.post("/{take_id}/select")
def select_take(body: BaseRevision, pid: Pid, shot_id: ShotId, take_id: TakeId, lib: LibraryDep) -> dict:
    return mutate(lib, pid, body.base_revision, lambda doc: board.select_take(doc, shot_id, take_id))


@router.delete("/{take_id}")
def delete_take(pid: Pid, shot_id: ShotId, take_id: TakeId, lib: LibraryDep, base_revision: int = Query(...)) -> dict:
    """Remove a take (not the last one); the first remaining is selected if it was."""
    return mutate(lib, pid, base_revision, lambda doc: board.delete_take(doc, shot_id, take_id))
