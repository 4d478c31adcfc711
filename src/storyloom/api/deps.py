"""What every router shares: the library and the job runner as ``Annotated`` dependencies,
the path parameters, errors as HTTP answers, and one-revision edits.

Every change to a project goes through :func:`mutate`: it runs one studio service call
(``storyloom.studio``) on the head, refuses a stale ``base_revision`` with 409 before
touching anything, and saves exactly one revision with the call's one-line summary.

    >>> @router.post("/{pid}/scenes")                                      # doctest: +SKIP
    ... def add_scene(body: SceneCreate, pid: Pid, lib: LibraryDep) -> dict:
    ...     return mutate(lib, pid, body.base_revision, lambda doc: board.add_scene(doc, body.title))
"""
from __future__ import annotations

import logging
from typing import Annotated, Any, Optional

from fastapi import Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyloom.api.runner import JobRunner
from storyloom.errors import BadInput, EngineUnavailable, NotFound, StaleRevision, StoryloomError, one_line
from storyloom.model import Project
from storyloom.store import Library
from storyloom.studio.commit import Change, commit

log = logging.getLogger("storyloom.api")

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
JOB_PATTERN = r"^[0-9a-f]{6,64}$"


class ApiError(Exception):
    """An answer other than 2xx: ``status``, a one-line ``detail`` and extra JSON fields."""

    def __init__(self, status: int, detail: str, **extra: Any):
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def get_lib(request: Request) -> Library:
    """The app's ``storyloom.store.Library`` (FastAPI dependency)."""
    return request.app.state.lib


def get_runner(request: Request) -> JobRunner:
    """The app's background job runner (FastAPI dependency)."""
    return request.app.state.runner


LibraryDep = Annotated[Library, Depends(get_lib)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
#: path parameters: ids as the studio makes them
Pid = Annotated[str, Path(pattern=ID_PATTERN, description="project id")]
SceneId = Annotated[str, Path(pattern=ID_PATTERN)]
ShotId = Annotated[str, Path(pattern=ID_PATTERN)]
LayerId = Annotated[str, Path(pattern=ID_PATTERN)]
TakeId = Annotated[str, Path(pattern=ID_PATTERN)]
CharacterId = Annotated[str, Path(pattern=ID_PATTERN)]
JobId = Annotated[str, Path(pattern=JOB_PATTERN)]
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN)]


def project_json(project: Project) -> dict:
    """The document as the API answers it (JSON-ready, with its schema tags)."""
    return project.model_dump(mode="json")


def steps(lib, project_id: str) -> dict:
    """What undo and redo would do now, in the history's words (None: nothing to undo/redo):
    the page's buttons say it ("Undo: delete shot 3") and grey out when there is nothing.
    Two indexed lookups, however long the history (``Library.undo_redo``)."""
    undo, redo = lib.undo_redo(project_id)
    return {"undo": undo, "redo": redo}


def head_of(lib, project_id: str) -> int:
    """The project's head revision number."""
    return lib.load(project_id)[1]


def stale(lib, project_id: str, base_revision: int, head: Optional[int] = None) -> ApiError:
    """The 409 for an edit based on an old revision; carries the head so the page reloads."""
    head = head_of(lib, project_id) if head is None else head
    return ApiError(409, f"project {project_id} changed elsewhere: your edit is based on revision "
                         f"{base_revision} but it is now at revision {head}; reload and try again",
                    revision=head)


def load_at(lib, project_id: str, base_revision: int) -> Project:
    """The head document, or the 409 from :func:`stale` when the head is not ``base_revision``."""
    project, head = lib.load(project_id)
    if head != base_revision:
        raise stale(lib, project_id, base_revision, head)
    return project


def mutate(lib, project_id: str, base_revision: int, change: Change) -> dict:
    """Run ``change(doc) -> Edit`` (a studio service call) on the head document and save it
    as one revision.

    Refuses (409, nothing saved) when ``base_revision`` is not the head, before or after
    the change runs (a save in between by another client). Returns the answer every
    mutation gives: ``{"revision", "project", "steps", "id"?}`` (``steps``: :func:`steps`;
    ``id``: what the edit created).
    """
    try:
        project, revision, edit = commit(lib, project_id, change, base_revision)
    except StaleRevision:
        raise stale(lib, project_id, base_revision) from None
    out = {"revision": revision, "project": project_json(project), "steps": steps(lib, project_id)}
    if edit.created is not None:
        out["id"] = edit.created
    return out


def _one_line_validation(errors: list) -> str:
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
        parts.append(f"{loc}: {e.get('msg', 'invalid')}" if loc else str(e.get("msg", "invalid")))
    return one_line("; ".join(parts) or "invalid request")


def install_error_handlers(app: FastAPI) -> None:
    """Map Storyloom errors to HTTP: NotFound 404, BadInput 400, StaleRevision 409,
    EngineUnavailable 503; validation errors become 422 with one readable line."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse({"detail": one_line(exc.detail), **exc.extra}, status_code=exc.status)

    @app.exception_handler(StoryloomError)
    async def _storyloom_error(request: Request, exc: StoryloomError):
        if isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, BadInput):
            status = 400
        elif isinstance(exc, StaleRevision):
            status = 409
        elif isinstance(exc, EngineUnavailable):
            status = 503
        else:
            status = 400
        return JSONResponse({"detail": one_line(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _one_line_validation(exc.errors())}, status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_invalid(request: Request, exc: ValidationError):
        return JSONResponse({"detail": _one_line_validation(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"detail": one_line(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
