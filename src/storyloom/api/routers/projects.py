"""Projects: list, create, read, change settings, delete; undo, redo, history; OTIO export."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from storyloom.api.deps import LibraryDep, Pid, RunnerDep, load_at, mutate, project_json, steps
from storyloom.export.otio import export_otio as write_otio
from storyloom.model import Project, Size
from storyloom.studio import board

router = APIRouter(prefix="/api/projects", tags=["projects"])


class ProjectCreate(BaseModel):
    title: str = Field("Untitled", min_length=1, max_length=200)
    width: int = Field(1280, ge=16, le=8192)
    height: int = Field(720, ge=16, le=8192)
    fps: float = Field(24.0, gt=0, le=240)


class ProjectPatch(BaseModel):
    base_revision: int
    title: Optional[str] = Field(None, min_length=1, max_length=200)
    fps: Optional[float] = Field(None, gt=0, le=240)
    width: Optional[int] = Field(None, ge=16, le=8192)
    height: Optional[int] = Field(None, ge=16, le=8192)


@router.get("")
def list_projects(lib: LibraryDep) -> list[dict]:
    """Every project, most recently changed first, with its shot count and length."""
    out = []
    for info in lib.projects():
        doc, head = lib.load(info.id)
        out.append({"id": info.id, "title": info.title, "revision": head, "updated": info.updated,
                    "shots": len(doc.shots()), "duration": round(doc.duration, 4)})
    return out


@router.post("")
def create_project(body: ProjectCreate, lib: LibraryDep) -> dict:
    """A new, empty project (``{id, revision, project}``)."""
    project = Project(title=body.title, size=Size(width=body.width, height=body.height), fps=body.fps)
    revision = lib.create_project(project, summary=f"create project {body.title!r}")
    return {"id": project.id, "revision": revision, "project": project_json(project),
            "steps": {"undo": None, "redo": None}}


@router.get("/{pid}")
def get_project(pid: Pid, lib: LibraryDep) -> dict:
    project, head = lib.load(pid)
    # (undo and redo carry base_revision: steps read a moment later can never make them act unseen)
    return {"revision": head, "project": project_json(project), "steps": steps(lib, pid)}


@router.patch("/{pid}")
def patch_project(body: ProjectPatch, pid: Pid, lib: LibraryDep) -> dict:
    """Rename, or change the frame size or rate (one revision)."""
    return mutate(lib, pid, body.base_revision, lambda doc: board.set_project(
        doc, body.title, body.fps, body.width, body.height))


@router.delete("/{pid}", status_code=204)
def delete_project(pid: Pid, lib: LibraryDep, runner: RunnerDep):
    """Delete a project; its queued and running jobs are cancelled."""
    lib.delete_project(pid)
    for job in runner.active(pid):
        runner.cancel(job.id)
    return Response(status_code=204)


def _check_base(lib, pid: str, base_revision: Optional[int]) -> None:
    if base_revision is not None:
        load_at(lib, pid, base_revision)


@router.post("/{pid}/undo")
def undo(pid: Pid, lib: LibraryDep,
         base_revision: Optional[int] = Query(None, description="409 unless the head is this")) -> dict:
    """Step back one revision (400 when there is nothing to undo). With ``?base_revision=N``
    a page showing an older revision gets 409 instead of undoing someone else's edit."""
    _check_base(lib, pid, base_revision)
    lib.undo(pid)
    return get_project(pid, lib)


@router.post("/{pid}/redo")
def redo(pid: Pid, lib: LibraryDep,
         base_revision: Optional[int] = Query(None, description="409 unless the head is this")) -> dict:
    _check_base(lib, pid, base_revision)
    lib.redo(pid)
    return get_project(pid, lib)


@router.get("/{pid}/history")
def history(pid: Pid, lib: LibraryDep,
            limit: Optional[int] = Query(None, ge=1, le=100_000, description="the newest N only")) -> list[dict]:
    """Every revision (or the newest ``limit``), newest first; ``current`` marks the one shown."""
    revs = lib.history(pid)
    return [{"number": r.number, "timestamp": r.timestamp, "summary": r.summary, "current": r.current}
            for r in (revs[:limit] if limit else revs)]


@router.get("/{pid}/export.otio")
def export_otio(pid: Pid, lib: LibraryDep):
    """The storyboard as an OpenTimelineIO timeline (one clip per shot)."""
    project, _ = lib.load(pid)
    fd, tmp = tempfile.mkstemp(dir=lib.cache_dir, prefix="export-", suffix=".otio")
    os.close(fd)
    path = Path(write_otio(lib, project, tmp))
    safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in project.title).strip() or "storyboard"
    return FileResponse(path, media_type="application/json", filename=f"{safe}.otio",
                        background=BackgroundTask(lambda: path.unlink(missing_ok=True)))
