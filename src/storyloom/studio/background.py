"""A scene's new background, behind every shot at once: each shot's main subject is cut
out first where it has no foreground layer, and its foregrounds may have their colours
moved toward the new background (``Harmonize``).

    >>> edit = replace_background(lib, doc, "1", "sunset.jpg", harmonize=True)   # doctest: +SKIP
    >>> edit.result                                                               # doctest: +SKIP
    {'shots': 2, 'extracted': [('a1b2c3', 'person')]}
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import numpy as np

from storyloom.engines.subject import auto_prompt
from storyloom.errors import BadInput, NotFound
from storyloom.imaging.colour import lab_stats
from storyloom.media import probe
from storyloom.model import AssetRef, AssetSource, ColorSource, Harmonize, Layer, Project, ShotSource, TextSource
from storyloom.model.timing import first_frame, layer_window, shot_cycle, shot_frame_count
from storyloom.render.shot import iter_layer_frames
from storyloom.studio.board import find_scene, find_shot
from storyloom.studio.commit import Edit
from storyloom.studio.cutout import build_cutout_layer, cut_now, picture_layer

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def background_source(lib, project, background: Any, dry: bool = False):
    """The layer source a background description means: a ``#rrggbb`` colour, a shot id,
    an image or video path, or a ready layer source. With ``dry`` a file is checked
    (probed) but not stored (None is returned for it)."""
    if isinstance(background, (AssetSource, ColorSource, ShotSource, TextSource)):
        return background
    if isinstance(background, str) and background.startswith("#"):
        if not _HEX.match(background):
            raise BadInput(f"colour {background!r}: expected #rrggbb")
        return ColorSource(color=background.lower())
    if isinstance(background, str) and not Path(background).exists():
        try:
            _, shot = find_shot(project, background)
        except NotFound:
            raise BadInput(f"background {background!r}: not a file, a #rrggbb colour or a shot id") from None
        return ShotSource(shot_id=shot.id)
    path = Path(background)
    if dry:
        ref, info = None, probe(path)
    else:
        ref, info = lib.import_asset(path)
    if info.kind == "audio":
        raise BadInput(f"{path.name}: has no picture to use as a background")
    return None if dry else AssetSource(asset=ref, loop=info.kind == "video")


def stored_background(lib, sha256: str, name: str = "") -> AssetSource:
    """A stored asset as a background (a video loops); NotFound when the library does not
    have it, BadInput when it is sound only."""
    info = lib.asset_info(sha256)
    name = name or sha256[:12]
    if info.kind == "audio":
        raise BadInput(f"{name}: has no picture to use as a background")
    return AssetSource(asset=AssetRef(sha256=sha256, name=name, kind=info.kind), loop=info.kind == "video")


def check_background(lib, doc: Project, scene, background: Any):
    """Check ``background`` for ``scene`` without storing anything (see ``background_source``):
    a shot of the scene itself is refused (it would show itself). Returns the source (None
    for a file, which is stored only when the edit runs)."""
    if not scene.shots:
        raise BadInput(f"scene {scene.title or scene.id}: has no shots to put a background behind")
    checked = background_source(lib, doc, background, dry=True)
    if isinstance(checked, ShotSource) and any(s.id == checked.shot_id for s in scene.shots):
        said = checked.shot_id if isinstance(background, ShotSource) else background
        raise BadInput(f"background shot {said!r}: is in scene {scene.title or scene.id} itself "
                       f"(a shot cannot be its own background)")
    return checked


def _is_foreground(layer) -> bool:
    return layer.role == "foreground" or any(o.schema_name == "Cutout" for o in layer.operations)


def _layer_rgb(lib, project, shot, layer, indices: list[int]) -> list[np.ndarray]:
    """Frames of a layer alone, flattened on black (for analysing its picture)."""
    out = []
    for f in iter_layer_frames(lib, project, shot, layer, indices):
        a = f[..., 3:4].astype(np.float32) / 255.0
        out.append((f[..., :3] * a + 0.5).astype(np.uint8))
    return out


def _subject_layer(lib, doc, shot, engine: Optional[str]):
    """(source layer, its subject cut out as a new layer, how the subject was found) for a
    shot with no foreground yet, or None when there is nothing to cut (a blank shot, colour
    or text only)."""
    try:
        src = picture_layer(lib, shot)
    except BadInput:   # a blank (storyboard) shot: it simply gets the background
        return None
    if src.source.kind not in ("asset", "shot"):
        return None
    n = shot_frame_count(doc, shot)
    a, b = layer_window(src, shot.duration)
    mid = min(max(n // 2, first_frame(a, doc.fps)), max(0, first_frame(b, doc.fps) - 1))
    if n > 4:   # moving pictures: motion is a cue
        before, now, after = _layer_rgb(lib, doc, shot, src, [max(0, mid - 2), mid, min(n - 1, mid + 2)])
        prompt = auto_prompt(now, before, after)
    else:
        prompt = auto_prompt(_layer_rgb(lib, doc, shot, src, [mid])[0])
    # the point alone: on the yardstick it beat box and box + point for every finder
    layer = build_cutout_layer(lib, doc, shot, src, point=prompt["point"], frame=mid, engine=engine, name="Subject")
    cut_now(lib, doc, shot, layer)
    return src, layer, prompt["how"]


def _put_behind(doc, shot, source, asked: Any) -> None:
    """``source`` as the shot's one background layer (in the old background's slot, so
    anything naming it still finds it); a shot shown through it must not show itself
    (``asked``: the background as the user gave it, for the message)."""
    layers = shot.take.layers
    old = [layer for layer in layers if layer.role == "background"]
    for layer in old:
        layers.remove(layer)
    bg = Layer(name="Background", role="background", source=source, fit="fill")
    if old:
        bg.id = old[0].id
    layers.insert(0, bg)
    if isinstance(source, ShotSource):
        cycle = shot_cycle(doc, shot.id)
        if cycle:
            raise BadInput(f"background shot {asked!r}: would show itself ({' -> '.join(cycle)})")


def _harmonize(lib, doc, shots, harmonize: bool, strength: float) -> None:
    """Give every foreground of ``shots`` a ``Harmonize`` toward its new background's
    colours (measured on its first, middle and last frames), or take them away."""
    for shot in shots:
        if harmonize:
            n = shot_frame_count(doc, shot)
            frames = np.stack(list(iter_layer_frames(lib, doc, shot, shot.layers[0], sorted({0, n // 2, n - 1}))))
            mean, std = lab_stats(frames[..., :3], frames[..., 3].astype(np.float32) / 255.0)
        for layer in shot.layers:
            if _is_foreground(layer) or not harmonize:
                ops = [o for o in layer.operations if o.schema_name != "Harmonize"]
                if harmonize:
                    ops.append(Harmonize(mean=mean, std=std, strength=strength))
                if ops != layer.operations:
                    layer.operations = ops


def replace_background(lib, doc: Project, scene_id: str, background: Any, harmonize: bool = False,
                       strength: float = 0.6, engine: Optional[str] = None) -> Edit:
    """Put a new background behind every shot of a scene (id, title or 1-based number).

    ``background``: an image or video path, a ``#rrggbb`` colour, a layer source, or a shot
    id (that shot's render; a shot of this scene would show itself and is refused). A shot
    with no foreground layer first gets one: its main subject, found without a prompt
    (``auto_prompt`` on the middle frame), cut out of its bottom picture layer. The old
    background layers (role "background") give way to one new bottom layer. With
    ``harmonize`` every foreground gets a ``Harmonize`` toward the new background's colour.
    ``Edit.result``: ``{"shots": n, "extracted": [(shot id, how found)]}``.
    """
    scene = find_scene(doc, scene_id)
    check_background(lib, doc, scene, background)   # fully, before anything is stored
    plans = [(shot, None if any(_is_foreground(layer) for layer in shot.layers)
              else _subject_layer(lib, doc, shot, engine)) for shot in scene.shots]
    new_src = background_source(lib, doc, background)
    extracted = []
    for shot, cut in plans:
        if cut is not None:
            src, layer, how = cut
            shot.add_layer(layer, index=shot.layers.index(src) + 1)
            extracted.append((shot.id, how))
        _put_behind(doc, shot, new_src, background)
    _harmonize(lib, doc, scene.shots, harmonize, strength)
    what = {"color": lambda s: s.color, "shot": lambda s: f"shot {s.shot_id}",
            "asset": lambda s: s.asset.name}[new_src.kind](new_src)
    extra = f", extracted {len(extracted)} subject(s)" if extracted else ""
    extra += ", harmonized" if harmonize else ""
    return Edit(f"replace background of scene {scene.title or scene.id} with {what}{extra}",
                result={"shots": len(plans), "extracted": extracted})
