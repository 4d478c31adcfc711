"""Cut an object out of a shot as its own layer, and correct it with more clicks.

Clicks and boxes come in the shot's frame pixels (what the rendered shot shows) and are
stored as a ``Cutout`` in the layer source's own pixels and frames, through the layer's
placement at each click's frame. The pixels are computed at render time (and cached): the
document records the prompt, never a matte. With ``run`` the matte is computed now, so a
prompt that finds nothing is refused before anything is saved.

    >>> edit = extract_layer(lib, doc, shot.id, point=(160, 90))              # doctest: +SKIP
    >>> edit = refine_cutout(lib, doc, shot.id, edit.created, [(200, 90, False, 6)])   # doctest: +SKIP
    >>> edit.result    # the shot frames the correction emptied                # doctest: +SKIP
    []
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from storyloom.errors import BadInput
from storyloom.model import Click, Cutout, Project, new_id
from storyloom.model.timing import first_frame, layer_window, shot_frame_count
from storyloom.render.compositor import LayerImage, layer_matrix
from storyloom.render.shot import layer_feed
from storyloom.studio.board import find_shot
from storyloom.studio.commit import Edit

#: below this share of the frame a matte is "nothing" (the engine's own floor)
_EMPTY = 0.002


def source_size(lib, project, layer) -> tuple[int, int]:
    """(width, height) of a layer's source picture: the asset's, or the frame's."""
    src = layer.source
    if src.kind == "asset":
        info = lib.asset_info(src.asset.sha256)
        if info.kind == "audio":
            raise BadInput(f"layer {layer.name or layer.id}: is sound only, there is nothing to cut out")
        return int(info.width), int(info.height)
    return project.size.width, project.size.height


def picture_layer(lib, shot):
    """The layer to cut from when none is named: the bottom visible picture layer."""
    for layer in shot.layers:
        if not layer.visible:
            continue
        if layer.source.kind == "asset" and lib.asset_info(layer.source.asset.sha256).kind == "audio":
            continue
        return layer
    raise BadInput(f"shot {shot.title or shot.id}: has no visible picture layer to cut from")


def to_source_pixels(lib, project, layer, t: float, points) -> list[tuple[float, float, bool]]:
    """Frame pixels (what the rendered shot shows at time ``t``) -> the layer source's own
    pixels (where ``Click`` prompts live), each with whether it falls on the picture."""
    sw, sh = source_size(lib, project, layer)
    tr = layer.transform.at(t)
    li = LayerImage(np.zeros((1, 1, 4), np.uint8), layer.fit, tr["x"], tr["y"], tr["scale"], tr["rotation"],
                    source_size=(sw, sh))
    inv = np.linalg.inv(np.vstack([layer_matrix(li, project.size.width, project.size.height), [0, 0, 1]]))
    out = []
    for x, y in points:
        sx, sy, _ = inv @ np.array([x, y, 1.0])
        out.append((float(sx), float(sy), -0.5 <= sx < sw - 0.5 and -0.5 <= sy < sh - 0.5))
    return out


def _given_clicks(clicks, frame: int) -> list:
    """``(x, y[, positive[, frame]])`` clicks as ``(x, y, positive, frame)`` (``frame`` by default)."""
    out = []
    for c in clicks:
        if len(c) not in (2, 3, 4):
            raise BadInput(f"click {c!r}: expected (x, y[, positive[, frame]])")
        f = c[3] if len(c) > 3 else frame
        out.append((float(c[0]), float(c[1]), bool(c[2]) if len(c) > 2 else True, f))
    return out


def _check_frame(project, shot, layer, frame, what: str) -> None:
    """BadInput unless shot frame ``frame`` exists and ``layer`` shows on it."""
    label = shot.title or shot.id
    n = shot_frame_count(project, shot)
    if not isinstance(frame, int) or not 0 <= frame < n:
        raise BadInput(f"shot {label}: frame {frame}{what} does not exist (the shot has frames 0-{n - 1})")
    start, end = layer_window(layer, shot.duration)
    if not start <= frame / project.fps < end:
        raise BadInput(f"shot {label}: layer {layer.name or layer.id} is not shown at frame {frame}")


def _check_clicks(project, shot, layer, given) -> None:
    """Each ``(x, y, positive, frame)`` click must be inside the frame, on a shot frame that
    exists and where ``layer`` is shown."""
    w, h = project.size.width, project.size.height
    for x, y, _, f in given:
        if not (0 <= x < w and 0 <= y < h):
            raise BadInput(f"point ({x:g},{y:g}): outside the {w}x{h} frame")
        _check_frame(project, shot, layer, f, f" of click ({x:g},{y:g})")


def _source_clicks(lib, project, layer, given) -> list[Click]:
    """Checked ``(x, y, positive, frame)`` clicks in frame pixels as ``Click`` prompts in the
    layer source's own pixels and frames; BadInput for one that misses the layer's picture."""
    first = first_frame(layer.start, project.fps)
    # each click through the layer's placement at its own frame (keyframes may move it)
    mapped = [to_source_pixels(lib, project, layer, f / project.fps, [(x, y)])[0] for x, y, _, f in given]
    for (x, y, _, _), (_, _, inside) in zip(given, mapped):
        if not inside:
            raise BadInput(f"point ({x:g},{y:g}): outside layer {layer.name or layer.id}'s picture")
    return [Click(frame=f - first, x=round(mx, 2), y=round(my, 2), positive=pos)
            for (_, _, pos, f), (mx, my, _) in zip(given, mapped)]


def _source_box(lib, project, layer, box, t: float):
    """A box (x0, y0, x1, y1) in frame pixels at time ``t`` as the box around it in the layer
    source's pixels (clipped to the picture)."""
    w, h = project.size.width, project.size.height
    if len(box) != 4:
        raise BadInput(f"box {box}: expected X0,Y0,X1,Y1")
    x0, y0, x1, y1 = (float(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        raise BadInput(f"box {x0:g},{y0:g},{x1:g},{y1:g}: has no area (need X0 < X1 and Y0 < Y1)")
    x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise BadInput(f"box {box}: outside the {w}x{h} frame")
    corners = to_source_pixels(lib, project, layer, t, [(x0, y0), (x1, y0), (x0, y1), (x1, y1)])
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    sw, sh = source_size(lib, project, layer)
    mapped = (round(max(0.0, min(xs)), 2), round(max(0.0, min(ys)), 2),
              round(min(float(sw), max(xs)), 2), round(min(float(sh), max(ys)), 2))
    if mapped[2] - mapped[0] < 1 or mapped[3] - mapped[1] < 1:
        raise BadInput(f"box {box}: does not cover layer {layer.name or layer.id}'s picture")
    return mapped


def build_cutout_layer(lib, project, shot, layer=None, point=None, box=None, clicks=(), frame: int = 0,
                       engine: Optional[str] = None, name: str = ""):
    """Check a cutout prompt given in the shot's frame pixels and return the new foreground
    layer (not yet added): a copy of ``layer`` with a ``Cutout`` in its source's own pixels.
    No engine runs: the API checks a request with it before starting the job."""
    label = shot.title or shot.id
    layer = layer if layer is not None else picture_layer(lib, shot)
    _check_frame(project, shot, layer, frame, "")
    given = [(float(p[0]), float(p[1]), True, frame) for p in ([point] if point is not None else [])]
    given += _given_clicks(clicks, frame)
    if not any(g[2] for g in given) and box is None:
        raise BadInput(f"shot {label}: give a point or a box around the object to cut out")
    _check_clicks(project, shot, layer, given)
    mapped_box = None if box is None else _source_box(lib, project, layer, box, frame / project.fps)
    op = Cutout(clicks=_source_clicks(lib, project, layer, given), box=mapped_box,
                frame=frame - first_frame(layer.start, project.fps), engine=engine)
    count = sum(1 for other in shot.layers if any(o.schema_name == "Cutout" for o in other.operations)) + 1
    data = layer.model_dump()
    data.update(id=new_id(), name=name or f"Cutout {count}", role="foreground",
                operations=[o for o in layer.operations if o.schema_name not in ("Cutout", "Harmonize")] + [op])
    return type(layer).model_validate(data)


def cut_now(lib, project, shot, layer):
    """Run the layer's operations now: a prompt the engine cannot use fails here, before
    anything is saved, and the render later finds the matte in the step cache. Returns the feed."""
    return layer_feed(lib, project, shot, layer)


def extract_layer(lib, doc: Project, shot_id: str, layer_id: Optional[str] = None, *, point=None, box=None,
                  clicks: Sequence = (), frame: int = 0, engine: Optional[str] = None, name: str = "",
                  run: bool = True) -> Edit:
    """Cut an object out of a shot (id or 1-based number) as its own layer: a copy of the
    source layer (default: the bottom picture layer) with a ``Cutout``, added just above it
    with role "foreground"; the original stays as the background. Prompt in the shot's
    frame pixels: a ``point=(x, y)``, ``clicks=[(x, y, positive[, frame]), …]`` and/or a
    ``box=(x0, y0, x1, y1)`` on shot frame ``frame`` (a click's own ``frame``, when given,
    corrects the cutout there: positive adds a missed part, negative removes a wrong one).
    ``Edit.created`` is the new layer's id.

    >>> extract_layer(lib, doc, "2", point=(160, 90)).created     # doctest: +SKIP
    '3f9a0c1b2d'
    """
    _, shot = find_shot(doc, shot_id)
    source = shot.layer(layer_id) if layer_id else None
    new = build_cutout_layer(lib, doc, shot, source, point=point, box=box, clicks=clicks, frame=frame,
                             engine=engine, name=name)
    src = source or picture_layer(lib, shot)
    shot.add_layer(new, index=shot.layers.index(src) + 1)
    if run:
        cut_now(lib, doc, shot, new)
    return Edit(f"extract layer {new.name!r} ({new.operations[-1].label()}) in shot {shot.title or shot.id}", new.id)


def _cutout_of(layer) -> int:
    """The index of ``layer``'s ``Cutout`` operation; BadInput when it has none."""
    for i in range(len(layer.operations) - 1, -1, -1):
        if layer.operations[i].schema_name == "Cutout":
            return i
    raise BadInput(f"layer {layer.name or layer.id}: has no cutout to refine (extract a layer first)")


def _covered(feed) -> list[bool]:
    """Per layer frame: whether the computed matte holds anything."""
    return [float((np.asarray(f)[..., 3] >= 128).mean()) >= _EMPTY for f in feed.clip.frames]


def check_refine(lib, project, shot, layer, clicks: Sequence, frame: int = 0):
    """Check correcting clicks for cutout ``layer`` of ``shot`` (frame pixels, as
    ``refine_cutout`` takes them) without running any engine: BadInput for a layer with no
    ``Cutout``, no clicks, a click outside the frame or the layer's picture, or on a frame that
    does not exist. Returns (the ``Cutout``'s index in the layer's operations, the clicks as
    ``(x, y, positive, frame)``, the clicks as source-pixel ``Click`` prompts).

    >>> i, given, added = check_refine(lib, doc, shot, shot.layer("Cutout 1"), [(120, 86, False, 6)])  # doctest: +SKIP
    """
    i = _cutout_of(layer)
    if not clicks:
        raise BadInput(f"layer {layer.name or layer.id}: give at least one click to refine its cutout")
    given = _given_clicks(clicks, frame)
    _check_clicks(project, shot, layer, given)
    return i, given, _source_clicks(lib, project, layer, given)


def _clicks_said(given) -> str:
    """``+1 -2 clicks on frames 3, 6``: what a correction did, for its summary."""
    adds = sum(1 for g in given if g[2])
    said = " ".join(p for p in (f"+{adds}" if adds else "", f"-{len(given) - adds}" if len(given) > adds else "") if p)
    frames = ", ".join(str(f) for f in sorted({g[3] for g in given}))
    return f"{said} click{'s' if len(given) > 1 else ''} on frame{'s' if ',' in frames else ''} {frames}"


def refine_cutout(lib, doc: Project, shot_id: str, layer_id: str, clicks: Sequence, *, frame: int = 0,
                  run: bool = True) -> Edit:
    """Correct an existing cutout layer with more clicks, in the shot's frame pixels:
    ``clicks=[(x, y, positive[, frame]), …]`` (``frame`` by default). A positive click adds a
    part the cutout missed, a negative one removes what it wrongly took, on that frame and
    carried both ways through the shot. With ``run`` the corrected matte is computed now:
    corrections that leave nothing of the cutout are refused. ``Edit.result``: the shot
    frames the correction emptied (held something before, nothing now: the object out of
    view, or a click on the object itself).

    >>> refine_cutout(lib, doc, "1", "Cutout 1", [(120, 86, False, 6)]).result   # doctest: +SKIP
    []
    """
    _, shot = find_shot(doc, shot_id)
    layer = shot.layer(layer_id)
    name = layer.name or layer.id
    i, given, added = check_refine(lib, doc, shot, layer, clicks, frame)
    emptied: list[int] = []
    before = _covered(cut_now(lib, doc, shot, layer)) if run else None   # from the step cache, usually
    op = layer.operations[i]
    layer.operations[i] = type(op).model_validate({**op.model_dump(), "clicks": [*op.model_dump()["clicks"],
                                                                                  *(c.model_dump() for c in added)]})
    if run:
        try:
            after = _covered(cut_now(lib, doc, shot, layer))
        except BadInput as e:   # the engine's own check: nothing left on the prompt's frame
            raise BadInput(f"refine layer {name}: {e}") from None
        if not any(after):
            raise BadInput(f"layer {name}: the correction leaves nothing of the cutout on any frame "
                           f"(a negative click on the object itself?)")
        first = first_frame(layer.start, doc.fps)
        emptied = [first + j for j, (b, a) in enumerate(zip(before, after)) if b and not a]
    return Edit(f"refine cutout {name!r} ({_clicks_said(given)}) in shot {shot.title or shot.id}", result=emptied)
