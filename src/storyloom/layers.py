"""Layer edits on a stored project: extract an object as its own layer (and correct its
cutout with more clicks), replace a scene's background, harmonise a foreground's colour
with its background.

Each edit is one revision (one undo) and is checked completely before anything is saved
or stored. The pixels are computed at render time (and cached): the document records the
``Cutout`` prompt and the ``Harmonize`` statistics, never a matte.

    >>> doc, layer_id = extract_layer(lib, project_id, shot_id, point=(160, 90))   # doctest: +SKIP
    >>> doc, emptied = refine_cutout(lib, project_id, shot_id, layer_id, [(200, 90, False, 6)])  # doctest: +SKIP
    >>> doc, report = replace_background(lib, project_id, "1", "#2266aa")           # doctest: +SKIP
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, ClassVar, Optional, Sequence

from pydantic import Field

from storyloom.errors import BadInput, NotFound
from storyloom.model.operations import Operation

Vec3 = tuple[float, float, float]


class Harmonize(Operation):
    """Shift a layer's colours toward a background's: its Lab mean and spread become
    ``mean``/``std`` (the background's, measured when the background was set), blended by
    ``strength``. Measured over the layer's opaque pixels of the whole clip, so it does
    not flicker.
    """

    schema_name = "Harmonize"
    target: ClassVar[str] = "layer"
    mean: Vec3
    std: Vec3
    strength: float = Field(0.6, ge=0.0, le=1.0)

    def label(self) -> str:
        return f"harmonize {self.strength:g}"


# ---------------------------------------------------------------- colour statistics
def lab_stats(rgb, weight=None) -> tuple[Vec3, Vec3]:
    """Mean and standard deviation of uint8 RGB pixels (any leading shape) in CIE Lab
    (L 0–100), weighted by ``weight`` in [0, 1] (alpha) when given.

    >>> import numpy as np
    >>> m, s = lab_stats(np.full((2, 2, 3), 255, np.uint8))
    >>> round(m[0]), round(s[0])
    (100, 0)
    """
    import cv2
    import numpy as np
    px = np.asarray(rgb, np.uint8).reshape(-1, 1, 3)
    wt = None if weight is None else np.asarray(weight, np.float64).reshape(-1)
    step = max(1, px.shape[0] // 400_000)  # a subsample is enough for two moments
    px = px[::step]
    lab = cv2.cvtColor(px.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float64)
    if wt is None:
        wt = np.ones(len(lab))
    else:
        wt = wt[::step]
    total = wt.sum()
    if total <= 1e-6:
        raise BadInput("colour statistics: the picture has no opaque pixels")
    mean = (lab * wt[:, None]).sum(0) / total
    std = np.sqrt(((lab - mean) ** 2 * wt[:, None]).sum(0) / total)
    return tuple(round(float(v), 3) for v in mean), tuple(round(float(v), 3) for v in std)


def harmonize_frames(frames, mean: Vec3, std: Vec3, strength: float = 1.0):
    """Reinhard colour transfer in Lab of RGBA (or RGB) uint8 frames toward ``mean``/``std``,
    with the source statistics taken over the opaque pixels of all frames. Alpha is kept.

    >>> import numpy as np
    >>> f = np.zeros((1, 2, 2, 4), np.uint8); f[..., 3] = 255; f[0, 0, 0, :3] = 40
    >>> out = harmonize_frames(f, (60.0, 0.0, 0.0), (5.0, 1.0, 1.0))
    >>> abs(lab_stats(out[..., :3])[0][0] - 60) < 1
    True
    """
    import cv2
    import numpy as np
    frames = np.asarray(frames)
    rgb = frames[..., :3]
    alpha = frames[..., 3].astype(np.float32) / 255.0 if frames.shape[-1] == 4 else None
    m_src, s_src = lab_stats(rgb, None if alpha is None else alpha)
    m_src, s_src = np.array(m_src), np.array(s_src)
    # spreads are matched within limits: a flat object must not be blown up into noise
    gain = np.clip(np.array(std) / np.maximum(s_src, 1e-3), 0.5, 2.0)
    out = np.empty_like(frames)
    for i, f in enumerate(rgb):
        lab = cv2.cvtColor(f.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
        moved = (lab - m_src) * gain + np.array(mean)
        lab = lab + strength * (moved - lab)
        back = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
        out[i, ..., :3] = np.clip(back * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if frames.shape[-1] == 4:
        out[..., 3] = frames[..., 3]
    return out


def _register_steps() -> None:
    from storyloom.render.steps import Clip, register_step

    @register_step(Harmonize)
    def harmonize_step(op: Harmonize, clip: Clip, ctx) -> Clip:
        ctx.provenance.update({"engine": "lab-transfer", "version": "1"})
        return Clip(harmonize_frames(clip.frames, op.mean, op.std, op.strength), clip.fps)


_register_steps()


# ---------------------------------------------------------------- finding things
def find_shot(project, selector: str):
    """(scene, shot) for a shot id or a 1-based number counted over the whole film.

    >>> from storyloom.model import Project
    >>> p = Project(); s = p.add_scene().add_shot(title="a")
    >>> find_shot(p, "1")[1] is s
    True
    """
    sel = str(selector).strip()
    for scene in project.scenes:
        for shot in scene.shots:
            if shot.id == sel:
                return scene, shot
    if sel.isdigit():
        pairs = [(scene, shot) for scene in project.scenes for shot in scene.shots]
        k = int(sel)
        if 1 <= k <= len(pairs):
            return pairs[k - 1]
        raise NotFound(f"shot {sel}: the film has {len(pairs)} shot(s)")
    raise NotFound(f"shot {sel!r}: no shot with that id or number")


def find_scene(project, selector: str):
    """A scene by id, title or 1-based number.

    >>> from storyloom.model import Project
    >>> p = Project(); _ = p.add_scene("A"); b = p.add_scene("B")
    >>> find_scene(p, "2") is b and find_scene(p, "B") is b
    True
    """
    sel = str(selector).strip()
    for scene in project.scenes:
        if scene.id == sel or scene.title == sel:
            return scene
    if sel.isdigit():
        k = int(sel)
        if 1 <= k <= len(project.scenes):
            return project.scenes[k - 1]
        raise NotFound(f"scene {sel}: the film has {len(project.scenes)} scene(s)")
    raise NotFound(f"scene {sel!r}: no scene with that id, title or number")


def _load(lib, project):
    """The head document and revision of ``project`` (a model.Project or its id)."""
    pid = getattr(project, "id", project)
    return lib.load(pid)


def _source_size(lib, project, layer) -> tuple[int, int]:
    src = layer.source
    if src.kind == "asset":
        info = lib.asset_info(src.asset.sha256)
        if info.kind == "audio":
            raise BadInput(f"layer {layer.name or layer.id}: is sound only, there is nothing to cut out")
        return int(info.width), int(info.height)
    return project.size.width, project.size.height


def _picture_layer(lib, shot):
    """The layer to cut from when none is named: the bottom visible picture layer."""
    for layer in shot.layers:
        if not layer.visible:
            continue
        if layer.source.kind == "asset" and lib.asset_info(layer.source.asset.sha256).kind == "audio":
            continue
        return layer
    raise BadInput(f"shot {shot.title or shot.id}: has no visible picture layer to cut from")


def _to_source_coords(lib, project, shot, layer, t: float, points):
    """Frame pixels (what the rendered shot shows at time ``t``) -> the layer source's own
    pixels (where ``Click`` prompts live), each with whether it falls on the picture."""
    import numpy as np
    from storyloom.render.compositor import LayerImage, layer_matrix
    sw, sh = _source_size(lib, project, layer)
    w, h = project.size.width, project.size.height
    tr = layer.transform.at(t)
    li = LayerImage(np.zeros((1, 1, 4), np.uint8), layer.fit, tr["x"], tr["y"], tr["scale"], tr["rotation"],
                    source_size=(sw, sh))
    m = np.vstack([layer_matrix(li, w, h), [0, 0, 1]])
    inv = np.linalg.inv(m)
    out = []
    for x, y in points:
        sx, sy, _ = inv @ np.array([x, y, 1.0])
        out.append((float(sx), float(sy), -0.5 <= sx < sw - 0.5 and -0.5 <= sy < sh - 0.5))
    return out


# ---------------------------------------------------------------- extract a layer
def _shot_frames(project, shot) -> int:
    from storyloom.render.render import shot_frame_count
    return shot_frame_count(project, shot)


def _given_clicks(clicks, frame: int) -> list:
    """``(x, y[, positive[, frame]])`` clicks as ``(x, y, positive, frame)`` (``frame`` by default)."""
    out = []
    for c in clicks:
        if len(c) not in (2, 3, 4):
            raise BadInput(f"click {c!r}: expected (x, y[, positive[, frame]])")
        f = c[3] if len(c) > 3 else frame
        out.append((float(c[0]), float(c[1]), bool(c[2]) if len(c) > 2 else True, f))
    return out


def _layer_first_frame(project, shot, layer) -> tuple[int, float, float]:
    """The layer's first shot frame (as the renderer counts) and its shown window in seconds."""
    from storyloom.render.render import layer_window
    start, end = layer_window(layer, shot.duration)
    return int(math.ceil(start * project.fps - 1e-9)), start, end


def _check_click_frames(project, shot, layer, given) -> None:
    """Each ``(x, y, positive, frame)`` click must be inside the frame, on a shot frame that
    exists and where ``layer`` is shown."""
    label = shot.title or shot.id
    n = _shot_frames(project, shot)
    w, h = project.size.width, project.size.height
    _, start, end = _layer_first_frame(project, shot, layer)
    for x, y, _, f in given:
        if not (0 <= x < w and 0 <= y < h):
            raise BadInput(f"point ({x:g},{y:g}): outside the {w}x{h} frame")
        if not isinstance(f, int) or not 0 <= f < n:
            raise BadInput(f"shot {label}: frame {f} of click ({x:g},{y:g}) does not exist "
                           f"(the shot has frames 0-{n - 1})")
        if not start <= f / project.fps < end:
            raise BadInput(f"shot {label}: layer {layer.name or layer.id} is not shown at frame {f}")


def _source_clicks(lib, project, shot, layer, given) -> list:
    """Checked ``(x, y, positive, frame)`` clicks in frame pixels as ``Click`` prompts in the
    layer source's own pixels and frames; BadInput for one that misses the layer's picture."""
    from storyloom.model import Click
    first, _, _ = _layer_first_frame(project, shot, layer)
    # each click through the layer's placement at its own frame (keyframes may move it)
    mapped = [_to_source_coords(lib, project, shot, layer, f / project.fps, [(x, y)])[0] for x, y, _, f in given]
    for (x, y, _, _), (_, _, inside) in zip(given, mapped):
        if not inside:
            raise BadInput(f"point ({x:g},{y:g}): outside layer {layer.name or layer.id}'s picture")
    return [Click(frame=f - first, x=round(mx, 2), y=round(my, 2), positive=pos)
            for (_, _, pos, f), (mx, my, _) in zip(given, mapped)]


def build_cutout_layer(lib, project, shot, layer=None, point=None, box=None, clicks=(), frame: int = 0,
                       engine: Optional[str] = None, name: str = ""):
    """Check a cutout prompt given in the shot's frame pixels and return the new foreground
    layer (not yet added): a copy of ``layer`` with a ``Cutout`` in its source's own pixels."""
    from storyloom.model import Cutout
    from storyloom.model.document import new_id
    label = shot.title or shot.id
    layer = layer if layer is not None else _picture_layer(lib, shot)
    n = _shot_frames(project, shot)
    if not isinstance(frame, int) or frame < 0 or frame >= n:
        raise BadInput(f"shot {label}: frame {frame} does not exist (the shot has frames 0-{n - 1})")
    t = frame / project.fps
    first, start, end = _layer_first_frame(project, shot, layer)
    if not start <= t < end:
        raise BadInput(f"shot {label}: layer {layer.name or layer.id} is not shown at frame {frame}")
    given = [(float(p[0]), float(p[1]), True, frame) for p in ([point] if point is not None else [])]
    given += _given_clicks(clicks, frame)
    if not any(g[2] for g in given) and box is None:
        raise BadInput(f"shot {label}: give a point or a box around the object to cut out")
    w, h = project.size.width, project.size.height
    _check_click_frames(project, shot, layer, given)
    mapped_box = None
    if box is not None:
        if len(box) != 4:
            raise BadInput(f"box {box}: expected X0,Y0,X1,Y1")
        x0, y0, x1, y1 = (float(v) for v in box)
        if x1 <= x0 or y1 <= y0:
            raise BadInput(f"box {x0:g},{y0:g},{x1:g},{y1:g}: has no area (need X0 < X1 and Y0 < Y1)")
        x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
        if x1 - x0 < 1 or y1 - y0 < 1:
            raise BadInput(f"box {box}: outside the {w}x{h} frame")
        corners = _to_source_coords(lib, project, shot, layer, t, [(x0, y0), (x1, y0), (x0, y1), (x1, y1)])
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        sw, sh = _source_size(lib, project, layer)
        mapped_box = (round(max(0.0, min(xs)), 2), round(max(0.0, min(ys)), 2),
                      round(min(float(sw), max(xs)), 2), round(min(float(sh), max(ys)), 2))
        if mapped_box[2] - mapped_box[0] < 1 or mapped_box[3] - mapped_box[1] < 1:
            raise BadInput(f"box {box}: does not cover layer {layer.name or layer.id}'s picture")
    op = Cutout(clicks=_source_clicks(lib, project, shot, layer, given), box=mapped_box, frame=frame - first,
                engine=engine)
    count = sum(1 for l in shot.layers if any(o.schema_name == "Cutout" for o in l.operations)) + 1
    data = layer.model_dump()
    data.update(id=new_id(), name=name or f"Cutout {count}", role="foreground",
                operations=[o for o in layer.operations if o.schema_name not in ("Cutout", "Harmonize")] + [op])
    return type(layer).model_validate(data)


def _cut_now(lib, project, shot, layer):
    """Run the new layer's operations now: a prompt the engine cannot use fails here, before
    anything is saved, and the render later finds the matte in the step cache. Returns the feed."""
    from storyloom.render.render import OperatedLayerFeed
    return OperatedLayerFeed(lib, project, shot, layer)


def extract_layer(lib, project, shot_id: str, layer_id: Optional[str] = None, *, point=None, box=None,
                  clicks: Sequence = (), frame: int = 0, engine: Optional[str] = None, name: str = "",
                  run: bool = True):
    """Cut an object out of a shot as its own layer: a copy of the source layer (default:
    the bottom picture layer) with a ``Cutout`` operation, added just above it with role
    "foreground"; the original stays as the background. Prompt in the shot's frame pixels:
    a ``point=(x, y)``, ``clicks=[(x, y, positive[, frame]), …]`` and/or a ``box=(x0, y0, x1, y1)``
    on shot frame ``frame`` (a click's own ``frame``, when given, corrects the cutout there:
    positive adds a missed part, negative removes a wrong one, carried through the shot). One revision. Returns (the saved document, the new layer id).
    With ``run`` the cutout is computed now (and cached for the render), so a prompt that
    finds nothing is refused before anything is saved.

    >>> doc, lid = extract_layer(lib, project.id, "2", point=(160, 90), frame=0)   # doctest: +SKIP
    """
    doc, rev = _load(lib, project)
    _, shot = find_shot(doc, shot_id)
    source = shot.layer(layer_id) if layer_id else None
    new = build_cutout_layer(lib, doc, shot, source, point=point, box=box, clicks=clicks, frame=frame,
                             engine=engine, name=name)
    src = source or _picture_layer(lib, shot)
    shot.add_layer(new, index=shot.layers.index(src) + 1)
    if run:
        _cut_now(lib, doc, shot, new)
    what = new.operations[-1].label()
    lib.save(doc, rev, f"extract layer {new.name!r} ({what}) in shot {shot.title or shot.id}")
    return doc, new.id


def _cutout_of(layer):
    """The index of ``layer``'s ``Cutout`` operation; BadInput when it has none."""
    for i in range(len(layer.operations) - 1, -1, -1):
        if layer.operations[i].schema_name == "Cutout":
            return i
    raise BadInput(f"layer {layer.name or layer.id}: has no cutout to refine (extract a layer first)")


#: below this share of the frame a matte is "nothing" (the engine's own floor)
_EMPTY = 0.002


def _covered(feed) -> list[bool]:
    """Per layer frame: whether the computed matte holds anything."""
    import numpy as np
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
    _check_click_frames(project, shot, layer, given)
    return i, given, _source_clicks(lib, project, shot, layer, given)


def refine_cutout(lib, project, shot_id: str, layer_id: str, clicks: Sequence, *, frame: int = 0,
                  run: bool = True):
    """Correct an existing cutout layer with more clicks, in the shot's frame pixels:
    ``clicks=[(x, y, positive[, frame]), …]`` (``frame`` by default). A positive click adds a
    part the cutout missed, a negative one removes what it wrongly took, on that frame and
    carried both ways through the shot. The clicks are checked and mapped to the layer's
    source pixels exactly as for ``extract_layer`` and added to its ``Cutout``. With ``run``
    the corrected matte is computed now: corrections that leave nothing of the cutout are
    refused before anything is saved. One revision. Returns (the saved document, the shot
    frames the correction emptied: where the cutout held something before and nothing now,
    which may be right - the object out of view - or a click on the object itself).

    >>> doc, emptied = refine_cutout(lib, project.id, "1", "Cutout 1", [(120, 86, False, 6)])  # doctest: +SKIP
    """
    doc, rev = _load(lib, project)
    _, shot = find_shot(doc, shot_id)
    layer = shot.layer(layer_id)
    name = layer.name or layer.id
    i, given, added = check_refine(lib, doc, shot, layer, clicks, frame)
    emptied: list[int] = []
    before = _covered(_cut_now(lib, doc, shot, layer)) if run else None   # from the step cache, usually
    op = layer.operations[i]
    layer.operations[i] = type(op).model_validate({**op.model_dump(), "clicks": [*op.model_dump()["clicks"],
                                                                                  *(c.model_dump() for c in added)]})
    if run:
        try:
            after = _covered(_cut_now(lib, doc, shot, layer))
        except BadInput as e:   # the engine's own check: nothing left on the prompt's frame
            raise BadInput(f"refine layer {name}: {e}") from None
        if not any(after):
            raise BadInput(f"layer {name}: the correction leaves nothing of the cutout on any frame "
                           f"(a negative click on the object itself?)")
        first, _, _ = _layer_first_frame(doc, shot, layer)
        emptied = [first + j for j, (b, a) in enumerate(zip(before, after)) if b and not a]
    adds = sum(1 for g in given if g[2])
    said = " ".join(p for p in (f"+{adds}" if adds else "", f"-{len(given) - adds}" if len(given) > adds else "") if p)
    frames = ", ".join(str(f) for f in sorted({g[3] for g in given}))
    lib.save(doc, rev, f"refine cutout {name!r} ({said} click{'s' if len(given) > 1 else ''} on "
                       f"frame{'s' if ',' in frames else ''} {frames}) in shot {shot.title or shot.id}")
    return doc, emptied

# ---------------------------------------------------------------- automatic subject
def auto_prompt(rgb, before=None, after=None) -> dict:
    """A prompt for a picture's main subject, with no help from the user: the biggest
    person (MediaPipe selfie segmentation) when there is one; else, given the frames just
    ``before`` and ``after``, what moves unlike the camera (optical flow minus the dominant
    motion); else the most salient region (OpenCV fine-grained saliency); else the centre.
    Returns ``{"box", "point", "how"}`` in pixels of ``rgb``.

    >>> import numpy as np
    >>> auto_prompt(np.zeros((90, 160, 3), np.uint8))["how"]
    'centre'
    """
    import cv2
    import numpy as np
    h, w = rgb.shape[:2]

    def region(mask):
        n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        if n <= 1:
            return None
        k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        area = stats[k, cv2.CC_STAT_AREA]
        if not 0.005 * w * h <= area <= 0.8 * w * h:
            return None
        comp = (lab == k).astype(np.uint8)
        dist = cv2.distanceTransform(comp, cv2.DIST_L2, 5)
        y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
        x0, y0, bw, bh = stats[k, :4]
        return (float(x0), float(y0), float(x0 + bw), float(y0 + bh)), (float(x), float(y))

    person = _person_mask(rgb)
    if person is not None:
        found = region(person > 0.5)
        if found:
            return {"box": found[0], "point": found[1], "how": "person"}
    if before is not None and after is not None:
        # moving both ways from this frame: where the subject is now, not where it was
        res = np.minimum(_motion_residual(rgb, after), _motion_residual(rgb, before))
        mask = cv2.morphologyEx((res > 1.0).astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        found = region(mask > 0)
        if found:
            return {"box": found[0], "point": found[1], "how": "motion"}
    if float(rgb.std()) > 2.0:
        sal = cv2.saliency.StaticSaliencyFineGrained_create()
        ok, smap = sal.computeSaliency(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
        if ok:
            smap = cv2.GaussianBlur(smap.astype(np.float32), (0, 0), max(2.0, min(w, h) / 60))
            smap = cv2.normalize(smap, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
            _, mask = cv2.threshold(smap, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
            found = region(mask > 0)
            if found:
                return {"box": found[0], "point": found[1], "how": "saliency"}
    return {"box": (w * 0.25, h * 0.2, w * 0.75, h * 0.95), "point": (w / 2, h * 0.55), "how": "centre"}


def _motion_residual(a, b):
    """Per-pixel flow from ``a`` to ``b`` left after removing the camera's motion (a
    similarity transform fitted with RANSAC), in pixels."""
    import cv2
    import numpy as np
    ga, gb = (cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_RGB2GRAY) for x in (a, b))
    flow = cv2.calcOpticalFlowFarneback(ga, gb, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    h, w = ga.shape
    ys, xs = np.mgrid[0:h:4, 0:w:4]
    src = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(src, src + flow[ys.ravel(), xs.ravel()], method=cv2.RANSAC,
                                       ransacReprojThreshold=1.0)
    if m is None:
        return np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cam = np.dstack([m[0, 0] * xx + m[0, 1] * yy + m[0, 2] - xx, m[1, 0] * xx + m[1, 1] * yy + m[1, 2] - yy])
    return np.linalg.norm(flow - cam, axis=2)


def _person_mask(rgb):
    """MediaPipe's person probability per pixel, or None when MediaPipe is missing or no
    person is there: the selfie model's confident core, confirmed by a body pose spanning
    its largest region (the selfie model alone calls many blobs a person)."""
    try:
        from storyloom.engines.cutout.people import _person_prob, _pose_fits, _selfie
        from storyloom.engines.native_logs import quiet_native_logs
        with quiet_native_logs():
            seg = _selfie()
    except Exception:
        return None
    import cv2
    import numpy as np
    try:
        m = _person_prob(seg, rgb)
    finally:
        with quiet_native_logs():
            seg.close()
    # a picture with no person still gets a faint map: demand a confident core
    if m is None or float(m.max()) < 0.9:
        return None
    n, lab, stats, _ = cv2.connectedComponentsWithStats((m > 0.5).astype(np.uint8), connectivity=8)
    if n <= 1:
        return None
    biggest = lab == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return m if _pose_fits(rgb, biggest) else None


def _layer_rgb(lib, project, shot, layer, indices: list[int]):
    """Frames of a layer alone, flattened on black (for analysing its picture)."""
    import numpy as np
    from storyloom.export.layers import iter_layer_frames
    out = []
    for f in iter_layer_frames(lib, project, shot, layer, indices):
        a = f[..., 3:4].astype(np.float32) / 255.0
        out.append((f[..., :3] * a + 0.5).astype(np.uint8))
    return out


# ---------------------------------------------------------------- replace a background
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def background_source(lib, project, background: Any, dry: bool = False):
    """The layer source a background description means: a ``#rrggbb`` colour, a shot id,
    an image or video path, or a ready layer source. With ``dry`` a file is checked
    (probed) but not stored."""
    from storyloom.model import AssetSource, ColorSource
    from storyloom.model.document import ShotSource, TextSource
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
        from storyloom.media import probe
        info = probe(path)
        if info.kind == "audio":
            raise BadInput(f"{path.name}: has no picture to use as a background")
        return None
    ref, info = lib.import_asset(path)
    if info.kind == "audio":
        raise BadInput(f"{path.name}: has no picture to use as a background")
    return AssetSource(asset=ref, loop=info.kind == "video")


def _is_foreground(layer) -> bool:
    return layer.role == "foreground" or any(o.schema_name == "Cutout" for o in layer.operations)


def replace_background(lib, project, scene_id: str, background: Any, harmonize: bool = False,
                       strength: float = 0.6, engine: Optional[str] = None):
    """Put a new background behind every shot of a scene, in one revision.

    ``background``: an image or video path, a ``#rrggbb`` colour, or a shot id (that shot's
    render; a shot of this scene would show itself and is refused). A shot with no
    foreground layer first gets one: its main subject, found without a prompt
    (``auto_prompt`` on the middle frame), cut out of its bottom picture layer. The old
    background layers (role "background") give way to one new bottom layer. With
    ``harmonize`` every foreground gets a ``Harmonize`` toward the new background's colour.
    Returns (the saved document, {"shots": n, "extracted": [(shot id, how)], "revision"}).

    >>> doc, report = replace_background(lib, pid, "1", "sunset.jpg", harmonize=True)   # doctest: +SKIP
    """
    from storyloom.model import Layer
    from storyloom.model.document import ShotSource
    from storyloom.render.render import shot_cycle
    doc, rev = _load(lib, project)
    scene = find_scene(doc, scene_id)
    if not scene.shots:
        raise BadInput(f"scene {scene.title or scene.id}: has no shots")
    # check the background fully before storing anything
    checked = background_source(lib, doc, background, dry=True)
    if isinstance(checked, ShotSource) and any(s.id == checked.shot_id for s in scene.shots):
        raise BadInput(f"background shot {background!r}: is in scene {scene.title or scene.id} itself "
                       f"(a shot cannot be its own background)")
    plans = []
    for shot in scene.shots:
        fg = [l for l in shot.layers if _is_foreground(l)]
        if fg:
            plans.append((shot, None, None))
            continue
        try:
            src = _picture_layer(lib, shot)
        except BadInput:   # a blank (storyboard) shot: it simply gets the background
            src = None
        if src is None or src.source.kind not in ("asset", "shot"):
            plans.append((shot, None, None))   # colour or text only: no subject to cut out
            continue
        mid = _shot_frames(doc, shot) // 2
        from storyloom.render.render import layer_window
        a, b = layer_window(src, shot.duration)
        mid = min(max(mid, int(math.ceil(a * doc.fps - 1e-9))), max(0, int(math.ceil(b * doc.fps - 1e-9)) - 1))
        n = _shot_frames(doc, shot)
        if src.source.kind in ("asset", "shot") and n > 4:   # moving pictures: motion is a cue
            before, now, after = _layer_rgb(lib, doc, shot, src, [max(0, mid - 2), mid, min(n - 1, mid + 2)])
            prompt = auto_prompt(now, before, after)
        else:
            prompt = auto_prompt(_layer_rgb(lib, doc, shot, src, [mid])[0])
        # the point alone: on the yardstick it beat box and box + point for every finder
        layer = build_cutout_layer(lib, doc, shot, src, point=prompt["point"], frame=mid,
                                   engine=engine, name="Subject")
        _cut_now(lib, doc, shot, layer)
        plans.append((shot, (src, layer), prompt["how"]))
    new_src = background_source(lib, doc, background)
    extracted = []
    for shot, add, how in plans:
        if add is not None:
            src, layer = add
            shot.add_layer(layer, index=shot.layers.index(src) + 1)
            extracted.append((shot.id, how))
        layers = shot.take.layers
        old = [l for l in layers if l.role == "background"]
        keep = old[0].id if old else None
        for l in old:
            layers.remove(l)
        bg = Layer(name="Background", role="background", source=new_src, fit="fill")
        if keep:
            bg.id = keep  # the same slot, so anything naming the background still finds it
        layers.insert(0, bg)
        if isinstance(new_src, ShotSource):
            cycle = shot_cycle(doc, shot.id)
            if cycle:
                raise BadInput(f"background shot {background!r}: would show itself ({' -> '.join(cycle)})")
    if harmonize:
        for shot, _, _ in plans:
            bg = shot.layers[0]
            n = _shot_frames(doc, shot)
            picks = sorted({0, n // 2, n - 1})
            import numpy as np
            from storyloom.export.layers import iter_layer_frames
            frames = np.stack(list(iter_layer_frames(lib, doc, shot, bg, picks)))
            mean, std = lab_stats(frames[..., :3], frames[..., 3].astype(np.float32) / 255.0)
            for l in shot.layers:
                if _is_foreground(l):
                    ops = [o for o in l.operations if o.schema_name != "Harmonize"]
                    l.operations = ops + [Harmonize(mean=mean, std=std, strength=strength)]
    else:
        for shot, _, _ in plans:
            for l in shot.layers:
                if any(o.schema_name == "Harmonize" for o in l.operations):
                    l.operations = [o for o in l.operations if o.schema_name != "Harmonize"]
    what = {"color": lambda s: s.color, "shot": lambda s: f"shot {s.shot_id}",
            "asset": lambda s: s.asset.name}[new_src.kind](new_src)
    extra = f", extracted {len(extracted)} subject(s)" if extracted else ""
    extra += ", harmonized" if harmonize else ""
    new_rev = lib.save(doc, rev, f"replace background of scene {scene.title or scene.id} with {what}{extra}")
    return doc, {"shots": len(plans), "extracted": extracted, "revision": new_rev}
