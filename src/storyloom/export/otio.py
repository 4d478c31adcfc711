"""OpenTimelineIO export: one clip per shot, crossfades as transitions with handles.

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


def _overlaps(shots, counts: list[int], fps: float) -> list[int]:
    """Frames each shot's crossfade shares with the previous shot, as the renderer
    plays them (``render_project``'s rule: a shot cannot give more frames to crossfades
    than it has left after the previous one).

    >>> _overlaps(project.shots(), [72, 60], 24)                 # doctest: +SKIP
    [0, 12]
    """
    out = [0]
    for i, shot in enumerate(shots[1:], 1):
        k = int(round(shot.transition.duration * fps)) if shot.transition.kind == "crossfade" else 0
        out.append(max(0, min(k, counts[i - 1] - out[i - 1], counts[i])))
    return out


def _reference(lib, shot, fps: float, frames: int):
    """The shot's footage file and its in point (frames), or a missing reference at 0."""
    footage = next((l for l in shot.layers if isinstance(l.source, AssetSource)), None)
    if footage is None or lib is None:
        return otio.schema.MissingReference(), 0
    try:
        path = lib.asset_path(footage.source.asset.sha256)
        info = lib.asset_info(footage.source.asset.sha256)
    except Exception:
        return otio.schema.MissingReference(), 0
    start = int(round(footage.source.in_point * fps))
    # the media covers every frame the shot plays, handles included (a still is held)
    length = max(_frames(info.duration, fps) if info.duration else 0, start + frames)
    return otio.schema.ExternalReference(
        target_url=Path(path).resolve().as_uri(),
        available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, fps),
                                                otio.opentime.RationalTime(length, fps))), start


def build_timeline(lib, project: Project) -> otio.schema.Timeline:
    """The project as an OTIO timeline: a video track of one clip per shot, in order.

    A shot whose bottom layer is footage references that file (its in point as the
    source start); other shots (colour, text, generated) get a missing reference
    carrying the shot's title, so editors still see the slot and its length.

    A crossfade of ``k`` frames plays, as in the render, the outgoing shot's last ``k``
    frames over the incoming shot's first ``k``. In OTIO the cut sits in the middle of
    that overlap: the outgoing clip ends ``k - k//2`` frames early and the incoming one
    starts ``k//2`` frames late, and those frames are the transition's handles (its
    in and out offsets), so every source range stays inside the shot's own frames and
    each shot still starts, lasts and fades exactly as rendered.

    >>> [c.name for c in build_timeline(lib, project).find_clips()]   # doctest: +SKIP
    ['Portrait', 'Coffee']
    """
    fps = project.fps
    timeline = otio.schema.Timeline(name=project.title)
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    placed = [(scene, index, shot) for scene in project.scenes for index, shot in enumerate(scene.shots)]
    counts = [_frames(shot.duration, fps) for _, _, shot in placed]
    overlaps = _overlaps([shot for _, _, shot in placed], counts, fps) + [0]
    for i, (scene, index, shot) in enumerate(placed):
        head, tail = overlaps[i] // 2, overlaps[i + 1] - overlaps[i + 1] // 2   # handles
        if overlaps[i]:
            track.append(otio.schema.Transition(
                name="crossfade", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                in_offset=otio.opentime.RationalTime(head, fps),
                out_offset=otio.opentime.RationalTime(overlaps[i] - head, fps)))
        ref, start = _reference(lib, shot, fps, counts[i])
        clip = otio.schema.Clip(
            name=shot.title or f"{scene.title} shot {index + 1}",
            media_reference=ref,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(start + head, fps),
                otio.opentime.RationalTime(counts[i] - head - tail, fps)))
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
