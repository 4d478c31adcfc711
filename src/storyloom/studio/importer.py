"""Adding footage and stills to a project.

A video is split into its shots (each shot refers to its range of the stored source, so
nothing is re-encoded until render), each shot gets thumbnails (first, middle, last
frame), and consecutive shots are grouped into scenes by what they show. A still, or a
video imported with ``split=False``, becomes one shot.

    >>> shots = import_footage(lib, project, "holiday.mp4")        # doctest: +SKIP
    >>> [(s.title, round(s.duration, 2)) for s in shots]           # doctest: +SKIP
    [('holiday 1', 2.5), ('holiday 2', 1.75)]
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import cv2
import numpy as np

from storyloom.engines.base import resolve
from storyloom.engines.shots.base import ShotList
from storyloom.engines.shots.base import Transition as Cut
from storyloom.engines.shots.scenes import group_into_scenes, look  # noqa: F401  (scenes by look live there)
from storyloom.errors import BadInput
from storyloom.media import frames_by_index, read_frames
from storyloom.model import AssetSource, Layer, Project, Scene, Shot, Transition
from storyloom.progress import Progress, no_progress
from storyloom.render.cache import cached_piece, count, counting, sha, store_piece

#: how long a still stays on screen when imported as a shot
STILL_SECONDS = 3.0
#: width of the stored thumbnails (pixels)
THUMB_WIDTH = 240
#: the pieces an import keeps in the step cache (found shots, thumbnails): a change of how
#: they are made bumps it
PIECES = "2"


def _shot_for(path: Path, ref, start: float, end: float, index: Optional[int]) -> Shot:
    title = path.stem if index is None else f"{path.stem} {index}"
    shot = Shot(title=title, duration=round(end - start, 4))
    shot.add_layer(Layer(name=path.stem, role="background", fit="fill",
                         source=AssetSource(asset=ref, in_point=round(start, 4), out_point=round(end, 4))))
    return shot


def thumbnail(lib, frame: np.ndarray) -> str:
    """Store a small JPEG of an RGB ``frame`` (``THUMB_WIDTH`` wide); its asset hash."""
    h, w = frame.shape[:2]
    small = cv2.resize(frame, (THUMB_WIDTH, max(2, round(h * THUMB_WIDTH / w))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return lib.add_asset_bytes(data.tobytes(), ".jpg", "thumbnail.jpg").sha256


def _ranges(shot_list) -> list[tuple[int, int, bool]]:
    """(first frame, end frame exclusive, dissolves in) for each shot.

    Cuts and fades split cleanly; a dissolve or wipe is kept as an overlap: the outgoing
    shot runs to the transition's end, the incoming one starts at its start and begins
    with a crossfade of that length, so the render reproduces the transition.
    """
    out = [[a, b + 1, 0] for a, b in shot_list.shots]
    if out:  # frames before the first shot or after the last (a fade) stay with it
        out[0][0], out[-1][1] = 0, shot_list.frames
    for i in range(1, len(out)):
        gap_start, gap_end = out[i - 1][1], out[i][0]
        if gap_end <= gap_start:
            continue
        t = next((t for t in shot_list.transitions if t.start <= gap_start and t.end >= gap_end - 1), None)
        if t is not None and t.kind in ("dissolve", "wipe"):
            out[i - 1][1], out[i][0], out[i][2] = gap_end, gap_start, gap_end - gap_start
        else:  # a fade (or an unexplained gap): split it in the middle, losing no frame
            mid = (gap_start + gap_end) // 2
            out[i - 1][1], out[i][0] = mid, mid
    return [(a, b, n) for a, b, n in out]


def import_footage(lib, project: Project, path, scene: Optional[Scene] = None, split: bool = True,
                   engine: Optional[str] = None, progress: Progress = no_progress,
                   still_seconds: float = STILL_SECONDS, record_job: bool = True,
                   on_work=None) -> list[Shot]:
    """Store ``path`` and add its shots to ``project`` (in place; the caller saves).

    With ``split`` a video is cut into its shots and grouped into new scenes (or all
    added to ``scene`` when one is given); otherwise it is one shot. Audio-only files are
    refused: a shot needs a picture. The import is recorded as a job (kind ``"import"``)
    in the library, with its progress and how it ended, so other doors can follow it;
    ``record_job=False`` when the caller already runs it as a job of its own (the studio,
    a resumable job). Its pieces (the stored file, the shots found, the thumbnails) are
    kept, so importing the same file again (a resumed import) does not find them again;
    ``on_work`` hears what was computed (``{"steps": 1}``) and what was reused.

    >>> shots = import_footage(lib, project, "holiday.mp4")        # doctest: +SKIP
    >>> lib.jobs(project.id)[0].state, lib.jobs(project.id)[0].result["shots"]   # doctest: +SKIP
    ('done', 3)
    """
    path = Path(path)
    if not record_job:
        with counting() as work:
            shots = _import_footage(lib, project, path, scene, split, engine, progress, still_seconds)
        if on_work is not None:
            on_work(work)
        return shots
    params = {"path": str(path), "paths": [str(path)], "split": split, "engine": engine,
              "scene_id": scene.id if scene is not None else None}
    with lib.record("import", project.id, params, progress=progress, message=f"importing {path.name}") as job:
        with counting() as work:
            shots = _import_footage(lib, project, path, scene, split, engine, job.report, still_seconds)
        job.add_work(work)
        job.done({"shots": len(shots), "shot_ids": [s.id for s in shots],
                  "asset": shots[0].layers[0].source.asset.sha256 if shots else None},
                 f"{len(shots)} shot(s) from {path.name}")
    return shots


def _import_footage(lib, project: Project, path: Path, scene: Optional[Scene], split: bool,
                    engine: Optional[str], progress: Progress, still_seconds: float) -> list[Shot]:
    path = Path(path)
    ref, info = lib.import_asset(path)
    if info.kind == "audio":
        raise BadInput(f"{path.name}: has no video stream (audio only); a shot needs a picture")
    stored = lib.asset_path(ref.sha256)
    if info.kind == "image" or info.frames <= 1:
        # a one-frame video is a still too: held for still_seconds (render holds its last frame)
        shot = Shot(title=path.stem, duration=still_seconds)
        shot.add_layer(Layer(name=path.stem, role="background", fit="fill", source=AssetSource(asset=ref)))
        if info.kind == "video":
            shot.thumbnails = [thumbnail(lib, read_frames(stored, 0, 1)[0])]
        target = scene or (project.scenes[-1] if project.scenes else project.add_scene())
        target.add_shot(shot)
        return [shot]
    fps = info.fps or 24.0
    if split and info.frames > 1:
        found = _found_shots(lib, ref.sha256, stored, engine, progress)
        ranges = _ranges(found)
        # thumbnails and looks come from a shot's own frames, not from the fade or wipe
        # around it (a half-wiped picture says little about the shot)
        clean = [(a, b + 1) for a, b in found.shots]
    else:
        ranges = [(0, info.frames, 0)]
        clean = [(0, info.frames)]
    picks_of = []
    for i, (a, b, _) in enumerate(ranges):
        ca, cb = clean[i] if len(clean) == len(ranges) else (a, b)
        picks_of.append(sorted({ca, (ca + cb - 1) // 2, cb - 1}))
    base = 0.8 if split else 0.0
    thumbs, looks = _thumbnails(lib, ref.sha256, stored, info, picks_of,
                                lambda f: progress(base + (0.95 - base) * f, "thumbnails"))
    shots = []
    for i, (a, b, overlap) in enumerate(ranges):
        shot = _shot_for(path, ref, a / fps, b / fps, i + 1 if len(ranges) > 1 else None)
        if overlap:
            shot.transition = Transition(kind="crossfade", duration=round(overlap / fps, 4))
        shot.thumbnails = thumbs[i]
        shots.append(shot)
        progress(0.95 + 0.05 * (i + 1) / len(ranges), f"shot {i + 1} of {len(ranges)}")
    if scene is not None or not split:
        target = scene or (project.scenes[-1] if project.scenes else project.add_scene())
        for shot in shots:
            target.add_shot(shot)
        return shots
    current, last = None, None
    for shot, number in zip(shots, group_into_scenes(looks)):
        if number != last:
            current, last = project.add_scene(), number
        current.add_shot(shot)
    return shots


def _found_shots(lib, sha256: str, stored: Path, engine: Optional[str], progress: Progress) -> ShotList:
    """The shots of a stored video: found by the shots engine, or read from the step cache
    when this engine found them before (an import resumed or repeated)."""
    choice = resolve("shots", engine)
    key = sha("import-shots", PIECES, sha256, choice.engine.identity())
    piece = cached_piece(key, lib.cache_dir)
    if piece is not None:
        count("reused")
        return ShotList(fps=piece["fps"], frames=piece["frames"], shots=[(s["start"], s["end"]) for s in piece["shots"]],
                        transitions=[Cut(t["kind"], t["start"], t["end"]) for t in piece["transitions"]])
    with choice.engine() as detector:
        # the detector's own words ("decoding", "done") would read as the whole import's
        # ("done" at 80%), so this phase is named as a step of the import
        found = detector.detect(stored, progress=lambda f, m="": progress(
            0.8 * f, "finding shots" if m in ("", "done") else f"finding shots: {m}"))
    store_piece(key, lib.cache_dir, found.to_json())
    count("steps")
    return found


def _stored(lib, sha256: str) -> bool:
    """Whether the library still holds asset ``sha256`` (a thumbnail may have been collected)."""
    try:
        lib.asset_path(sha256)
    except BadInput:
        return False
    return True


def _thumbnails(lib, sha256: str, stored: Path, info, picks_of: list, progress) -> tuple[list, list]:
    """Each shot's thumbnails (stored asset hashes) and look, made from its frames
    ``picks_of[i]``, or read from the step cache when made before."""
    key = sha("import-thumbnails", PIECES, sha256, repr(picks_of), str(THUMB_WIDTH))
    piece = cached_piece(key, lib.cache_dir)
    if piece is not None and all(_stored(lib, t) for shot in piece["thumbs"] for t in shot):
        count("reused")
        return piece["thumbs"], [np.asarray(v, np.float32) for v in piece["looks"]]
    # every thumbnail in one decoding pass, scaled while converting (a seek per
    # thumbnail re-decoded a 4K file with few keyframes from its start each time)
    got = frames_by_index(stored, [k for p in picks_of for k in p], width=2 * THUMB_WIDTH, info=info,
                          progress=progress)
    if not got:
        got = {0: read_frames(stored, 0, 1)[0]}
    thumbs, looks = [], []
    for picks in picks_of:
        # a frame past the decodable end (a header that over-counts) falls back to the nearest one
        frames = [got[k] if k in got else got[min(got, key=lambda j: abs(j - k))] for k in picks]
        thumbs.append([thumbnail(lib, f) for f in frames])
        looks.append(look(frames))   # first, middle and last frame
    store_piece(key, lib.cache_dir, {"thumbs": thumbs, "looks": [v.tolist() for v in looks]})
    count("steps")
    return thumbs, looks


def add_footage(lib, project: Project, path, scene: Optional[Scene] = None,
                still_seconds: float = STILL_SECONDS) -> Shot:
    """Add ``path`` as exactly one shot (no splitting); returns it."""
    return import_footage(lib, project, path, scene, split=False, still_seconds=still_seconds)[0]
