"""Layers with alpha: every layer of every shot rendered alone, for compositing elsewhere.

Each visible layer becomes a PNG folder (or a ``.webm`` VP9-alpha / ``.mov`` ProRes 4444
file) at project size and fps, transparent where the layer is not (outside its picture,
before its start, after its end), placed by its fit and keyframed transform and with its
operations applied (a cut-out layer is the object alone). ``manifest.json`` lists them:

    {"project", "size", "fps", "shots": [{"id", "title", "scene", "frames",
      "layers": [{"id", "name", "role", "order", "blend", "opacity_baked": true, "files"}]}]}

``order`` counts from 0 at the bottom; stacking the files in that order with their blend
modes over black gives the shot's render.

    >>> export_layers(lib, project, "layers/")                         # doctest: +SKIP
    PosixPath('layers/manifest.json')
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from storyloom.errors import BadInput
from storyloom.media import atomic_write, write_alpha
from storyloom.model.timing import shot_frame_count
from storyloom.render.shot import iter_layer_frames

FORMATS = ("png", "webm", "mov")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:40] or "layer"


def export_layers(lib, project, out_dir, fmt: str = "png", progress=None) -> Path:
    """Write every visible layer of every shot alone with alpha into ``out_dir`` (a new or
    empty folder) plus ``manifest.json``; returns the manifest's path. Nothing is left at
    ``out_dir`` if anything fails.

    >>> export_layers(lib, project, "out/layers", fmt="webm")   # doctest: +SKIP
    PosixPath('out/layers/manifest.json')
    """
    if fmt not in FORMATS:
        raise BadInput(f"--layers-format {fmt}: use one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise BadInput(f"{out_dir}: exists and is not an empty folder")
    shots = project.shots()
    if not shots:
        raise BadInput(f"project {project.title!r}: no shots to export")
    progress = progress or (lambda f, m="": None)
    with atomic_write(out_dir, folder=True) as tmp:
        manifest = {"project": project.title, "size": [project.size.width, project.size.height],
                    "fps": project.fps, "format": fmt, "shots": []}
        number = 0
        total = sum(len(s.layers) for s in shots) or 1
        done = 0
        for scene in project.scenes:
            for shot in scene.shots:
                number += 1
                n = shot_frame_count(project, shot)
                entry = {"id": shot.id, "title": shot.title, "scene": scene.title, "number": number,
                         "frames": n, "duration": shot.duration, "layers": []}
                for order, layer in enumerate(shot.layers):
                    done += 1
                    if not layer.visible:
                        continue
                    src = layer.source
                    if getattr(src, "kind", "") == "asset" and lib.asset_info(src.asset.sha256).kind == "audio":
                        continue  # sound only: no picture to export
                    stem = f"shot{number:03d}-{order:02d}-{_slug(layer.name or layer.role)}"
                    rel = stem if fmt == "png" else f"{stem}.{fmt}"
                    write_alpha(tmp / rel, iter_layer_frames(lib, project, shot, layer), fps=project.fps)
                    entry["layers"].append({"id": layer.id, "name": layer.name, "role": layer.role,
                                            "order": order, "blend": layer.blend, "opacity_baked": True,
                                            "operations": [op.label() for op in layer.operations],
                                            "files": rel + ("/%05d.png" if fmt == "png" else "")})
                    progress(done / total, f"shot {number} layer {layer.name or order}")
                manifest["shots"].append(entry)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return out_dir / "manifest.json"
