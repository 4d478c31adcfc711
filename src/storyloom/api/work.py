"""The work studio jobs do: render a project, preview one shot, import footage, the layer
tools (extract a layer, replace a background); and keeping the cache of finished outputs small.

Each ``*_job`` returns the job function the runner calls as ``run(report, job_id)``.

    >>> runner.submit("render", pid, {}, render_job(lib, pid, workers=0))   # doctest: +SKIP
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Optional

from storyloom.errors import NotFound, StaleRevision
from storyloom.model.document import Project, Scene, ShotSource, Transition

log = logging.getLogger("storyloom.api")

PREVIEWS = "previews"
RENDERS = "renders"
#: finished outputs kept in the cache: the newest renders of each project, and the previews
#: used most recently (and within the last days); older ones are removed after each job
KEEP_RENDERS = 3
KEEP_PREVIEWS = 200
PREVIEW_DAYS = 14.0
#: folders of the package whose code does not change a rendered picture or sound
_NOT_RENDERING = ("api", "cli", "web")


def output_url(job_id: str) -> str:
    return f"/api/jobs/{job_id}/output"


def render_job(lib, project_id: str, workers: Optional[int] = None):
    """Render the project's head to ``cache/renders/<job id>.mp4``."""
    def run(report, job_id: str) -> dict:
        from storyloom.render import render_project
        project, revision = lib.load(project_id)
        out = Path(lib.cache_dir) / RENDERS / f"{job_id}.mp4"
        out.parent.mkdir(parents=True, exist_ok=True)
        res = render_project(lib, project, out, progress=report, workers=workers)
        _prune_quietly(lib)
        return {"url": output_url(job_id), "path": str(res.path), "seconds": round(res.seconds, 3),
                "frames": res.frames, "duration": res.duration, "revision": revision}
    return run


@functools.lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """A hash of the Storyloom version and the code that makes pictures and sound (renderer,
    model, media, engines, steps): a preview made by other code is never served.

    >>> len(renderer_fingerprint())
    16
    """
    import storyloom
    root = Path(storyloom.__file__).resolve().parent
    h = hashlib.sha256(storyloom.__version__.encode())
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root)
        if rel.parts[0] in _NOT_RENDERING:
            continue
        h.update(str(rel).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _shown_shots(project: Project, shot) -> list:
    """The shots whose pictures ``shot``'s layers show (through ShotSource), transitively."""
    out, seen, todo = [], {shot.id}, [shot]
    while todo:
        for layer in todo.pop().layers:
            src = layer.source
            if isinstance(src, ShotSource) and src.shot_id not in seen:
                seen.add(src.shot_id)
                try:
                    target = project.find_shot(src.shot_id)[1]
                except NotFound:
                    continue
                out.append(target)
                todo.append(target)
    return out


def _engines_used(shots) -> list:
    """(identity, available) of every engine that could carry out the shots' operations:
    installing a better engine (or weights) changes which one runs, so the preview too."""
    from storyloom.engines.base import capability_identities
    caps = set()
    for shot in shots:
        for op in list(shot.operations) + [o for layer in shot.layers for o in layer.operations]:
            if getattr(op, "capability", ""):
                caps.add(op.capability)
    return [pair for cap in sorted(caps) for pair in capability_identities(cap)]


def preview_key(project: Project, shot) -> str:
    """A content hash of everything the shot's picture and sound depend on: the shot, the
    shots its layers show, the frame size and rates, the renderer's code and the engines
    its operations may use.

    >>> preview_key(project, shot) == preview_key(project, shot)   # doctest: +SKIP
    True
    """
    skip = {"id", "title", "description"}
    shown = _shown_shots(project, shot)
    basis = {"size": project.size.model_dump(mode="json"), "fps": project.fps,
             "rate": project.sample_rate, "shot": shot.model_dump(mode="json", exclude=skip),
             "shows": {s.id: s.model_dump(mode="json", exclude=skip) for s in shown},
             "renderer": renderer_fingerprint(), "engines": _engines_used([shot, *shown])}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:32]


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


def _prune_quietly(lib) -> None:
    try:
        prune_outputs(lib)
    except Exception:  # tidying the cache must never fail the job that made a film
        log.exception("pruning the render cache failed")


def preview_job(lib, project: Project, shot_id: str, workers: Optional[int] = None):
    """Render one shot alone (cut in, no neighbours) into ``cache/previews/<hash>.mp4``;
    a shot whose content did not change is served from the cache at once."""
    def run(report, job_id: str) -> dict:
        from storyloom.render import render_project
        from storyloom.render.render import shot_frame_count
        _, shot = project.find_shot(shot_id)
        key = preview_key(project, shot)
        out = Path(lib.cache_dir) / PREVIEWS / f"{key}.mp4"
        cached = out.is_file()
        if cached:
            try:
                os.utime(out)  # used now: the last to be pruned
            except FileNotFoundError:  # pruned meanwhile: make it again
                cached = False
        if not cached:
            alone = project.model_copy(deep=True)
            single = copy.deepcopy(shot)
            single.transition = Transition()
            alone.scenes = [Scene(title="preview", shots=[single])]
            out.parent.mkdir(parents=True, exist_ok=True)
            shown = _shown_shots(project, shot)
            if not shown:
                render_project(lib, alone, out, progress=report, workers=workers)
            else:
                # the shots its layers show must be in the document: they are rendered after
                # it (cut, no transition) and only the shot's own frames are kept
                extra = [copy.deepcopy(s) for s in shown]
                for s in extra:
                    s.transition = Transition()
                alone.scenes.append(Scene(title="shown", shots=extra))
                full = out.with_name(f".{key}.full.mp4")
                try:
                    render_project(lib, alone, full, progress=lambda f, m: report(0.9 * f, m), workers=workers)
                    report(0.92, "keeping the shot's own frames")
                    _keep_first(full, out, shot_frame_count(project, shot), project)
                finally:
                    full.unlink(missing_ok=True)
            _prune_quietly(lib)
        return {"url": output_url(job_id), "path": str(out), "cached": cached, "shot_id": shot_id}
    return run


def _keep_first(src: Path, dst: Path, frames: int, project: Project) -> None:
    """Write the first ``frames`` frames of ``src`` and their sound to ``dst`` (streamed;
    the writer renames on success, so ``dst`` is never half-written)."""
    from storyloom.media import VideoWriter, iter_frames, read_audio
    rate = project.sample_rate
    with VideoWriter(dst, project.size.width, project.size.height, project.fps, audio_rate=rate) as w:
        for f in iter_frames(src, 0, frames):
            w.write(f)
        w.write_audio(read_audio(src, rate, 2, 0.0, frames / project.fps))


def _merge_import(before: Project, after: Project, head: Project) -> None:
    """Carry what an import added to ``before`` (giving ``after``) over to ``head``:
    new scenes are appended (renumbered), shots added to existing scenes join them."""
    old_scenes = {s.id for s in before.scenes}
    old_shots = {s.id for s in before.shots()}
    head_scenes = {s.id: s for s in head.scenes}
    for scene in after.scenes:
        if scene.id not in old_scenes:
            scene.title = f"Scene {len(head.scenes) + 1}"
            head.scenes.append(scene)
            continue
        added = [s for s in scene.shots if s.id not in old_shots]
        if added:
            target = head_scenes.get(scene.id) or (head.scenes[-1] if head.scenes else head.add_scene())
            target.shots.extend(added)


def import_job(lib, project_id: str, path: Path, display: str, split: bool, scene_id: Optional[str]):
    """Split ``path`` into shots (grouped into scenes, or into ``scene_id``) and save one
    revision. An edit saved meanwhile is kept: the new shots are added to the newer head."""
    def run(report, job_id: str) -> dict:
        from storyloom.importer import import_footage
        before, revision = lib.load(project_id)
        after = before.model_copy(deep=True)
        target = after.scene(scene_id) if scene_id else None
        shots = import_footage(lib, after, path, target, split=split, progress=report,
                               record_job=False)  # this runner job is the record
        stem, nice = Path(path).stem, Path(display).stem or "clip"
        for shot in shots:  # the stored file has a generated name; show the user's own
            shot.title = shot.title.replace(stem, nice, 1)
            for layer in shot.layers:
                layer.name = layer.name.replace(stem, nice, 1)
                if getattr(layer.source, "asset", None) is not None:
                    layer.source.asset.name = display
        report(0.99, "saving")
        summary = f"import {display} ({len(shots)} shot{'s' if len(shots) != 1 else ''})"
        for _ in range(5):
            try:
                if revision == lib.load(project_id)[1]:
                    new = lib.save(after, revision, summary)
                else:
                    head, revision = lib.load(project_id)
                    _merge_import(before, after, head)
                    new = lib.save(head, revision, summary)
                break
            except StaleRevision:
                continue
        else:
            raise StaleRevision(f"project {project_id}: kept changing while {display} was imported; import again")
        return {"revision": new, "shots": [s.id for s in shots], "scenes": len(after.scenes)}
    return run


class _Recording:
    """The library as a layer edit sees it: every call passes through, and ``save`` first
    reports "saving" (a cancel asked before this point stops the job with nothing saved),
    then remembers the revision it made."""

    def __init__(self, lib, report):
        self._lib, self._report, self.revision = lib, report, None

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def save(self, project, base_revision, summary):
        self._report(0.95, "saving")
        self.revision = self._lib.save(project, base_revision, summary)
        return self.revision


def _layer_edit(lib, report, what: str, edit):
    """Run ``edit(library)`` (a storyloom.layers function that loads the head and saves one
    revision). An edit saved meanwhile by someone else is kept: the edit runs again on the
    newer head (the cutout is then read from the step cache)."""
    for attempt in range(3):
        rec = _Recording(lib, report)
        report(0.05 + 0.1 * attempt, what if attempt == 0 else f"{what} again: the project changed meanwhile")
        try:
            return rec, edit(rec)
        except StaleRevision:
            if attempt == 2:
                raise


def extract_job(lib, project_id: str, shot_id: str, layer_id: Optional[str], point, box, clicks,
                frame: int, engine: Optional[str]):
    """Cut an object out of a shot as its own layer (``storyloom.layers.extract_layer``);
    result ``{revision, layer_id, shot_id}``."""
    def run(report, job_id: str) -> dict:
        from storyloom.layers import extract_layer

        def edit(rec):
            return extract_layer(rec, project_id, shot_id, layer_id, point=point, box=box, clicks=clicks,
                                 frame=frame, engine=engine)
        rec, (_, new_id) = _layer_edit(lib, report, "cutting out the object", edit)
        return {"revision": rec.revision, "layer_id": new_id, "shot_id": shot_id}
    return run


def refine_job(lib, project_id: str, shot_id: str, layer_id: str, clicks, frame: int):
    """Correct a cutout layer with more clicks (``storyloom.layers.refine_cutout``); result
    ``{revision, layer_id, shot_id, emptied}`` (the shot frames the correction emptied)."""
    def run(report, job_id: str) -> dict:
        from storyloom.layers import refine_cutout

        def edit(rec):
            return refine_cutout(rec, project_id, shot_id, layer_id, clicks, frame=frame)
        rec, (_, emptied) = _layer_edit(lib, report, "refining the cutout", edit)
        return {"revision": rec.revision, "layer_id": layer_id, "shot_id": shot_id, "emptied": emptied}
    return run

def background_job(lib, project_id: str, scene_id: str, source, harmonize: bool, strength: float,
                   engine: Optional[str]):
    """Put a new background behind every shot of a scene (``storyloom.layers.replace_background``);
    result ``{revision, scene_id, shots, extracted: [{shot_id, how}]}``."""
    def run(report, job_id: str) -> dict:
        from storyloom.layers import replace_background

        def edit(rec):
            return replace_background(rec, project_id, scene_id, source, harmonize=harmonize,
                                      strength=strength, engine=engine)
        rec, (_, said) = _layer_edit(lib, report, "replacing the background", edit)
        return {"revision": rec.revision, "scene_id": scene_id, "shots": said["shots"],
                "extracted": [{"shot_id": s, "how": how} for s, how in said["extracted"]]}
    return run
