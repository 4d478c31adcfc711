"""Importing footage (split into shots and scenes, as a job) and scripts."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Depends, Path as PathParam, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from storyloom.api.deps import ID_PATTERN, ApiError, get_lib, get_runner, mutate
from storyloom.api.uploads import receive_upload, recognise
from storyloom.model.document import Project

router = APIRouter(prefix="/api/projects/{pid}", tags=["imports"])
Pid = PathParam(..., pattern=ID_PATTERN)

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
async def import_media(request: Request, pid: str = Pid, lib=Depends(get_lib), runner=Depends(get_runner)) -> dict:
    """Upload footage or a still; a job splits it into shots (``split``, default true),
    groups them into new scenes (or adds them to ``scene_id``) and saves one revision."""
    from storyloom.api.work import import_job
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
    job_id = runner.submit("import", pid, {"file": up.filename, "split": split, "scene_id": scene_id},
                           import_job(lib, pid, up.path, up.filename, split, scene_id), cleanup=up.discard)
    return {"job_id": job_id}


@router.post("/script")
def apply_script(body: ScriptIn, pid: str = Pid, lib=Depends(get_lib)) -> dict:
    """Scenes, shots and cast from a Fountain or prose script (``storyloom.script``)."""
    try:
        from storyloom.script import apply_script as apply
    except ImportError:
        raise ApiError(501, "script import is not available in this Storyloom (storyloom.script is missing)")

    def change(doc: Project):
        name = Path(body.filename or "script").name
        scenes, shots = len(doc.scenes), len(doc.shots())
        result = apply(doc, body.text, name)
        if isinstance(result, Project) and result is not doc:
            # apply_script returned a new document: carry it into ours so one revision saves it
            for field in result.model_fields:
                if field != "id":
                    setattr(doc, field, getattr(result, field))
        added, new_shots = len(doc.scenes) - scenes, len(doc.shots()) - shots
        what = f"script {name}" if body.filename else "pasted script"  # not "script script"
        return (f"{what} ({added} scene{'s' if added != 1 else ''}, "
                f"{new_shots} shot{'s' if new_shots != 1 else ''})"), None
    return mutate(lib, pid, body.base_revision, change)
