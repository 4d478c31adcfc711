"""The studio server: FastAPI app over one library folder.

    >>> from storyloom.api import create_app
    >>> app = create_app("films")                        # doctest: +SKIP
    >>> import uvicorn; uvicorn.run(app, port=8765)       # doctest: +SKIP

Bound to anything but localhost, the app requires a token on every request; without a
token it answers only requests addressed to a loopback name (see ``storyloom.api.auth``);
CORS stays closed unless ``cors_origins`` is given.
"""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Optional, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from storyloom.api.auth import LocalOnly, TokenAuth, is_local_host, new_token
from storyloom.api.deps import install_error_handlers
from storyloom.api.routers import (assets, characters, engines, imports, jobs, layers, operations, projects, scenes,
                                   shots, takes, tools)
from storyloom.api.runner import JobRunner
from storyloom.api.uploads import DEFAULT_LIMIT
from storyloom.config import setting
from storyloom.errors import one_line
from storyloom.store import Library

log = logging.getLogger("storyloom.api")

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

TAGS = [
    {"name": "projects", "description": "projects, revisions, undo/redo, history, OTIO export"},
    {"name": "scenes", "description": "scenes of a project"},
    {"name": "shots", "description": "shots of a scene; shot previews"},
    {"name": "takes", "description": "alternative versions of a shot"},
    {"name": "layers", "description": "the layer stack of a shot's selected take"},
    {"name": "operations", "description": "typed edits (restyle, camera move, …) and their availability"},
    {"name": "characters", "description": "the cast of a project"},
    {"name": "assets", "description": "uploaded media, served with HTTP Range"},
    {"name": "imports", "description": "footage import (split into shots) and scripts"},
    {"name": "jobs", "description": "long work with progress (server-sent events), cancel, output"},
    {"name": "engines", "description": "backends per capability and why they can or cannot run"},
]


def _setting(key: str, default=None):
    return setting("server", key, default)


def _clear_old_uploads(folder: Path, older_than: float = 6 * 3600) -> None:
    """Remove upload temp files a crashed server left behind (old ones only: another
    server on the same library may be receiving one right now)."""
    for p in folder.glob("upload-*") if folder.is_dir() else []:
        try:
            if time.time() - p.stat().st_mtime > older_than:
                p.unlink()
        except OSError:
            pass


def create_app(library_path, token: Optional[str] = None, *, host: str = "127.0.0.1",
               max_upload: Optional[int] = None, cors_origins: Optional[Sequence[str]] = None,
               render_workers: Optional[int] = None, job_workers: int = 2,
               static_dir: Optional[Path] = None) -> FastAPI:
    """Build the studio app for the library at ``library_path`` (created if missing).

    ``token``: required on every request when set; generated when ``host`` is not a
    loopback address and none is given (read it back from ``app.state.token``).
    ``max_upload``: largest accepted upload in bytes (default: ``[server] max_upload`` or 2 GiB).
    ``render_workers``: processes per render (None: the renderer's default, 0: in-process).

    >>> app = create_app(tmp / "lib", host="0.0.0.0")    # doctest: +SKIP
    >>> len(app.state.token) > 20                          # doctest: +SKIP
    True
    """
    token = token or _setting("token")
    if token is None and not is_local_host(host):
        token = new_token()
    lib = Library.open(library_path)
    runner = JobRunner(lib, workers=job_workers)
    runner.fail_interrupted()
    _clear_old_uploads(Path(lib.root) / "uploads")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.shutdown()

    app = FastAPI(title="Storyloom studio", version="1", openapi_tags=TAGS, lifespan=lifespan,
                  description="The HTTP API of the Storyloom studio (see .brief/API.md).")
    app.state.lib = lib
    app.state.runner = runner
    app.state.token = token
    app.state.max_upload = int(max_upload or _setting("max_upload", DEFAULT_LIMIT))
    app.state.render_workers = render_workers
    static = Path(static_dir) if static_dir is not None else STATIC_DIR
    app.state.static_dir = static
    install_error_handlers(app)

    for module in (projects, scenes, shots, takes, layers, tools, operations, characters, assets, imports,
                   jobs, engines):
        app.include_router(module.router)

    missing = {"detail": f"the studio page is missing: {static} has no index.html "
                         f"(reinstall Storyloom or build the web front end)"}

    @app.get("/", include_in_schema=False)
    def index():
        page = static / "index.html"
        if not page.is_file():
            return JSONResponse(missing, status_code=404)
        return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})

    @app.get("/static/{path:path}", include_in_schema=False)
    def static_file(path: str):
        root = static.resolve()
        target = (root / path).resolve()
        # resolve() folds "..": anything that lands outside the folder is refused
        if not root.is_dir():
            return JSONResponse(missing, status_code=404)
        if not target.is_relative_to(root) or not target.is_file():
            return JSONResponse({"detail": f"static/{path}: no such file"}, status_code=404)
        return FileResponse(target, headers={"Cache-Control": "no-cache"},
                            media_type="text/javascript" if target.suffix == ".js" else None)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": one_line(f"internal error: {type(exc).__name__}: {exc}")}, status_code=500)

    origins = cors_origins or _setting("cors_origins", []) or []
    if isinstance(origins, str):  # from the environment: "https://a.example,https://b.example"
        origins = [o.strip() for o in origins.split(",") if o.strip()]
    if token:
        app.add_middleware(TokenAuth, token=token)
    else:  # no token: only this machine's browser, and only pages of this studio, may change things
        app.add_middleware(LocalOnly, origins=origins)
    if origins:  # closed by default: only origins the user configured
        from fastapi.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"])
    return app
