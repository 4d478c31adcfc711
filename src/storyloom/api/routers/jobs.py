"""Jobs: state, progress as server-sent events, cancel, the produced file; starting renders."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Literal, Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from storyloom.api.deps import ID_PATTERN, ApiError, JobId, LibraryDep, Pid, RunnerDep
from storyloom.api.routers.assets import serve_file
from storyloom.errors import BadInput
from storyloom.store.jobs import TERMINAL

router = APIRouter(tags=["jobs"])

#: how often the event stream looks at the job row (seconds), and sends a keep-alive comment
POLL = 0.1
KEEPALIVE = 15.0


class RenderIn(BaseModel):
    format: Literal["mp4"] = "mp4"
    executor: Optional[Literal["pool", "ray"]] = Field(
        None, description="where the shots render: the local process pool, or Ray (default: Ray when the "
                          "server has STORYLOOM_RAY_ADDRESS, else the pool)")
    ray_address: Optional[str] = Field(None, max_length=200, pattern=r"^[A-Za-z0-9.:/_\[\]-]*$",
                                       description="with executor ray: the cluster's HOST:PORT; empty: a local Ray")


def job_json(job) -> dict:
    return {"id": job.id, "kind": job.kind, "status": job.state, "progress": round(job.progress, 4),
            "message": job.message, "result": job.result, "project_id": job.project_id,
            "created": job.created, "updated": job.updated, "resumable": job.resumable,
            "attempts": job.attempts, "work": job.work[-1] if job.work else {}}


Status = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]


@router.get("/api/jobs")
def list_jobs(lib: LibraryDep, project_id: Optional[str] = Query(None, pattern=ID_PATTERN),
              status: Optional[list[Status]] = Query(None, description="only jobs in these states (repeatable)"),
              limit: int = Query(100, ge=1, le=1000, description="at most this many, newest first")) -> list[dict]:
    """Jobs, newest first (one project's with ``project_id``; ``status=running&status=queued``
    for what is under way); at most ``limit`` (default 100)."""
    jobs = lib.jobs(project_id)
    if status:
        jobs = [j for j in jobs if j.state in status]
    return [job_json(j) for j in jobs[:limit]]


@router.get("/api/jobs/{job_id}")
def get_job(job_id: JobId, lib: LibraryDep) -> dict:
    return job_json(lib.job(job_id))


@router.get("/api/jobs/{job_id}/events")
async def job_events(request: Request, job_id: JobId, lib: LibraryDep):
    """``text/event-stream``: one ``data: {job}`` per change; ends once the job is done,
    failed or cancelled."""
    first = await run_in_threadpool(lib.job, job_id)  # 404 before the stream starts

    async def stream():
        last, job, quiet = None, first, 0.0
        while True:
            data = job_json(job)
            key = (data["status"], data["progress"], data["message"])
            if key != last:
                last, quiet = key, 0.0
                yield f"data: {json.dumps(data)}\n\n"
            if data["status"] in TERMINAL:
                return
            if quiet >= KEEPALIVE:
                quiet = 0.0
                yield ": keep-alive\n\n"
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL)
            quiet += POLL
            # off the event loop: a busy database must not stall every other request
            job = await run_in_threadpool(lib.job, job_id)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/api/jobs/{job_id}/cancel")
def cancel_job(job_id: JobId, runner: RunnerDep) -> dict:
    """Stop a job: queued ones at once, running ones at their next progress step."""
    return job_json(runner.cancel(job_id))


@router.post("/api/jobs/{job_id}/resume")
def resume_job(job_id: JobId, runner: RunnerDep) -> dict:
    """Run an interrupted, cancelled or failed job again: only what it had not finished is
    done (finished steps, stored media and found shots are read from the library's caches).
    409 when it is done or still running."""
    job = runner.lib.job(job_id)
    if job.state not in ("interrupted", "cancelled", "failed"):
        raise ApiError(409, f"job {job_id}: is {job.state}; only an interrupted, cancelled or failed job resumes")
    return job_json(runner.resume(job_id))


@router.get("/api/jobs/{job_id}/output")
@router.head("/api/jobs/{job_id}/output", include_in_schema=False)
def job_output(job_id: JobId, lib: LibraryDep, download: bool = False):
    """The file a finished job produced (Range supported; ``?download=1`` to save it)."""
    job = lib.job(job_id)
    if job.state != "done":
        raise ApiError(409, f"job {job_id}: is {job.state}, it has no output yet")
    path = Path((job.result or {}).get("path", ""))
    root = Path(lib.root).resolve()
    # only files inside the library are served (the path comes from our own job row)
    if not path.is_file() or not path.resolve().is_relative_to(root):
        raise ApiError(404, f"job {job_id}: its output is gone (the cache was cleared); run it again")
    name = None
    if download:
        title = ""
        if job.project_id:
            try:
                title = lib.load(job.project_id)[0].title
            except Exception:
                title = ""
        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip() or job.kind
        name = f"{safe}{path.suffix}"
    return serve_file(path, etag=f"{job_id}-{path.stat().st_mtime_ns}", filename=name, inline=not download)


@router.post("/api/projects/{pid}/render")
def render(request: Request, pid: Pid, lib: LibraryDep, runner: RunnerDep, body: Optional[RenderIn] = None) -> dict:
    """Render the film as a job; its result is ``{url, path, seconds}``."""
    project, revision = lib.load(pid)
    if not project.shots():
        raise BadInput(f"project {project.title!r}: no shots to render; add or import some first")
    for job in runner.active(pid, "render"):  # asked twice: the render under way answers both
        if job.params.get("revision") == revision:
            return {"job_id": job.id}
    body = body or RenderIn()
    ray = None if body.executor is None else False if body.executor == "pool" else (body.ray_address or True)
    job_id = runner.submit("render", pid, {"format": body.format, "revision": revision,
                                           "workers": request.app.state.render_workers, "ray": ray})
    return {"job_id": job_id}
