"""Importing footage (split into shots and scenes, as a job) and scripts."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from storyloom.api.deps import ApiError, LibraryDep, Pid, RunnerDep, mutate
from storyloom.api.uploads import receive_upload, recognise
from storyloom.studio.script import add_script

router = APIRouter(prefix="/api/projects/{pid}", tags=["imports"])

IMPORT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "split": {"type": "boolean", "default": True},
                   "scene_id": {"type": "string"}}}}}}}


class ScriptIn(BaseModel):
    base_revision: int
    text: str = Field(..., max_length=2_000_000)
    filename: Optional[str] = Field(None, max_length=200)


def _flag(value: Optional[str], default: bool) -> bool:
    if value is None or value == "":
        return default
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ApiError(400, f"split={value!r}: expected true or false")


@router.post("/import", openapi_extra=IMPORT_BODY)
async def import_media(request: Request, pid: Pid, lib: LibraryDep, runner: RunnerDep) -> dict:
    """Upload footage or a still; a job splits it into shots (``split``, default true),
    groups them into new scenes (or adds them to ``scene_id``) and saves one revision."""
    project, _ = lib.load(pid)  # 404 before receiving a large file
    up = await receive_upload(request, lib, request.app.state.max_upload)
    try:
        split = _flag(up.fields.get("split"), True)
        scene_id = up.fields.get("scene_id") or None
        if scene_id:
            project.scene(scene_id)
        await run_in_threadpool(recognise, up, lib)  # 415 now, not in the job
    except BaseException:
        up.discard()
        raise
    # the upload stays in the library until the import is done, so an interrupted one resumes
    job_id = runner.submit("import", pid, {"file": up.filename, "paths": [str(up.path)], "names": [up.filename],
                                           "split": split, "scene_id": scene_id, "discard": True})
    return {"job_id": job_id}


@router.post("/script")
def apply_script(body: ScriptIn, pid: Pid, lib: LibraryDep) -> dict:
    """Scenes, shots and cast from a Fountain or prose script (``storyloom.studio.script``)."""
    name = Path(body.filename or "script").name
    return mutate(lib, pid, body.base_revision, lambda doc: add_script(
        doc, body.text, name, pasted=not body.filename, counted=True))  # pasted: not "script script"
