"""Time on the document's own terms: how many frames a shot has, when a layer shows and
which frame it starts on, and which shots a shot shows through its layers.

Plain arithmetic on the document (no pixels): the renderer, the studio's edits and the
exporters all count frames here, so a click on "frame 12" means the same frame everywhere.

    >>> from storyloom.model import Layer, ColorSource
    >>> first_frame(0.5, 24.0), layer_window(Layer(source=ColorSource(), start=1.0), 3.0)
    (12, (1.0, 3.0))
"""
from __future__ import annotations

import math
from typing import Optional

from storyloom.model.document import Layer, ShotSource


def shot_frame_count(project, shot) -> int:
    """Frames the shot fills at the project's rate (at least one).

    >>> from storyloom.model import Project, Shot
    >>> shot_frame_count(Project(fps=24), Shot(duration=2.5))
    60
    """
    return max(1, int(round(shot.duration * project.fps)))


def first_frame(seconds: float, fps: float) -> int:
    """The first frame shown at or after ``seconds`` (a layer starting at 0.5 s at 24 fps
    starts on frame 12; one starting at 0.51 s on frame 13).

    >>> first_frame(0.51, 24.0)
    13
    """
    return int(math.ceil(seconds * fps - 1e-9))


def layer_window(layer: Layer, shot_duration: float) -> tuple[float, float]:
    """[start, end) seconds of the shot where the layer shows."""
    end = shot_duration if layer.duration is None else min(shot_duration, layer.start + layer.duration)
    return layer.start, end


def layer_frames(project, shot, layer: Layer) -> tuple[int, int]:
    """(first shot frame, number of frames) during which ``layer`` shows.

    >>> from storyloom.model import Project, Shot, ColorSource
    >>> layer_frames(Project(fps=24), Shot(duration=2), Layer(source=ColorSource(), start=0.5))
    (12, 36)
    """
    start, end = layer_window(layer, shot.duration)
    first = first_frame(start, project.fps)
    return first, max(0, int(round(end * project.fps)) - first)


def shot_cycle(project, shot_id: str) -> Optional[list[str]]:
    """The shot ids of a loop of layers showing other shots reachable from ``shot_id``
    (e.g. ``[a, b, a]``), or None when there is none.

    >>> from storyloom.model import Project
    >>> shot_cycle(Project(), "x") is None
    True
    """
    shots = {s.id: s for s in project.shots()}
    path: list[str] = []

    def visit(sid: str) -> Optional[list[str]]:
        if sid in path:
            return path[path.index(sid):] + [sid]
        shot = shots.get(sid)
        if shot is None:
            return None
        path.append(sid)
        for layer in shot.layers:
            if isinstance(layer.source, ShotSource):
                found = visit(layer.source.shot_id)
                if found:
                    return found
        path.pop()
        return None
    return visit(shot_id)


def shown_shots(project, shot) -> list:
    """The shots whose pictures ``shot``'s layers show (through ``ShotSource``), transitively,
    each once; shots no longer in the project are skipped.

    >>> from storyloom.model import Project
    >>> p = Project(); s = p.add_scene().add_shot()
    >>> shown_shots(p, s)
    []
    """
    by_id = {s.id: s for s in project.shots()}
    out, seen, todo = [], {shot.id}, [shot]
    while todo:
        for layer in todo.pop().layers:
            src = layer.source
            if isinstance(src, ShotSource) and src.shot_id not in seen:
                seen.add(src.shot_id)
                target = by_id.get(src.shot_id)
                if target is not None:
                    out.append(target)
                    todo.append(target)
    return out
