"""Assets: upload media (streamed, size-limited, checked by content) and serve stored files
with HTTP Range (seeking in the player, thumbnails)."""
from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from storyloom.api.deps import LibraryDep, Sha256
from storyloom.api.uploads import receive_upload, recognise

router = APIRouter(prefix="/api/assets", tags=["assets"])

UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post("", openapi_extra=UPLOAD_BODY)
async def upload_asset(request: Request, lib: LibraryDep) -> dict:
    """Store an uploaded file: ``{sha256, name, kind, info}``. 413 past the size limit,
    415 when the content is not a video, picture or sound."""
    up = await receive_upload(request, lib, request.app.state.max_upload)
    try:
        ref, info = await run_in_threadpool(recognise, up, lib)
    finally:
        up.discard()
    return {"sha256": ref.sha256, "name": ref.name, "kind": ref.kind, "info": info.to_dict()}


def media_type(path) -> str:
    kind, _ = mimetypes.guess_type(str(path))
    return kind or "application/octet-stream"


def serve_file(path, etag: str = None, filename: str = None, inline: bool = True) -> FileResponse:
    """A file with Range support (206 / 416, If-Range) from Starlette's FileResponse."""
    headers = {"Cache-Control": "private, max-age=3600"}
    if etag:
        headers["ETag"] = f'"{etag}"'
    return FileResponse(path, media_type=media_type(path), headers=headers, filename=filename,
                        content_disposition_type="inline" if inline else "attachment")


@router.get("/{sha256}")
@router.head("/{sha256}", include_in_schema=False)
def get_asset(sha256: Sha256, lib: LibraryDep):
    """The stored file (``Range: bytes=a-b`` answers 206; a range past the end 416)."""
    return serve_file(lib.asset_path(sha256), etag=sha256)


@router.get("/{sha256}/info")
def asset_info(sha256: Sha256, lib: LibraryDep) -> dict:
    """What the file holds, as probed once at import."""
    info = lib.asset_info(sha256)
    return {"sha256": sha256, "kind": info.kind, "info": info.to_dict()}
