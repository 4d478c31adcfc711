"""What every router shares: the library, errors as HTTP answers, and one-revision edits.

Every change to a project goes through :func:`mutate`: it loads the head, refuses a stale
``base_revision`` with 409 before touching anything, applies the change, and saves exactly
one revision with a one-line summary.

    >>> def rename(doc):                                     # doctest: +SKIP
    ...     doc.title = "Trip"
    ...     return "rename project to 'Trip'", None
    >>> mutate(lib, pid, 3, rename)["revision"]              # doctest: +SKIP
    4
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyloom.errors import BadInput, EngineUnavailable, NotFound, StaleRevision, StoryloomError
from storyloom.model.document import Project

log = logging.getLogger("storyloom.api")

#: a change: edits the document in place, returns (summary, id of what it created or None)
Change = Callable[[Project], tuple[str, Optional[str]]]

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
JOB_PATTERN = r"^[0-9a-f]{6,64}$"


def one_line(text, limit: int = 400) -> str:
    """A message as one line a user can read: line breaks folded, long ones cut.

    >>> one_line("ffmpeg failed:\\n  bad header\\n")
    'ffmpeg failed: bad header'
    """
    out = " ".join(str(text).split())
    return out if len(out) <= limit else out[:limit - 1].rstrip() + "…"


class ApiError(Exception):
    """An answer other than 2xx: ``status``, a one-line ``detail`` and extra JSON fields."""

    def __init__(self, status: int, detail: str, **extra: Any):
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def get_lib(request: Request):
    """The app's ``storyloom.store.Library`` (FastAPI dependency)."""
    return request.app.state.lib


def get_runner(request: Request):
    """The app's background job runner (FastAPI dependency)."""
    return request.app.state.runner


def project_json(project: Project) -> dict:
    return project.model_dump(mode="json")


def steps(lib, project_id: str) -> dict:
    """What undo and redo would do now, in the history's words (None: nothing to undo/redo):
    the page's buttons say it ("Undo: delete shot 3") and grey out when there is nothing.

    The revisions without their documents: a few small rows, read once per answer.
    """
    revs = lib.history(project_id)
    head = next((r for r in revs if r.current), None)
    if head is None:
        return {"undo": None, "redo": None}
    redo = next((r for r in revs if r.parent == head.number), None)  # newest first: the one redo picks
    return {"undo": head.summary if head.parent is not None else None,
            "redo": redo.summary if redo is not None else None}


def head_of(lib, project_id: str) -> int:
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
    """Apply ``change`` to the head document and save it as one revision.

    Refuses (409, nothing saved) when ``base_revision`` is not the head, before or after
    the change runs (a save in between by another client). Returns the answer every
    mutation gives: ``{"revision", "project", "steps", "id"?}`` (``steps``: :func:`steps`).
    """
    project = load_at(lib, project_id, base_revision)
    summary, created = change(project)
    try:
        revision = lib.save(project, base_revision, summary)
    except StaleRevision:
        raise stale(lib, project_id, base_revision) from None
    out = {"revision": revision, "project": project_json(project), "steps": steps(lib, project_id)}
    if created is not None:
        out["id"] = created
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


def changed(body, obj, key: str) -> bool:
    """Whether patch ``body`` sets ``key`` to a value other than ``obj``'s (``None`` = leave it)."""
    value = getattr(body, key)
    return value is not None and value != getattr(obj, key)


def shot_name(shot, doc=None) -> str:
    """``shot 'Sky'``, for summaries and messages; an untitled shot by its number on the
    storyboard (``shot 3``), as the page shows it, never by its id.

    >>> from storyloom.model.document import Project
    >>> doc = Project(title="t"); scene = doc.add_scene(title="A")
    >>> shot_name(scene.add_shot(title="Sky")), shot_name(scene.add_shot(), doc)
    ("shot 'Sky'", 'shot 2')
    """
    if shot.title:
        return f"shot {shot.title!r}"
    if doc is not None:
        for number, other in enumerate(doc.shots(), 1):
            if other is shot:
                return f"shot {number}"
    return "an untitled shot"


def scene_name(scene) -> str:
    return scene.title or "an untitled scene"
