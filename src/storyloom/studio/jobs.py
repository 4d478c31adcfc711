"""The work the studio's jobs do: render a project, preview one shot, import footage, the
layer tools (extract a layer, refine it, replace a background).

Each ``*_job`` returns the job function the runner calls as ``run(report, job_id)``: it
edits through the same service functions as every other door, reports "saving" just
before it saves (a cancel asked until then saves nothing), and returns the job's result.

    >>> runner.submit("render", pid, {}, render_job(lib, pid, workers=0))   # doctest: +SKIP
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from storyloom.errors import StaleRevision
from storyloom.model import Project
from storyloom.render import render_project
from storyloom.studio.background import replace_background
from storyloom.studio.commit import Change, commit
from storyloom.studio.cutout import extract_layer, refine_cutout
from storyloom.studio.importer import import_footage
from storyloom.studio.previews import PREVIEWS, RENDERS, preview_key, prune_quietly, render_preview


def output_url(job_id: str) -> str:
    """Where the studio serves a job's file: ``/api/jobs/<id>/output``."""
    return f"/api/jobs/{job_id}/output"


def render_job(lib, project_id: str, workers: Optional[int] = None):
    """Render the project's head to ``cache/renders/<job id>.mp4``."""
    def run(report, job_id: str) -> dict:
        project, revision = lib.load(project_id)
        out = Path(lib.cache_dir) / RENDERS / f"{job_id}.mp4"
        out.parent.mkdir(parents=True, exist_ok=True)
        res = render_project(lib, project, out, progress=report, workers=workers)
        prune_quietly(lib)
        return {"url": output_url(job_id), "path": str(res.path), "seconds": round(res.seconds, 3),
                "frames": res.frames, "duration": res.duration, "revision": revision}
    return run


def preview_job(lib, project: Project, shot_id: str, workers: Optional[int] = None):
    """Render one shot alone into ``cache/previews/<content hash>.mp4``; a shot whose content
    did not change is served from the cache at once."""
    def run(report, job_id: str) -> dict:
        _, shot = project.find_shot(shot_id)
        out = Path(lib.cache_dir) / PREVIEWS / f"{preview_key(project, shot)}.mp4"
        cached = out.is_file()
        if cached:
            try:
                os.utime(out)  # used now: the last to be pruned
            except FileNotFoundError:  # pruned meanwhile: make it again
                cached = False
        if not cached:
            render_preview(lib, project, shot, out, report, workers)
            prune_quietly(lib)
        return {"url": output_url(job_id), "path": str(out), "cached": cached, "shot_id": shot_id}
    return run


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


def extract_job(lib, project_id: str, shot_id: str, layer_id: Optional[str], point, box, clicks,
                frame: int, engine: Optional[str]):
    """Cut an object out of a shot as its own layer (``storyloom.studio.cutout.extract_layer``);
    result ``{revision, layer_id, shot_id}``."""
    def run(report, job_id: str) -> dict:
        revision, edit = edit_job(lib, project_id, report, "cutting out the object", lambda doc: extract_layer(
            lib, doc, shot_id, layer_id, point=point, box=box, clicks=clicks, frame=frame, engine=engine))
        return {"revision": revision, "layer_id": edit.created, "shot_id": shot_id}
    return run


def refine_job(lib, project_id: str, shot_id: str, layer_id: str, clicks, frame: int):
    """Correct a cutout layer with more clicks (``storyloom.studio.cutout.refine_cutout``);
    result ``{revision, layer_id, shot_id, emptied}`` (the shot frames the correction emptied)."""
    def run(report, job_id: str) -> dict:
        revision, edit = edit_job(lib, project_id, report, "refining the cutout", lambda doc: refine_cutout(
            lib, doc, shot_id, layer_id, clicks, frame=frame))
        return {"revision": revision, "layer_id": layer_id, "shot_id": shot_id, "emptied": edit.result}
    return run


def background_job(lib, project_id: str, scene_id: str, source, harmonize: bool, strength: float,
                   engine: Optional[str]):
    """Put a new background behind every shot of a scene
    (``storyloom.studio.background.replace_background``); result
    ``{revision, scene_id, shots, extracted: [{shot_id, how}]}``."""
    def run(report, job_id: str) -> dict:
        revision, edit = edit_job(lib, project_id, report, "replacing the background", lambda doc: replace_background(
            lib, doc, scene_id, source, harmonize=harmonize, strength=strength, engine=engine))
        return {"revision": revision, "scene_id": scene_id, "shots": edit.result["shots"],
                "extracted": [{"shot_id": s, "how": how} for s, how in edit.result["extracted"]]}
    return run
