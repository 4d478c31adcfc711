"""OpenTimelineIO export: one clip per shot, crossfades as transitions.

    >>> export_otio(lib, project, "film.otio")                 # doctest: +SKIP
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import opentimelineio as otio

from storyloom.model import AssetSource, Project


def _frames(seconds: float, fps: float) -> int:
    return max(1, int(round(seconds * fps)))


def build_timeline(lib, project: Project) -> otio.schema.Timeline:
    """The project as an OTIO timeline: a video track of one clip per shot, in order.

    A shot whose bottom layer is footage references that file (its in point as the
    source start); other shots (colour, text, generated) get a missing reference
    carrying the shot's title, so editors still see the slot and its length.
    """
    fps = project.fps
    timeline = otio.schema.Timeline(name=project.title)
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for scene in project.scenes:
        for index, shot in enumerate(scene.shots):
            n = _frames(shot.duration, fps)
            start = 0.0
            ref = otio.schema.MissingReference()
            footage = next((l for l in shot.layers if isinstance(l.source, AssetSource)), None)
            if footage is not None and lib is not None:
                try:
                    path = lib.asset_path(footage.source.asset.sha256)
                    info = lib.asset_info(footage.source.asset.sha256)
                    ref = otio.schema.ExternalReference(
                        target_url=Path(path).resolve().as_uri(),
                        available_range=otio.opentime.TimeRange(
                            otio.opentime.RationalTime(0, fps),
                            otio.opentime.RationalTime(_frames(max(info.duration, shot.duration), fps), fps)))
                    start = footage.source.in_point
                except Exception:
                    ref = otio.schema.MissingReference()
            if shot.transition.kind == "crossfade" and shot.transition.duration > 0 and len(track):
                half = otio.opentime.RationalTime(_frames(shot.transition.duration, fps) / 2, fps)
                track.append(otio.schema.Transition(
                    name="crossfade", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=half, out_offset=half))
            clip = otio.schema.Clip(
                name=shot.title or f"{scene.title} shot {index + 1}",
                media_reference=ref,
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(round(start * fps), fps),
                    otio.opentime.RationalTime(n, fps)))
            clip.metadata["storyloom"] = {"shot_id": shot.id, "scene": scene.title,
                                          "description": shot.description}
            track.append(clip)
    return timeline


def export_otio(lib, project: Project, out) -> Path:
    """Write the project's timeline to ``out`` (.otio), atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".otio", dir=out.parent)
    os.close(fd)
    try:
        otio.adapters.write_to_file(build_timeline(lib, project), tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
