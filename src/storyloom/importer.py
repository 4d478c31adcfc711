"""Adding footage and stills to a project: one shot per file.

    >>> shot = add_footage(lib, project, "beach.mp4")          # doctest: +SKIP
    >>> shot.duration                                          # doctest: +SKIP
    4.0
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from storyloom.errors import BadInput
from storyloom.model import AssetSource, Layer, Project, Scene, Shot

#: how long a still stays on screen when imported as a shot
STILL_SECONDS = 3.0


def add_footage(lib, project: Project, path, scene: Optional[Scene] = None,
                still_seconds: float = STILL_SECONDS) -> Shot:
    """Store ``path`` in the library and add it as a new shot (a background layer).

    Videos give a shot as long as the clip; stills one of ``still_seconds``. Audio-only
    files are refused: a shot needs a picture.
    """
    path = Path(path)
    ref, info = lib.import_asset(path)
    if info.kind == "audio":
        raise BadInput(f"{path.name}: has no video stream (audio only); a shot needs a picture")
    duration = info.duration if info.kind == "video" else still_seconds
    if duration <= 0:
        raise BadInput(f"{path.name}: has no duration")
    if scene is None:
        scene = project.scenes[-1] if project.scenes else project.add_scene()
    shot = scene.add_shot(title=path.stem, duration=round(duration, 3))
    shot.add_layer(Layer(name=path.stem, role="background", fit="fill", source=AssetSource(asset=ref)))
    return shot
