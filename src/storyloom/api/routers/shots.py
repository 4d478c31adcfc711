"""Shots: insert a blank shot anywhere, edit, move between scenes, duplicate, delete, preview."""
from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query, Request
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, changed, get_lib, get_runner, mutate, scene_name, shot_name
from storyloom.model.document import Project, Shot, Transition, new_id

router = APIRouter(prefix="/api/projects/{pid}", tags=["shots"])
Pid = PathParam(..., pattern=ID_PATTERN)
Sid = PathParam(..., pattern=ID_PATTERN)
ShotId = PathParam(..., pattern=ID_PATTERN)


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


def _scene(doc: Project, sid: str):
    from storyloom.errors import NotFound
    for s in doc.scenes:
        if s.id == sid:
            return s
    raise NotFound(f"project {doc.title!r}: no scene {sid!r}")


def copy_shot(shot: Shot) -> Shot:
    """A deep copy with fresh ids for the shot, its takes and their layers."""
    new = shot.model_copy(deep=True)
    new.id = new_id()
    ids = {}
    for take in new.takes:
        ids[take.id] = take.id = new_id()
        for layer in take.layers:
            layer.id = new_id()
    new.selected_take = ids.get(shot.selected_take)
    return new


@router.post("/scenes/{sid}/shots")
def add_shot(body: ShotCreate, pid: str = Pid, sid: str = Sid, lib=Depends(get_lib)) -> dict:
    """A blank shot at ``index`` of the scene (the end when absent)."""
    def change(doc: Project):
        scene = _scene(doc, sid)
        index = len(scene.shots) if body.index is None else min(body.index, len(scene.shots))
        shot = scene.add_shot(index=index, title=body.title, duration=body.duration,
                              description=body.description)
        what = f"blank {shot_name(shot)}" if shot.title else "a blank shot"
        return f"add {what} at position {index + 1} of {scene_name(scene)}", shot.id
    return mutate(lib, pid, body.base_revision, change)


@router.patch("/shots/{shot_id}")
def patch_shot(body: ShotPatch, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib)) -> dict:
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        said = []
        if changed(body, shot, "title"):
            said.append(f"rename {shot_name(shot, doc)} to {body.title!r}")
            shot.title = body.title
        if changed(body, shot, "description"):
            said.append(f"describe {shot_name(shot, doc)}")
            shot.description = body.description
        if changed(body, shot, "duration"):
            said.append(f"set {shot_name(shot, doc)} to {body.duration:g} s")
            shot.duration = body.duration
        if body.transition is not None:
            t = Transition(kind=body.transition.kind,
                           duration=body.transition.duration if body.transition.kind == "crossfade" else 0.0)
            if t != shot.transition:
                said.append(f"{t.kind} into {shot_name(shot, doc)}" + (f" ({t.duration:g} s)" if t.duration else ""))
                shot.transition = t
        return ("; ".join(said) or f"edit {shot_name(shot, doc)}"), None
    return mutate(lib, pid, body.base_revision, change)


@router.post("/shots/{shot_id}/move")
def move_shot(body: ShotMove, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib)) -> dict:
    """Move a shot to ``index`` of scene ``scene_id`` (counted after taking it out)."""
    def change(doc: Project):
        src, _ = doc.find_shot(shot_id)
        dst = _scene(doc, body.scene_id)
        shot = doc.move_shot(shot_id, dst.id, body.index)
        if src is dst:
            return f"move {shot_name(shot, doc)} to position {dst.shots.index(shot) + 1} in {scene_name(dst)}", None
        return f"move {shot_name(shot, doc)} to {scene_name(dst)}", None
    return mutate(lib, pid, body.base_revision, change)


@router.post("/shots/{shot_id}/duplicate")
def duplicate_shot(body: BaseRevision, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib)) -> dict:
    """A copy right after the shot (new ids for the shot, its takes and layers)."""
    def change(doc: Project):
        scene, shot = doc.find_shot(shot_id)
        new = copy_shot(shot)
        scene.shots.insert(scene.shots.index(shot) + 1, new)
        return f"duplicate {shot_name(shot, doc)}", new.id
    return mutate(lib, pid, body.base_revision, change)


@router.delete("/shots/{shot_id}")
def delete_shot(pid: str = Pid, shot_id: str = ShotId, base_revision: int = Query(...),
                lib=Depends(get_lib)) -> dict:
    def change(doc: Project):
        scene, shot = doc.find_shot(shot_id)
        name = shot_name(shot, doc)  # before it leaves: its number is where it was
        scene.shots.remove(shot)
        return f"delete {name} from {scene_name(scene)}", None
    return mutate(lib, pid, base_revision, change)


@router.post("/shots/{shot_id}/preview")
def preview_shot(request: Request, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib),
                 runner=Depends(get_runner)) -> dict:
    """Render the shot alone (cached by content) as a job; its result has ``url``."""
    from storyloom.api.work import preview_job, preview_key
    project, revision = lib.load(pid)
    _, shot = project.find_shot(shot_id)  # 404 now rather than a failed job later
    key = preview_key(project, shot)
    for job in runner.active(pid, "preview"):  # clicked again: the preview under way answers
        if job.params.get("key") == key:
            return {"job_id": job.id}
    job_id = runner.submit("preview", pid, {"shot_id": shot_id, "revision": revision, "key": key},
                           preview_job(lib, project, shot_id, workers=request.app.state.render_workers))
    return {"job_id": job_id}
