"""The long jobs of the studio and the CLI, each done from its params alone so it can be
resumed (``storyloom.studio.resumable``): render a project, preview one shot, import
footage, the layer tools (extract a layer, refine it, replace a background).

Each edits through the same service functions as every other door, reports "saving" just
before it saves (a cancel asked until then saves nothing: no half-applied edit), and
returns the job's result. What a killed attempt finished is in the library's caches (step
outputs, stored media, found shots), so the next attempt only does the rest.

    >>> run(lib, "render", pid, {"out": "/films/trip.mp4"})          # doctest: +SKIP
    >>> runner.submit("render", pid, {"workers": 0})                 # doctest: +SKIP
"""
from __future__ import annotations

import os
from pathlib import Path
from pydantic import TypeAdapter

from storyloom.errors import StaleRevision
from storyloom.media.files import discard
from storyloom.model import Project
from storyloom.model.document import LayerSource
from storyloom.render import render_project
from storyloom.studio.background import replace_background
from storyloom.studio.commit import Change, commit
from storyloom.studio.cutout import extract_layer, refine_cutout
from storyloom.studio.importer import import_footage
from storyloom.studio.previews import PREVIEWS, RENDERS, preview_key, prune_quietly, render_preview
from storyloom.studio.resumable import resumable


def output_url(job_id: str) -> str:
    """Where the studio serves a job's file: ``/api/jobs/<id>/output``."""
    return f"/api/jobs/{job_id}/output"


def _stale_parts(out: Path) -> None:
    """Remove what a killed render left beside its output (its hidden partial file): the
    output itself was never written, and a new attempt starts the file again."""
    for part in out.parent.glob(f".{out.name}.*.part"):
        discard(part)


@resumable("render", key=("out",))
def render(lib, job, record) -> dict:
    """Render the project's head to ``params["out"]`` (the studio's: ``cache/renders/<job
    id>.mp4``) with ``workers`` / ``ray``; steps finished by an earlier attempt are read
    from the step cache."""
    params = job.params
    project, revision = lib.load(job.project_id)
    out = Path(params.get("out") or Path(lib.cache_dir) / RENDERS / f"{job.id}.mp4")
    out.parent.mkdir(parents=True, exist_ok=True)
    _stale_parts(out)
    res = render_project(lib, project, out, progress=record.report, workers=params.get("workers"),
                         ray=params.get("ray"), on_work=record.add_work)
    if not params.get("out"):
        prune_quietly(lib)
    return {"url": output_url(job.id), "path": str(res.path), "seconds": round(res.seconds, 3),
            "frames": res.frames, "duration": res.duration, "revision": revision, "executor": res.executor,
            "work": record.work}


@resumable("preview")
def preview(lib, job, record) -> dict:
    """Render one shot (of revision ``params["revision"]``) alone into
    ``cache/previews/<content hash>.mp4``; a shot whose content did not change is served
    from the cache at once."""
    params = job.params
    project = lib.load_revision(job.project_id, params["revision"])
    shot_id = params["shot_id"]
    _, shot = project.find_shot(shot_id)
    out = Path(lib.cache_dir) / PREVIEWS / f"{preview_key(project, shot)}.mp4"
    cached = out.is_file()
    if cached:
        try:
            os.utime(out)  # used now: the last to be pruned
        except FileNotFoundError:  # pruned meanwhile: make it again
            cached = False
    if not cached:
        render_preview(lib, project, shot, out, record.report, params.get("workers"))
        prune_quietly(lib)
    return {"url": output_url(job.id), "path": str(out), "cached": cached, "shot_id": shot_id}


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


def _save_import(lib, project_id: str, before: Project, after: Project, revision: int, summary: str) -> int:
    """Save an import as one revision; an edit saved meanwhile is kept (the new shots go
    onto the newer head)."""
    for _ in range(5):
        try:
            if revision == lib.load(project_id)[1]:
                return lib.save(after, revision, summary)
            head, revision = lib.load(project_id)
            _merge_import(before, after, head)
            return lib.save(head, revision, summary)
        except StaleRevision:
            continue
    raise StaleRevision(f"project {project_id}: kept changing while {summary} ran; import again")


@resumable("import", key=("paths", "scene_id"))
def import_files(lib, job, record) -> dict:
    """Split ``params["paths"]`` into shots (grouped into scenes, or into ``scene_id``) and
    save one revision. ``names``: what the user called the files (a studio upload is stored
    under a generated name, removed once imported when ``discard``). Stored media and found
    shots of an earlier attempt are reused."""
    params = job.params
    paths = [Path(p) for p in params.get("paths") or [params["path"]]]
    names = params.get("names") or [p.name for p in paths]
    before, revision = lib.load(job.project_id)
    after = before.model_copy(deep=True)
    scene_id = params.get("scene_id")
    shots = []
    for k, (path, name) in enumerate(zip(paths, names)):
        target = after.scene(scene_id) if scene_id else None
        part = (k / len(paths), (k + 1) / len(paths))
        added = import_footage(lib, after, path, target, split=params.get("split", True), engine=params.get("engine"),
                               progress=lambda f, m="", a=part: record.report(a[0] + (a[1] - a[0]) * 0.98 * f, m),
                               record_job=False, on_work=record.add_work)
        stem, nice = path.stem, Path(name).stem or "clip"
        if stem != nice:   # a stored upload has a generated name; show the user's own
            for shot in added:
                shot.title = shot.title.replace(stem, nice, 1)
                for layer in shot.layers:
                    layer.name = layer.name.replace(stem, nice, 1)
                    if getattr(layer.source, "asset", None) is not None:
                        layer.source.asset.name = name
        shots += added
    record.report(0.99, "saving")
    summary = f"import {', '.join(names)} ({len(shots)} shot{'s' if len(shots) != 1 else ''})"
    new = _save_import(lib, job.project_id, before, after, revision, summary)
    if params.get("discard"):
        for path in paths:
            discard(path)
    ids = [s.id for s in shots]
    return {"revision": new, "shots": ids, "shot_ids": ids, "scenes": len(after.scenes),
            "asset": shots[0].layers[0].source.asset.sha256 if shots else None}


def edit_job(lib, project_id: str, report, what: str, change: Change, attempts: int = 3):
    """Run one service call on the head and save it as one revision, reporting ``what`` and
    "saving"; an edit saved meanwhile by someone else is kept: the call runs again on the
    newer head (a cutout is then read from the step cache). (revision, Edit).

    >>> revision, edit = edit_job(lib, pid, report, "cutting out", lambda doc: ...)   # doctest: +SKIP
    """
    for attempt in range(attempts):
        report(0.05 + 0.1 * attempt, what if attempt == 0 else f"{what} again: the project changed meanwhile")
        try:
            _, revision, edit = commit(lib, project_id, change, before_save=lambda: report(0.95, "saving"))
            return revision, edit
        except StaleRevision:
            if attempt == attempts - 1:
                raise


def _clicks(params: dict) -> list:
    return [tuple(c) for c in params.get("clicks") or []]


@resumable("extract", key=("shot_id", "layer_id", "point", "box", "clicks", "frame", "engine"))
def extract(lib, job, record) -> dict:
    """Cut an object out of a shot as its own layer (``storyloom.studio.cutout.extract_layer``);
    result ``{revision, layer_id, shot_id}``. A matte finished before is in the step cache."""
    p = job.params
    point, box = (tuple(p["point"]) if p.get("point") else None), (tuple(p["box"]) if p.get("box") else None)
    revision, edit = edit_job(lib, job.project_id, record.report, "cutting out the object", lambda doc: extract_layer(
        lib, doc, p["shot_id"], p.get("layer_id"), point=point, box=box, clicks=_clicks(p),
        frame=p.get("frame", 0), engine=p.get("engine")))
    return {"revision": revision, "layer_id": edit.created, "shot_id": p["shot_id"]}


@resumable("refine")
def refine(lib, job, record) -> dict:
    """Correct a cutout layer with more clicks (``storyloom.studio.cutout.refine_cutout``);
    result ``{revision, layer_id, shot_id, emptied}`` (the shot frames the correction emptied)."""
    p = job.params
    revision, edit = edit_job(lib, job.project_id, record.report, "refining the cutout", lambda doc: refine_cutout(
        lib, doc, p["shot_id"], p["layer_id"], [list(c) for c in p["clicks"]], frame=p.get("frame", 0)))
    return {"revision": revision, "layer_id": p["layer_id"], "shot_id": p["shot_id"], "emptied": edit.result}


_SOURCE = TypeAdapter(LayerSource)


def background_params(source) -> dict:
    """How a background travels in a job's params: a colour as it is, a source as JSON."""
    return {"color": source} if isinstance(source, str) else {"source": source.model_dump(mode="json")}


@resumable("background")
def background(lib, job, record) -> dict:
    """Put a new background behind every shot of a scene
    (``storyloom.studio.background.replace_background``); result
    ``{revision, scene_id, shots, extracted: [{shot_id, how}]}``."""
    p = job.params
    source = p["color"] if p.get("color") else _SOURCE.validate_python(p["source"])
    revision, edit = edit_job(lib, job.project_id, record.report, "replacing the background", lambda doc: replace_background(
        lib, doc, p["scene_id"], source, harmonize=p.get("harmonize", False), strength=p.get("strength", 0.6),
        engine=p.get("engine")))
    return {"revision": revision, "scene_id": p["scene_id"], "shots": edit.result["shots"],
            "extracted": [{"shot_id": s, "how": how} for s, how in edit.result["extracted"]]}


