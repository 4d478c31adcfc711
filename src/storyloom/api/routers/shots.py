"""Shots: insert a blank shot anywhere, edit, move between scenes, duplicate, delete, preview."""
from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, LibraryDep, Pid, RunnerDep, SceneId, ShotId, mutate
from storyloom.model import Transition
from storyloom.studio import board
from storyloom.studio.previews import preview_key

router = APIRouter(prefix="/api/projects/{pid}", tags=["shots"])


class ShotCreate(BaseModel):
    base_revision: int
    index: Optional[int] = Field(None, ge=0)
    title: str = Field("", max_length=200)
    duration: float = Field(3.0, gt=0, le=3600)
    description: str = ""


class TransitionIn(BaseModel):
    kind: Literal["cut", "crossfade"] = "cut"
    duration: float = Field(0.0, ge=0, le=10)


class ShotPatch(BaseModel):
    base_revision: int
    title: Optional[str] = Field(None, max_length=200)
    description: Optional[str] = None
    duration: Optional[float] = Field(None, gt=0, le=3600)
    transition: Optional[TransitionIn] = None


class ShotMove(BaseModel):
    base_revision: int
    scene_id: str = Field(..., pattern=ID_PATTERN)
    index: int = Field(..., ge=0)


class BaseRevision(BaseModel):
    base_revision: int


@router.post("/scenes/{sid}/shots")
def add_shot(body: ShotCreate, pid: Pid, sid: SceneId, lib: LibraryDep) -> dict:
    """A blank shot at ``index`` of the scene (the end when absent)."""
    return mutate(lib, pid, body.base_revision, lambda doc: board.add_shot(
        doc, sid, body.title, body.duration, body.description, body.index))


@router.patch("/shots/{shot_id}")
def patch_shot(body: ShotPatch, pid: Pid, shot_id: ShotId, lib: LibraryDep) -> dict:
    t = body.transition
    return mutate(lib, pid, body.base_revision, lambda doc: board.set_shot(
        doc, shot_id, body.title, body.description, body.duration,
        None if t is None else Transition(kind=t.kind, duration=t.duration)))


@router.post("/shots/{shot_id}/move")
def move_shot(body: ShotMove, pid: Pid, shot_id: ShotId, lib: LibraryDep) -> dict:
    """Move a shot to ``index`` of scene ``scene_id`` (counted after taking it out)."""
    return mutate(lib, pid, body.base_revision, lambda doc: board.move_shot(doc, shot_id, body.scene_id, body.index))


@router.post("/shots/{shot_id}/duplicate")
def duplicate_shot(body: BaseRevision, pid: Pid, shot_id: ShotId, lib: LibraryDep) -> dict:
    """A copy right after the shot (new ids for the shot, its takes and layers)."""
    return mutate(lib, pid, body.base_revision, lambda doc: board.duplicate_shot(doc, shot_id))


@router.delete("/shots/{shot_id}")
def delete_shot(pid: Pid, shot_id: ShotId, lib: LibraryDep, base_revision: int = Query(...)) -> dict:
    return mutate(lib, pid, base_revision, lambda doc: board.delete_shot(doc, shot_id))


@router.post("/shots/{shot_id}/preview")
def preview_shot(request: Request, pid: Pid, shot_id: ShotId, lib: LibraryDep, runner: RunnerDep) -> dict:
    """Render the shot alone (cached by content) as a job; its result has ``url``."""
    project, revision = lib.load(pid)
    _, shot = project.find_shot(shot_id)  # 404 now rather than a failed job later
    key = preview_key(project, shot)
    for job in runner.active(pid, "preview"):  # clicked again: the preview under way answers
        if job.params.get("key") == key:
            return {"job_id": job.id}
    job_id = runner.submit("preview", pid, {"shot_id": shot_id, "revision": revision, "key": key,
                                            "workers": request.app.state.render_workers})
    return {"job_id": job_id}
