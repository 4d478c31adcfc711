"""Finished outputs in the library's cache: a shot rendered alone (a preview, kept by
content so an unchanged shot is served at once) and the studio's renders; pruning them.

    >>> key = preview_key(project, shot)          # doctest: +SKIP
    >>> render_preview(lib, project, shot, cache / f"{key}.mp4")   # doctest: +SKIP
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Optional

from storyloom.engines.base import candidates
from storyloom.errors import NotFound
from storyloom.media import VideoWriter, iter_frames, read_audio
from storyloom.model import Project, Scene, Transition
from storyloom.model.timing import shot_frame_count, shown_shots
from storyloom.progress import Progress, no_progress
from storyloom.render import render_project

log = logging.getLogger("storyloom.studio")

PREVIEWS = "previews"
RENDERS = "renders"
#: finished outputs kept in the cache: the newest renders of each project, and the previews
#: used most recently (and within the last days); older ones are removed after each job
KEEP_RENDERS = 3
KEEP_PREVIEWS = 200
PREVIEW_DAYS = 14.0
#: folders of the package whose code does not change a rendered picture or sound
_NOT_RENDERING = ("api", "cli", "web")


@functools.lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """A hash of the code that makes pictures and sound (renderer, model, media, engines,
    steps; the package's ``__init__`` holds its version): a preview made by other code is
    never served.

    >>> len(renderer_fingerprint())
    16
    """
    root = Path(__file__).resolve().parents[1]   # the storyloom package
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root)
        if rel.parts[0] in _NOT_RENDERING:
            continue
        h.update(str(rel).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _engines_used(shots) -> list[str]:
    """The identities of the engines the shots' operations may run on here: installing a
    better engine (or weights) changes which one runs, so the preview too."""
    caps = {(op.capability, op.engine) for shot in shots
            for op in [*shot.operations, *(o for layer in shot.layers for o in layer.operations)]
            if getattr(op, "capability", "")}
    return sorted({c.identity() for cap, pinned in caps for c in candidates(cap, pinned)})


def preview_key(project: Project, shot) -> str:
    """A content hash of everything the shot's picture and sound depend on: the shot, the
    shots its layers show, the frame size and rates, the renderer's code and the engines
    its operations may use.

    >>> preview_key(project, shot) == preview_key(project, shot)   # doctest: +SKIP
    True
    """
    skip = {"id", "title", "description"}
    shown = shown_shots(project, shot)
    basis = {"size": project.size.model_dump(mode="json"), "fps": project.fps,
             "rate": project.sample_rate, "shot": shot.model_dump(mode="json", exclude=skip),
             "shows": {s.id: s.model_dump(mode="json", exclude=skip) for s in shown},
             "renderer": renderer_fingerprint(), "engines": _engines_used([shot, *shown])}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:32]


def _keep_first(src: Path, dst: Path, frames: int, project: Project) -> None:
    """Write the first ``frames`` frames of ``src`` and their sound to ``dst`` (streamed;
    the writer renames on success, so ``dst`` is never half-written)."""
    rate = project.sample_rate
    with VideoWriter(dst, project.size.width, project.size.height, project.fps, audio_rate=rate) as w:
        for f in iter_frames(src, 0, frames):
            w.write(f)
        w.write_audio(read_audio(src, rate, 2, 0.0, frames / project.fps))


def render_preview(lib, project: Project, shot, out: Path, progress: Progress = no_progress,
                   workers: Optional[int] = None) -> None:
    """Render ``shot`` alone (cut in, no neighbours) to ``out``. The shots its layers show
    are rendered after it in the same film (cut, no transition) and only its own frames
    are kept."""
    alone = project.model_copy(deep=True)
    single = copy.deepcopy(shot)
    single.transition = Transition()
    alone.scenes = [Scene(title="preview", shots=[single])]
    out.parent.mkdir(parents=True, exist_ok=True)
    shown = shown_shots(project, shot)
    if not shown:
        render_project(lib, alone, out, progress=progress, workers=workers)
        return
    extra = [copy.deepcopy(s) for s in shown]
    for s in extra:
        s.transition = Transition()
    alone.scenes.append(Scene(title="shown", shots=extra))
    full = out.with_name(f".{out.stem}.full.mp4")
    try:
        render_project(lib, alone, full, progress=lambda f, m: progress(0.9 * f, m), workers=workers)
        progress(0.92, "keeping the shot's own frames")
        _keep_first(full, out, shot_frame_count(project, shot), project)
    finally:
        full.unlink(missing_ok=True)


def prune_outputs(lib, keep_renders: Optional[int] = None, keep_previews: Optional[int] = None,
                  preview_days: Optional[float] = None) -> list[Path]:
    """Remove old finished outputs from the cache; returns what was removed.

    Renders (``cache/renders/<job id>.mp4``): the newest ``keep_renders`` of each project
    stay; those of deleted projects and of jobs no longer in the library go. Previews
    (``cache/previews``): the ``keep_previews`` used most recently stay, unless unused for
    ``preview_days``. A pruned output's job answers "its output is gone; run it again".

    >>> prune_outputs(lib, keep_renders=1)   # doctest: +SKIP
    [PosixPath('…/cache/renders/3f9a0c1b2d4e.mp4')]
    """
    keep_renders = KEEP_RENDERS if keep_renders is None else keep_renders
    keep_previews = KEEP_PREVIEWS if keep_previews is None else keep_previews
    preview_days = PREVIEW_DAYS if preview_days is None else preview_days
    cache = Path(lib.cache_dir)
    removed: list[Path] = []

    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0

    def drop(p: Path) -> None:
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass

    live = {info.id for info in lib.projects()}
    by_project: dict[str, list[Path]] = {}
    for f in (cache / RENDERS).glob("*.mp4"):
        try:
            pid = lib.job(f.stem).project_id
        except NotFound:
            pid = None
        if pid not in live:
            drop(f)
        else:
            by_project.setdefault(pid, []).append(f)
    for files in by_project.values():
        for f in sorted(files, key=mtime, reverse=True)[max(0, keep_renders):]:
            drop(f)
    old = time.time() - preview_days * 86400
    previews = sorted((cache / PREVIEWS).glob("*.mp4"), key=mtime, reverse=True)
    for i, f in enumerate(previews):
        if i >= keep_previews or mtime(f) < old:
            drop(f)
    return removed


def prune_quietly(lib) -> None:
    """``prune_outputs``, logging (never raising) a failure: tidying the cache must never
    fail the job that made a film."""
    try:
        prune_outputs(lib)
    except Exception:
        log.exception("pruning the render cache failed")
